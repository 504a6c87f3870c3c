"""The memory scenario: the hub's RSS per idle connected customer."""

from __future__ import annotations

import asyncio
import math

from hub.bench.common import Context, Payload, bounded, close_all
from hub.sdk import CustomerClient


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
