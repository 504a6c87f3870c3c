"""The bench's load scenarios (DESIGN §12): routing, chat and memory, each against a real hub.

Every scenario starts its own hub subprocess (fresh SQLite unless a database URL is given),
seeds it through :mod:`hub.admin`, measures, and stops it. Every loop is bounded by a count and
by a time limit so that a broken hub makes the bench fail, not hang.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import math
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import socketio
from tqdm import tqdm

from hub.bench.process import Server, hub_argv, relay_argv
from hub.sdk import AgentClient, CustomerClient

T = TypeVar("T")
Payload = dict[str, Any]

UNSTAFFED_SKILL = "unstaffed"  # no bench agent has it
PASSWORD = "bench-password-not-secret"
TEXT = "Hello, where is my order? It was due yesterday."
CONNECT_CONCURRENCY = 25  # parallel connects/logins: enough to be quick, few enough not to time out


@dataclass
class Options:
    waiting: int = 500
    agents: int = 100
    samples: int = 300
    customers: int = 1000
    seconds: float = 3.0
    pairs: int = 8
    window: int = 16
    rate: int = 500
    sessions: int = 20


@dataclass
class Context:
    """What every scenario needs: options, where to put databases and logs, the progress bar."""

    options: Options
    workdir: Path
    bar: tqdm[Any]
    database_url: str | None = None  # shared, e.g. PostgreSQL; otherwise a fresh SQLite each run
    notes: dict[str, str] = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: secrets.token_hex(3))
    _count: int = 0

    def stage(self, name: str, total: int) -> None:
        self.bar.reset(total=total)
        self.bar.set_description(name)

    def fresh_database(self, name: str) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.workdir / (name + '.db')}"

    @asynccontextmanager
    async def hub(
        self, name: str, n_agents: int, *, skills: Iterable[str] = (), auto_answer: bool = False
    ) -> AsyncIterator[tuple[Server, str, list[str]]]:
        """Seed a site and agents, start a hub on them, yield (server, site_key, agent emails)."""
        from hub.admin import add_agents, add_site  # the lead's seeding API; migrates too

        database_url = self.fresh_database(name)
        site_key = f"bench-{name}-{self.run_id}"
        await add_site(
            database_url,
            site_key,
            secrets.token_hex(16),
            name=f"bench {name}",
            settings={"channels": ["chat", "callback", "video"]},
        )
        emails = [f"{name}-{self.run_id}-{i}@bench.example" for i in range(n_agents)]
        if emails:
            await add_agents(
                database_url,
                [
                    {
                        "email": e,
                        "name": f"Agent {i}",
                        "password": PASSWORD,
                        "skills": list(skills),
                        "auto_answer": auto_answer,
                    }
                    for i, e in enumerate(emails)
                ],
            )
        server = Server(
            f"hub ({name})",
            hub_argv(),
            self.workdir / f"hub-{name}.log",
            env={
                "HUB_DATABASE_URL": database_url,
                # The bench measures capacity, not the per-client abuse limits.
                "HUB_RATE_LIMIT": "1000000",
                "HUB_RATE_BURST": "1000000",
            },
        )
        await server.start()
        try:
            yield server, site_key, emails
        finally:
            await server.stop()


async def bounded(ctx: Context, coros: list[Awaitable[T]], limit_s: float) -> list[T]:
    """Run coroutines CONNECT_CONCURRENCY at a time, ticking the bar; all or nothing."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(coro: Awaitable[T]) -> T:
        async with gate:
            result = await coro
            ctx.bar.update()
            return result

    async with asyncio.timeout(limit_s):
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(c)) for c in coros]
    return [t.result() for t in tasks]


async def close_all(clients: Iterable[CustomerClient | AgentClient]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), nearest-rank: an observed value, never interpolated."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


# -- routing ------------------------------------------------------------------------------------


async def routing(ctx: Context) -> Payload:
    """Tap → offer latency with a backlog the agents cannot take, plus the engine alone."""
    opt = ctx.options
    ctx.notes["routing"] = (
        f"{opt.waiting} chats waiting for a skill no agent has (their places pushed to them); "
        "each sample: a customer taps chat, the offered agent accepts and ends it"
    )
    latencies: list[float] = []
    async with ctx.hub("routing", opt.agents) as (server, site_key, emails):
        ctx.stage("routing: agents log in", len(emails))
        agents: list[AgentClient] = []
        customers: list[CustomerClient] = []
        try:
            agents.extend(
                await bounded(
                    ctx,
                    [AgentClient.login(server.url, e, PASSWORD, backfill=False) for e in emails],
                    limit_s=120,
                )
            )
            expected: dict[str, asyncio.Future[tuple[AgentClient, Payload, float]]] = {}

            def on_offer(agent: AgentClient) -> Callable[[Payload], None]:
                def handler(offer: Payload) -> None:
                    received = time.perf_counter()
                    customer = offer.get("customer") or {}
                    fut = expected.pop(str(customer.get("id")), None)
                    if fut is None and len(expected) == 1:
                        # Samples run one at a time, so the only one expected is this one.
                        fut = expected.pop(next(iter(expected)))
                    if fut is not None and not fut.done():
                        fut.set_result((agent, offer, received))

                return handler

            for agent in agents:
                agent.on("offer", on_offer(agent))
            ctx.stage("routing: agents available", len(agents))
            await bounded(ctx, [a.set_presence("available") for a in agents], limit_s=60)

            ctx.stage("routing: backlog", opt.waiting)

            async def waiting_customer(i: int) -> CustomerClient:
                # Chats that need a skill no agent has: they wait in the queue for real (their
                # places are pushed to them) while every agent stays free for the samples.
                customer = CustomerClient(server.url, site_key, reconnect=False, backfill=False)
                await customer.connect()
                customers.append(customer)
                await customer.request_contact("chat", skills=[UNSTAFFED_SKILL])
                return customer

            await bounded(ctx, [waiting_customer(i) for i in range(opt.waiting)], limit_s=180)

            tappers = [
                CustomerClient(server.url, site_key, reconnect=False, backfill=False)
                for _ in range(max(1, min(20, opt.samples)))
            ]
            customers.extend(tappers)
            await asyncio.gather(*(t.connect() for t in tappers))

            ctx.stage("routing: tap → offer", opt.samples)
            loop = asyncio.get_running_loop()
            deadline = time.monotonic() + max(60.0, opt.samples * 0.5)
            for i in range(opt.samples):
                if time.monotonic() > deadline:
                    break
                tapper = tappers[i % len(tappers)]
                fut: asyncio.Future[tuple[AgentClient, Payload, float]] = loop.create_future()
                expected[str(tapper.customer_id)] = fut
                sent = time.perf_counter()
                await tapper.request_contact("chat")
                agent, offer, received = await asyncio.wait_for(fut, 10)
                latencies.append((received - sent) * 1000)
                await agent.accept(offer["contact_id"])
                await agent.end_contact(offer["contact_id"], resolved=True)
                ctx.bar.update()
        finally:
            await close_all([*agents, *customers])
    ctx.stage("routing: engine alone", 1)
    decisions = engine_decisions_per_s(ctx)
    ctx.bar.update()
    return {
        "waiting": opt.waiting,
        "agents": opt.agents,
        "samples": len(latencies),
        "offer_p50_ms": percentile(latencies, 50),
        "offer_p99_ms": percentile(latencies, 99),
        "engine_decisions_per_s": decisions,
    }


def engine_decisions_per_s(ctx: Context) -> float | None:
    """Ask the routing engine's own micro-benchmark (another module; imported only when run)."""
    try:
        from hub.bench.engine import measure_engine
    except ImportError as exc:
        ctx.notes["engine"] = f"hub.bench.engine unavailable: {exc}"
        return None
    params = inspect.signature(measure_engine).parameters
    kwargs: dict[str, Any] = {}
    # Keep the micro-benchmark short in a short run (the smoke test passes --seconds 1).
    for name in ("seconds", "duration_s", "limit_s"):
        if name in params:
            kwargs[name] = min(ctx.options.seconds, 3.0)
    result: Any = measure_engine(**kwargs)
    if isinstance(result, dict):
        for key in ("engine_decisions_per_s", "decisions_per_s", "rate"):
            if key in result:
                return float(result[key])
        numbers = [v for v in result.values() if isinstance(v, int | float)]
        return float(numbers[0]) if numbers else None
    for attr in ("decisions_per_s", "engine_decisions_per_s"):
        if hasattr(result, attr):
            return float(getattr(result, attr))
    return float(result)


# -- chat ---------------------------------------------------------------------------------------


@dataclass
class Lane:
    """One sender and the count its receiver has seen: a customer→agent (or relay) pair."""

    sio: socketio.AsyncClient
    namespace: str
    payload: Callable[[str], Payload]


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Keep the bench's own garbage collections out of a measured window, as ``timeit`` does.

    A full collection of the bench process (its many clients) pauses every client for tens of
    milliseconds, which would be counted as the hub's latency. The hub runs in its own process
    and is left alone.
    """
    gc.collect()
    gc.freeze()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()


async def throughput(
    ctx: Context, lanes: list[Lane], received: list[int], seconds: float, window: int
) -> float:
    """Deliveries per second with ``window`` unacked messages per lane, after a short warm-up.

    ``received[0]`` is incremented by the receivers' handlers.
    """
    stop = asyncio.Event()
    warmup = min(0.5, seconds / 4)

    async def pump(lane: Lane, n: int) -> None:
        slots = asyncio.Semaphore(window)

        def ack(*_: Any) -> None:
            slots.release()

        i = 0
        while not stop.is_set():
            await slots.acquire()
            i += 1
            await lane.sio.emit(
                "message.send", lane.payload(f"tp-{n}-{i}"), namespace=lane.namespace, callback=ack
            )
        # Let the outstanding messages land (bounded) before the next measurement.
        for _ in range(window):
            try:
                await asyncio.wait_for(slots.acquire(), 5)
            except TimeoutError:
                break

    with quiet_collector():
        async with asyncio.TaskGroup() as group:
            for n, lane in enumerate(lanes):
                group.create_task(pump(lane, n))
            await asyncio.sleep(warmup)
            start_count, start = received[0], time.perf_counter()
            steps = max(1, int(seconds))
            for _ in range(steps):
                await asyncio.sleep((seconds - warmup) / steps)
                ctx.bar.update()
            end_count, end = received[0], time.perf_counter()
            stop.set()
    return (end_count - start_count) / (end - start)


def relay_payload(pair: str) -> Callable[[str], Payload]:
    def payload(client_id: str) -> Payload:
        return {"pair": pair, "client_id": client_id, "text": TEXT}

    return payload


def hub_payload(conversation_id: str) -> Callable[[str], Payload]:
    def payload(client_id: str) -> Payload:
        return {"conversation_id": conversation_id, "client_id": client_id, "text": TEXT}

    return payload


def latency_probe(
    received: list[int], sent_at: dict[str, float], latencies: list[float]
) -> Callable[[Payload], None]:
    """A receiver's ``event`` handler: counts messages and times the paced ones."""

    def on_event(ev: Payload) -> None:
        if ev.get("type") != "message" or (ev.get("author") or {}).get("role") == "agent":
            return
        received[0] += 1
        started = sent_at.pop((ev.get("data") or {}).get("client_id", ""), None)
        if started is not None:
            latencies.append((time.perf_counter() - started) * 1000)

    return on_event


async def relay_floor(ctx: Context) -> tuple[float, list[float]]:
    """The bare relay's throughput, and its latencies paced like the hub's: the machine's floor."""
    opt = ctx.options
    server = Server("relay", relay_argv(), ctx.workdir / "relay.log")
    await server.start()
    clients: list[socketio.AsyncClient] = []
    received = [0]
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    on_event = latency_probe(received, sent_at, latencies)
    try:
        lanes = []
        for n in range(opt.pairs):
            sender = socketio.AsyncClient(reconnection=False, handle_sigint=False)
            receiver = socketio.AsyncClient(reconnection=False, handle_sigint=False)
            receiver.on("event", on_event)
            clients += [sender, receiver]
            await receiver.connect(server.url, auth={"pair": str(n)}, transports=["websocket"])
            await sender.connect(server.url, transports=["websocket"])
            lanes.append(Lane(sender, "/", relay_payload(str(n))))
        ctx.stage("chat: bare relay", max(1, int(opt.seconds)))
        rate = await throughput(ctx, lanes, received, opt.seconds, opt.window)
        ctx.stage(f"chat: bare relay paced {opt.rate}/s", max(1, int(opt.seconds)))
        await paced(ctx, lanes, sent_at, opt.rate, opt.seconds)
        return rate, latencies
    finally:
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
        await server.stop()


async def chat(ctx: Context) -> Payload:
    """Customer → agent messages: throughput against the bare relay, then p99 at a fixed rate."""
    opt = ctx.options
    bare, bare_latencies = await relay_floor(ctx)
    n_agents = max(1, math.ceil(opt.pairs / 3))  # chat capacity is 3 per agent
    ctx.notes["chat"] = (
        f"{opt.pairs} customers, {n_agents} agents (chat capacity 3), window {opt.window} "
        f"unacked per customer; p99 paced at {opt.rate}/s over {opt.seconds:g} s"
    )
    async with ctx.hub("chat", n_agents) as (server, site_key, emails):
        agents: list[AgentClient] = []
        customers: list[CustomerClient] = []
        try:
            ctx.stage("chat: setup", len(emails) + opt.pairs)
            agents.extend(
                await bounded(
                    ctx,
                    [AgentClient.login(server.url, e, PASSWORD, backfill=False) for e in emails],
                    limit_s=60,
                )
            )

            def taker(agent: AgentClient) -> Callable[[Payload], Awaitable[None]]:
                async def take(offer: Payload) -> None:
                    await agent.accept(offer["contact_id"])

                return take

            for agent in agents:
                agent.on("offer", taker(agent))
                await agent.set_presence("available")

            async def assigned_customer(i: int) -> CustomerClient:
                customer = CustomerClient(server.url, site_key, reconnect=False, backfill=False)
                await customer.connect()
                customers.append(customer)
                ack = await customer.request_contact("chat")
                await customer.wait_for(
                    "contact.assigned", lambda p: p.get("contact_id") == ack["contact_id"], 15
                )
                return customer

            await bounded(ctx, [assigned_customer(i) for i in range(opt.pairs)], limit_s=120)

            # The agents' receive path, bypassing the SDK's bookkeeping as the relay's does.
            received = [0]
            sent_at: dict[str, float] = {}
            latencies: list[float] = []
            on_event = latency_probe(received, sent_at, latencies)
            for agent in agents:
                agent.sio.on("event", on_event, namespace=agent.namespace)
            lanes = [
                Lane(c.sio, c.namespace, hub_payload(str(c.conversation_id))) for c in customers
            ]
            ctx.stage("chat: through the hub", max(1, int(opt.seconds)))
            hub_rate = await throughput(ctx, lanes, received, opt.seconds, opt.window)

            ctx.stage(f"chat: paced {opt.rate}/s", max(1, int(opt.seconds)))
            achieved = await paced(ctx, lanes, sent_at, opt.rate, opt.seconds)
            lost = len(sent_at)
        finally:
            await close_all([*agents, *customers])
    if lost:
        ctx.notes["chat"] += f"; {lost} paced messages not received within 5 s"
    if achieved < opt.rate * 0.9:
        ctx.notes["chat"] += f"; the bench only managed {achieved:.0f}/s"
    return {
        "bare_relay_msgs_per_s": bare,
        "hub_msgs_per_s": hub_rate,
        "ratio_to_bare": hub_rate / bare if bare else math.nan,
        "p99_ms_at_500_per_s": percentile(latencies, 99),
        "p50_ms_at_500_per_s": percentile(latencies, 50),
        "bare_relay_p99_ms_at_500_per_s": percentile(bare_latencies, 99),
        "bare_relay_p50_ms_at_500_per_s": percentile(bare_latencies, 50),
        "paced_rate_per_s": achieved,
    }


async def paced(
    ctx: Context, lanes: list[Lane], sent_at: dict[str, float], rate: int, seconds: float
) -> float:
    """Send ``rate`` messages a second, round-robin over lanes; return the achieved rate."""
    total = max(1, int(rate * seconds))
    tick = max(1, total // max(1, int(seconds)))
    with quiet_collector():
        start = time.perf_counter()
        for k in range(total):
            delay = start + k / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            lane = lanes[k % len(lanes)]
            client_id = f"paced-{k}"
            sent_at[client_id] = time.perf_counter()
            await lane.sio.emit("message.send", lane.payload(client_id), namespace=lane.namespace)
            if k % tick == tick - 1:
                ctx.bar.update()
        achieved = total / (time.perf_counter() - start)
        deadline = time.monotonic() + 5
        # The receivers empty sent_at from socket.io handlers; poll it, bounded by the deadline.
        while sent_at and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    return achieved


# -- memory -------------------------------------------------------------------------------------


async def memory(ctx: Context) -> Payload:
    """Server RSS per idle connected customer (websocket, session received, then settled)."""
    n = ctx.options.customers
    ctx.notes["memory"] = f"RSS (VmRSS) of the hub process before and after {n} idle customers"
    async with ctx.hub("memory", 0) as (server, site_key, _):
        customers: list[CustomerClient] = []
        try:
            # One customer first so that lazily created structures are not counted per customer.
            warm = CustomerClient(server.url, site_key, reconnect=False, backfill=False)
            await warm.connect()
            customers.append(warm)
            await asyncio.sleep(1.0)
            before = server.rss_kb()

            async def idle(i: int) -> CustomerClient:
                customer = CustomerClient(server.url, site_key, reconnect=False, backfill=False)
                await customer.connect()
                customers.append(customer)
                return customer

            ctx.stage("memory: idle customers", n)
            await bounded(ctx, [idle(i) for i in range(n)], limit_s=180)
            await asyncio.sleep(2.0)  # let the hub settle (buffers, GC) before measuring
            after = server.rss_kb()
        finally:
            await close_all(customers)
    return {
        "customers": n,
        "rss_before_kb": before,
        "rss_after_kb": after,
        "kb_per_idle_customer": (after - before) / n if n else math.nan,
    }


async def video(ctx: Context) -> Payload:
    # aiortc and PyAV load only when the video scenario runs.
    from hub.bench.video import video as measure

    return await measure(ctx)


SCENARIOS: dict[str, Callable[[Context], Awaitable[Payload]]] = {
    "routing": routing,
    "chat": chat,
    "memory": memory,
    "video": video,
}
