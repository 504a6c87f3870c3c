"""A real hub for tests: its configuration, its seeded databases, and starting it on a free port."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from hub.actions import admin
from hub.actions.context import Hub
from hub.app import SHUTDOWN_TIMEOUT_S, create_app
from hub.clock import Clock, ManualClock
from hub.config import Config
from hub.edges.http import HUB_KEY
from hub.edges.serving import HubRunner

PG_ADMIN_URL = os.environ.get("HUB_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = [
    b.strip()
    for b in os.environ.get("HUB_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if b.strip()
]

AGENTS = [
    {"email": "ada@example.com", "name": "Ada", "password": "ada-password", "role": "agent"},
    {"email": "bob@example.com", "name": "Bob", "password": "bob-password", "role": "agent"},
    {"email": "sue@example.com", "name": "Sue", "password": "sue-password", "role": "supervisor"},
]

SITE_KEY = "shop"
SITE_SECRET = "s3cret-test-site-" + secrets.token_hex(8)
ALL_CHANNELS = ["chat", "callback", "video"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# PostgreSQL


def pg_dsn(url: str) -> str:
    return url.replace("postgresql://", "postgres://")


def pg_url(name: str) -> str:
    """The URL of database ``name`` on the test server."""
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


async def postgres_reachable() -> bool:
    import asyncpg

    try:
        conn = await asyncpg.connect(pg_dsn(PG_ADMIN_URL), timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


async def pg_execute(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(pg_dsn(PG_ADMIN_URL))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def require_postgres() -> None:
    """Skip without PostgreSQL, except in CI, where nothing may be skipped."""
    if not await postgres_reachable():
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and not reachable at {PG_ADMIN_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}")


REDIS_URL = os.environ.get("HUB_TEST_REDIS", "redis://127.0.0.1:6379/0")


async def redis_reachable() -> bool:
    from redis import asyncio as aioredis
    from redis.exceptions import RedisError

    client = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        return bool(await client.ping())
    except (OSError, RedisError):
        return False
    finally:
        await client.aclose()


async def require_redis() -> None:
    """Skip without Redis, except in CI, where nothing may be skipped (as for PostgreSQL)."""
    if not await redis_reachable():
        if IN_CI:
            pytest.fail(f"Redis is required in CI and not reachable at {REDIS_URL}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")


def new_database_name() -> str:
    return f"lifeline_test_{secrets.token_hex(6)}"


@contextlib.asynccontextmanager
async def fresh_pg_database(seeded_templates: dict[str, str]) -> AsyncIterator[str]:
    """A new PostgreSQL database copied from the seeded template, dropped afterwards."""
    await require_postgres()
    if "postgresql" not in seeded_templates:
        pytest.fail("the PostgreSQL template database was not created")
    name = new_database_name()
    await pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{seeded_templates["postgresql"]}"')
    try:
        yield pg_url(name)
    finally:
        await pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# seeding


async def seed(database_url: str) -> None:
    """The test site ``shop`` (every channel), a ``demo`` site and AGENTS."""
    await admin.add_site(
        database_url, SITE_KEY, SITE_SECRET, name="Test shop", settings={"channels": ALL_CHANNELS}
    )
    await admin.add_site(database_url, "demo", "demo-" + secrets.token_hex(12), name="Demo")
    await admin.add_agents(database_url, AGENTS)


# the hub


class HandClock(ManualClock):
    """The hub's :class:`~hub.clock.ManualClock`, made safe to advance at any moment.

    Advance past a deadline by a margin (2.05 s for a 2 s offer, not 1.9 + 0.1): near 1.8e9
    seconds a float is only good to about 2e-7 s, and sums of steps round.

    ``advance`` first waits for the router to be parked: one that is still in a step (an
    action woke it) would otherwise see the new time only after ``advance`` returned.
    """

    async def advance(self, seconds: float, *, settle_s: float = 10.0) -> None:
        await self.parked(settle_s=settle_s)
        await super().advance(seconds, settle_s=settle_s)

    async def idle(self, waiters: int = 2, *, settle_s: float = 10.0) -> None:
        """Return once the hub's loops on this clock (the router and the webhook outbox) are
        all parked with nothing to do: whatever a committed action woke them for is done."""
        async with asyncio.timeout(settle_s), self._parked:
            await self._parked.wait_for(
                lambda: (
                    len(self._waiters) >= waiters
                    and not any(wake.is_set() for wake in self._waiters)
                )
            )

    async def settle(self) -> None:
        """Let the router run one step and park again, without moving time.

        An action that frees an agent wakes the router rather than routing itself; after this,
        whatever that step sends (an offer, a queue position) is on its way.
        """
        await self.advance(0)


def hub_test_config(database_url: str, **overrides: Any) -> Config:
    """Short timeouts: chat and video offers last 2 s, callbacks 3 s, grace 1 s, sticky 2 s."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "offer_timeout_s": {"chat": 2.0, "video": 2.0, "callback": 3.0},
        "agent_grace_s": 1.0,
        "callback_retry_delay_s": 1.0,
        "sticky_window_s": 2.0,
        "rate_limit_per_s": 200.0,
        "rate_limit_burst": 400,
        "demo": True,
    }
    values.update(overrides)
    return Config(**values)


async def start_hub(config: Config, clock: Clock | None = None) -> tuple[web.AppRunner, str]:
    """The hub on a free loopback port; ``clock`` (default the system's) goes to create_app."""
    runner = HubRunner(create_app(config, clock=clock), shutdown_timeout=SHUTDOWN_TIMEOUT_S)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    return runner, f"http://127.0.0.1:{port}"


@dataclass
class HubServer:
    """A running hub, as the tests and the browser see it."""

    url: str
    database_url: str
    site_key: str
    site_secret: str
    app: web.Application
    agents: list[tuple[str, str]] = field(default_factory=list)

    @property
    def hub(self) -> Hub:
        return self.app[HUB_KEY]

    async def add_site(self, key: str, secret: str | None = None, **kw: Any) -> str:
        secret = secret or secrets.token_hex(20)
        await admin.add_site(self.database_url, key, secret, **kw)
        return secret

    async def customer_gone(self, customer_id: str, limit_s: float = 5.0) -> None:
        """Wait until the hub has seen the customer's last socket close.

        A client's disconnect reaches the hub a moment later, and nothing on the wire says
        when: a test that moves the clock past an abandon deadline waits for it here first.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit_s
        while customer_id in self.hub.live.customer_sids:
            if loop.time() > deadline:
                raise AssertionError(f"the hub still counts a socket of customer {customer_id}")
            await asyncio.sleep(0.01)

    async def add_agent(self, email: str, password: str = "agent-password", **kw: Any) -> str:
        kw.setdefault("name", email.split("@")[0].title())
        agent_id = await admin.add_agent(self.database_url, email=email, password=password, **kw)
        self.agents.append((email, password))
        return agent_id
