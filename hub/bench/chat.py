"""The chat scenario: customer → agent throughput against a bare relay, and p99 at a fixed rate."""

from __future__ import annotations

import asyncio
import gc
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import socketio

from hub.bench.common import PASSWORD, Context, Payload, bounded, close_all, percentile
from hub.bench.process import Server, relay_argv
from hub.sdk import AgentClient, CustomerClient

TEXT = "Hello, where is my order? It was due yesterday."


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
