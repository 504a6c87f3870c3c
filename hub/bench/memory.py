"""The memory scenario: the hub's RSS per idle connected customer."""

from __future__ import annotations

import asyncio
import math

from hub.bench.common import Context, Payload, bounded, close_all, raise_open_files
from hub.sdk import CustomerClient

SOCKETS_PER_CUSTOMER = 2  # a customer's socket at each end, both in this machine's limits
SPARE_FILES = 256  # the database, logs, the agents and whatever else the processes hold


async def idle_memory(ctx: Context, name: str, counts: list[int]) -> dict[int, Payload]:
    """RSS of one hub as idle customers connect, measured at each count (ascending).

    One hub, customers added in steps: at each count, the RSS after settling minus the RSS with
    one warm customer, divided by the count. Returns ``{count: figures}``.
    """
    counts = sorted(counts)
    raise_open_files(SOCKETS_PER_CUSTOMER * counts[-1] + SPARE_FILES)
    out: dict[int, Payload] = {}
    async with ctx.hub(name, 0) as (server, site_key, _):
        customers: list[CustomerClient] = []
        try:
            # One customer first so that lazily created structures are not counted per customer.
            warm = CustomerClient(server.url, site_key, reconnect=False, backfill=False)
            await warm.connect()
            customers.append(warm)
            await asyncio.sleep(1.0)
            before = server.rss_kb()

            async def idle() -> CustomerClient:
                customer = CustomerClient(server.url, site_key, reconnect=False, backfill=False)
                await customer.connect()
                customers.append(customer)
                return customer

            connected = 0
            for n in counts:
                ctx.stage(f"{name}: {n} idle customers", n - connected)
                await bounded(ctx, [idle() for _ in range(n - connected)], limit_s=60 + n * 0.1)
                connected = n
                await asyncio.sleep(2.0)  # let the hub settle (buffers, GC) before measuring
                after = server.rss_kb()
                out[n] = {
                    "customers": n,
                    "rss_before_kb": before,
                    "rss_after_kb": after,
                    "kb_per_idle_customer": (after - before) / n if n else math.nan,
                }
        finally:
            await close_all(customers)
    return out


async def memory(ctx: Context) -> Payload:
    """Server RSS per idle connected customer (websocket, session received, then settled)."""
    n = ctx.options.customers
    ctx.notes["memory"] = f"RSS (VmRSS) of the hub process before and after {n} idle customers"
    return (await idle_memory(ctx, "memory", [n]))[n]
