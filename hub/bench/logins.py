"""The logins scenario: a flood of wrong logins, and an unrelated customer's ``history`` ack."""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
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


async def flood(url: str, n: int) -> list[int]:
    """``n`` wrong logins at once, from this process: the statuses in order."""
    async with aiohttp.ClientSession() as http:
        return list(await asyncio.gather(*(_wrong_login(http, url) for _ in range(n))))


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
            # The flood comes from another process, as it would from another machine: the
            # measuring client's loop must not be the one busy sending 60 requests.
            start = time.perf_counter()
            attacker = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "hub.bench.logins",
                server.url,
                str(WRONG_LOGINS),
                stdout=asyncio.subprocess.PIPE,
            )
            answered = asyncio.ensure_future(attacker.communicate())
            while not answered.done():
                during.append(await _timed_history(customer))
            out, _ = await answered
            flood_s = time.perf_counter() - start
            statuses = json.loads(out)
            ctx.bar.update(WRONG_LOGINS)
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


if __name__ == "__main__":
    print(json.dumps(asyncio.run(flood(sys.argv[1], int(sys.argv[2])))))
