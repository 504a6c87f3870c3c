"""The logins scenario: a flood of wrong logins, and an unrelated customer's ``history`` ack."""

from __future__ import annotations

import asyncio
import secrets
import time

import aiohttp

from hub.bench.common import Context, Payload, percentile
from hub.sdk import CustomerClient

WRONG_LOGINS = 60  # at once, as in issue 12: they froze every chat for 6–7 s
QUIET_SAMPLES = 50


async def _wrong_login(http: aiohttp.ClientSession, url: str) -> int:
    email = f"nobody-{secrets.token_hex(4)}@bench.example"
    async with http.post(
        f"{url}/api/v1/auth/login", json={"email": email, "password": "not-the-password"}
    ) as r:
        await r.read()
        return r.status


async def _timed_history(customer: CustomerClient) -> float:
    start = time.perf_counter()
    await customer.history()
    return (time.perf_counter() - start) * 1000


async def logins(ctx: Context) -> Payload:
    """``history`` ack latency of a customer in a chat, quiet, then while 60 logins fail.

    The logins are for unknown emails (each still checked against a dummy hash) from one
    address, all sent at once; the customer asks for its history one request after another
    until the last login is answered.
    """
    async with ctx.hub("logins", 0) as (server, site_key, _):
        customer = CustomerClient(server.url, site_key, reconnect=False, backfill=False)
        await customer.connect()
        try:
            await customer.request_contact("chat", text="Hello, is anyone there?")
            ctx.stage("logins: quiet", QUIET_SAMPLES)
            quiet = []
            for _ in range(QUIET_SAMPLES):
                quiet.append(await _timed_history(customer))
                ctx.bar.update()
            ctx.stage("logins: 60 wrong logins at once", WRONG_LOGINS)
            during: list[float] = []
            async with aiohttp.ClientSession() as http:
                start = time.perf_counter()
                flood = [
                    asyncio.ensure_future(_wrong_login(http, server.url))
                    for _ in range(WRONG_LOGINS)
                ]
                for task in flood:
                    task.add_done_callback(lambda _t: ctx.bar.update())
                while not all(t.done() for t in flood):
                    during.append(await _timed_history(customer))
                statuses = await asyncio.gather(*flood)
                flood_s = time.perf_counter() - start
        finally:
            await customer.close()
    return {
        "quiet_history_p50_ms": percentile(quiet, 50),
        "flood_history_p50_ms": percentile(during, 50),
        "flood_history_p99_ms": percentile(during, 99),
        "flood_history_max_ms": max(during, default=float("nan")),
        "flood_samples": len(during),
        "flood_history_ms": [round(ms, 1) for ms in during],
        "flood_s": flood_s,
        "logins_401": statuses.count(401),
        "logins_429": statuses.count(429),
    }
