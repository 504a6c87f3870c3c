"""The routing scenario: tap → offer latency behind a backlog, and the routing engine alone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

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

UNSTAFFED_SKILL = "unstaffed"  # no bench agent has it
TAPPERS = 20  # customers who take turns tapping, so that no sample waits on its own last one


async def offer_latency(
    ctx: Context, name: str, backlogs: list[int], n_agents: int, samples: int
) -> dict[int, Payload]:
    """Tap → offer latency behind each backlog (ascending), on one hub with ``n_agents`` free.

    The backlog is chats waiting for a skill no agent has: they wait for real (their places
    and estimates are pushed to them) while every agent stays free for the samples. At each
    backlog, ``samples`` taps one after another, each timed from ``contact.request`` to the
    ``offer`` arriving at an agent, who accepts and ends it. Returns ``{backlog: figures}``.
    """
    backlogs = sorted(backlogs)
    raise_open_files(2 * (backlogs[-1] + n_agents + TAPPERS) + 256)
    out: dict[int, Payload] = {}
    async with ctx.hub(name, n_agents) as (server, site_key, emails):
        ctx.stage(f"{name}: agents log in", len(emails))
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
            ctx.stage(f"{name}: agents available", len(agents))
            await bounded(ctx, [a.set_presence("available") for a in agents], limit_s=60)

            async def waiting_customer() -> CustomerClient:
                customer = CustomerClient(server.url, site_key, reconnect=False, backfill=False)
                await customer.connect()
                customers.append(customer)
                await customer.request_contact("chat", skills=[UNSTAFFED_SKILL])
                return customer

            tappers = [
                CustomerClient(server.url, site_key, reconnect=False, backfill=False)
                for _ in range(max(1, min(TAPPERS, samples)))
            ]
            customers.extend(tappers)
            await asyncio.gather(*(t.connect() for t in tappers))
            loop = asyncio.get_running_loop()
            waiting = 0
            for backlog in backlogs:
                ctx.stage(f"{name}: backlog {backlog}", backlog - waiting)
                await bounded(
                    ctx,
                    [waiting_customer() for _ in range(backlog - waiting)],
                    limit_s=60 + backlog * 0.1,
                )
                waiting = backlog
                latencies: list[float] = []
                ctx.stage(f"{name}: tap → offer behind {backlog}", samples)
                deadline = time.monotonic() + max(60.0, samples * 0.5)
                for i in range(samples):
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
                out[backlog] = {
                    "waiting": backlog,
                    "agents": n_agents,
                    "samples": len(latencies),
                    "offer_p50_ms": percentile(latencies, 50),
                    "offer_p99_ms": percentile(latencies, 99),
                    "hub_rss_kb": server.rss_kb(),
                }
        finally:
            await close_all([*agents, *customers])
    return out


async def routing(ctx: Context) -> Payload:
    """Tap → offer latency with a backlog the agents cannot take, plus the engine alone."""
    opt = ctx.options
    ctx.notes["routing"] = (
        f"{opt.waiting} chats waiting for a skill no agent has (their places pushed to them); "
        "each sample: a customer taps chat, the offered agent accepts and ends it"
    )
    result = (await offer_latency(ctx, "routing", [opt.waiting], opt.agents, opt.samples))[
        opt.waiting
    ]
    result.pop("hub_rss_kb")
    ctx.stage("routing: engine alone", 1)
    result["engine_decisions_per_s"] = engine_decisions_per_s(ctx, opt.waiting, opt.agents)
    ctx.bar.update()
    return result


def engine_decisions_per_s(ctx: Context, waiting: int, agents: int) -> float:
    """The routing engine's own micro-benchmark, kept short in a short run."""
    from hub.bench.engine import measure_engine

    # The smoke test passes --seconds 1; a full run gives the engine 3 s.
    result = measure_engine(waiting=waiting, agents=agents, seconds=min(ctx.options.seconds, 3.0))
    return result["engine_decisions_per_s"]
