"""The scale scenario: how cost grows with work, as curves (DESIGN §12: flat is the goal)."""

from __future__ import annotations

from hub.bench.common import Context, Payload
from hub.bench.memory import idle_memory
from hub.bench.routing import engine_decisions_per_s, offer_latency


async def scale(ctx: Context) -> Payload:
    """Memory per idle customer, tap → offer p99 behind a backlog, and the engine, at sizes.

    Each curve is ``{size: figure}`` with the size as a string (JSON keys are strings), plus the
    hub's own RSS at each point of the two hub curves, so a limit of the load generator (every
    client in this one process) can be told apart from the hub's cost.
    """
    opt = ctx.options
    ctx.notes["scale"] = (
        f"idle customers {'/'.join(map(str, opt.scale_customers))} on one hub; "
        f"tap → offer behind {'/'.join(map(str, opt.scale_waiting))} waiting, {opt.agents} "
        f"agents, {opt.samples} taps each; engine alone with "
        f"{'/'.join(map(str, opt.scale_engine))} contacts"
    )
    memory = await idle_memory(ctx, "scale-memory", list(opt.scale_customers))
    offers = await offer_latency(
        ctx, "scale-routing", list(opt.scale_waiting), opt.agents, opt.samples
    )
    ctx.stage("scale: engine alone", len(opt.scale_engine))
    engine: dict[str, float] = {}
    for n in opt.scale_engine:
        engine[str(n)] = engine_decisions_per_s(ctx, n, opt.agents)
        ctx.bar.update()
    return {
        "memory_kb_per_customer": {str(n): m["kb_per_idle_customer"] for n, m in memory.items()},
        "memory_hub_rss_kb": {str(n): m["rss_after_kb"] for n, m in memory.items()},
        "offer_p99_ms": {str(n): o["offer_p99_ms"] for n, o in offers.items()},
        "offer_p50_ms": {str(n): o["offer_p50_ms"] for n, o in offers.items()},
        "offer_hub_rss_kb": {str(n): o["hub_rss_kb"] for n, o in offers.items()},
        "engine_decisions_per_s": engine,
        "agents": opt.agents,
        "samples": opt.samples,
    }
