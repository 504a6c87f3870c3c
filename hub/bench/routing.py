"""The routing scenario: tap → offer latency behind a backlog, and the routing engine alone."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any

from hub.bench.common import PASSWORD, Context, Payload, bounded, close_all, percentile
from hub.sdk import AgentClient, CustomerClient

UNSTAFFED_SKILL = "unstaffed"  # no bench agent has it


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
