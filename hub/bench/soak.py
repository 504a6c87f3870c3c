"""The soak scenario: customers and agents chatting at a steady rate for minutes, bounded."""

from __future__ import annotations

import asyncio
import gc
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from hub.bench.chat import TEXT
from hub.bench.common import (
    PASSWORD,
    Context,
    Payload,
    bounded,
    close_all,
    percentile,
    raise_open_files,
)
from hub.sdk import AgentClient, CustomerClient

RSS_EVERY_S = 30.0
LATE_S = 5.0  # a message not acknowledged and delivered this long after the end is an error


def slope_per_min(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of ``(seconds, value)`` points, per minute; NaN under two points."""
    if len(points) < 2:
        return math.nan
    n = len(points)
    mx = sum(t for t, _ in points) / n
    my = sum(v for _, v in points) / n
    var = sum((t - mx) ** 2 for t, _ in points)
    if var == 0:
        return math.nan
    return sum((t - mx) * (v - my) for t, v in points) / var * 60


async def soak(ctx: Context) -> Payload:
    """``customers`` chats spread over ``agents`` (chat capacity raised to fit them all), every
    customer sending in turn at ``rate`` messages a second for ``minutes``; errors, the hub's
    RSS every 30 s and its slope, and the p99 of each minute (emit → the agent's ``event``)."""
    opt = ctx.options
    n_customers, n_agents, rate = opt.customers, opt.agents, opt.rate
    per_agent = math.ceil(n_customers / n_agents)
    seconds = opt.minutes * 60
    ctx.notes["soak"] = (
        f"{n_customers} customers chatting with {n_agents} agents (chat capacity {per_agent}), "
        f"{rate} msg/s round robin for {opt.minutes:g} min"
    )
    raise_open_files(2 * (n_customers + n_agents) + 256)
    errors: dict[str, int] = {"refused": 0, "unacknowledged": 0, "undelivered": 0, "setup": 0}
    sent_at: dict[str, tuple[int, float]] = {}
    acks_pending: set[str] = set()
    by_minute: dict[int, list[float]] = {}
    rss: list[tuple[float, int]] = []

    def echo(_ev: Payload) -> None:
        """A customer's own message comes back to it: the load generator keeps none of them.

        Through the SDK every customer would keep its last 10,000 events; over a 10-minute
        run the bench's heap grew by the 300,000 messages and its own garbage collections,
        longer each time, showed as the hub's p99 rising minute after minute.
        """

    def on_event(ev: Payload) -> None:
        if ev.get("type") != "message" or (ev.get("author") or {}).get("role") == "agent":
            return
        entry = sent_at.pop((ev.get("data") or {}).get("client_id", ""), None)
        if entry is not None:
            minute, started = entry
            by_minute.setdefault(minute, []).append((time.perf_counter() - started) * 1000)

    async with ctx.hub("soak", n_agents, capacity={"chat": per_agent}) as (
        server,
        site_key,
        emails,
    ):
        agents: list[AgentClient] = []
        customers: list[CustomerClient] = []
        try:
            ctx.stage("soak: agents log in", len(emails))
            agents.extend(
                await bounded(
                    ctx,
                    [AgentClient.login(server.url, e, PASSWORD, backfill=False) for e in emails],
                    limit_s=120,
                )
            )

            def taker(agent: AgentClient) -> Callable[[Payload], Awaitable[None]]:
                async def take(offer: Payload) -> None:
                    await agent.accept(offer["contact_id"])

                return take

            for agent in agents:
                agent.on("offer", taker(agent))
                agent.sio.on("event", on_event, namespace=agent.namespace)
            await bounded(ctx, [a.set_presence("available") for a in agents], limit_s=60)

            async def chatting() -> CustomerClient:
                customer = CustomerClient(server.url, site_key, reconnect=False, backfill=False)
                await customer.connect()
                customers.append(customer)
                customer.sio.on("event", echo, namespace=customer.namespace)
                ack = await customer.request_contact("chat")
                await customer.wait_for(
                    "contact.assigned", lambda p: p.get("contact_id") == ack["contact_id"], 30
                )
                return customer

            ctx.stage("soak: customers in chats", n_customers)
            await bounded(ctx, [chatting() for _ in range(n_customers)], limit_s=60 + n_customers)

            ctx.stage(f"soak: {opt.minutes:g} min at {rate}/s", max(1, math.ceil(seconds)))
            # The clients made so far live as long as the run: out of the collector's way.
            gc.collect()
            gc.freeze()
            start = time.perf_counter()

            async def sample_rss() -> None:
                while True:
                    rss.append((time.perf_counter() - start, server.rss_kb()))
                    await asyncio.sleep(RSS_EVERY_S)

            def acked(client_id: str) -> Callable[..., None]:
                def ack(*args: Any) -> None:
                    acks_pending.discard(client_id)
                    if not (args and isinstance(args[0], dict) and args[0].get("ok")):
                        errors["refused"] += 1

                return ack

            sampler = asyncio.create_task(sample_rss())
            try:
                total = max(1, int(rate * seconds))
                tick = max(1, rate)
                for k in range(total):
                    due = start + k / rate
                    delay = due - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    customer = customers[k % len(customers)]
                    client_id = f"soak-{k}"
                    minute = int((due - start) // 60)
                    sent_at[client_id] = (minute, time.perf_counter())
                    acks_pending.add(client_id)
                    try:
                        await customer.sio.emit(
                            "message.send",
                            {
                                "conversation_id": customer.conversation_id,
                                "client_id": client_id,
                                "text": TEXT,
                            },
                            namespace=customer.namespace,
                            callback=acked(client_id),
                        )
                    except Exception:  # a dead socket is the error this scenario counts
                        errors["refused"] += 1
                    if k % tick == tick - 1:
                        ctx.bar.update()
                elapsed = time.perf_counter() - start
                deadline = time.monotonic() + LATE_S
                # Handlers empty both from socket.io callbacks; poll, bounded by the deadline.
                while (sent_at or acks_pending) and time.monotonic() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                rss.append((time.perf_counter() - start, server.rss_kb()))
            finally:
                sampler.cancel()
                await asyncio.gather(sampler, return_exceptions=True)
            errors["unacknowledged"] = len(acks_pending)
            errors["undelivered"] = len(sent_at)
        finally:
            gc.unfreeze()
            await close_all([*agents, *customers])
    return {
        "customers": n_customers,
        "agents": n_agents,
        "minutes": opt.minutes,
        "rate_per_s": rate,
        "messages": total,
        "achieved_per_s": total / elapsed if elapsed else math.nan,
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "rss_kb": [{"t_s": round(t, 1), "kb": kb} for t, kb in rss],
        "rss_slope_kb_per_min": slope_per_min([(t, float(kb)) for t, kb in rss]),
        "p99_ms_per_minute": {str(m): percentile(v, 99) for m, v in sorted(by_minute.items())},
        "p50_ms_per_minute": {str(m): percentile(v, 50) for m, v in sorted(by_minute.items())},
        "p99_ms": percentile([x for v in by_minute.values() for x in v], 99),
    }
