"""Fixtures: a real hub on a free port, on a fresh SQLite or PostgreSQL database."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from hub.actions import admin
from hub.actions.context import Hub
from hub.app import create_app
from hub.config import Config
from hub.edges.http import HUB_KEY

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _postgres_reachable() -> bool:
    import asyncpg

    try:
        conn = await asyncpg.connect(
            PG_ADMIN_URL.replace("postgresql://", "postgres://"), timeout=3
        )
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


def _dsn(url: str) -> str:
    return url.replace("postgresql://", "postgres://")


async def _pg_execute(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_dsn(PG_ADMIN_URL))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_url(name: str) -> str:
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


async def _require_postgres() -> None:
    if not await _postgres_reachable():
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and not reachable at {PG_ADMIN_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}")


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database on each backend: SQLite in a temp dir, PostgreSQL a new database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.db'}"
        return
    await _require_postgres()
    name = f"lifeline_test_{secrets.token_hex(6)}"
    await _pg_execute(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url(name)
    finally:
        await _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SITE_KEY = "shop"
SITE_SECRET = "s3cret-test-site-" + secrets.token_hex(8)
ALL_CHANNELS = ["chat", "callback", "video"]


async def seed(database_url: str) -> None:
    await admin.add_site(
        database_url, SITE_KEY, SITE_SECRET, name="Test shop", settings={"channels": ALL_CHANNELS}
    )
    await admin.add_site(database_url, "demo", "demo-" + secrets.token_hex(12), name="Demo")
    await admin.add_agents(database_url, AGENTS)


@pytest.fixture(scope="session")
def seeded_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Seed once per session (argon2 hashing is slow on purpose); each test copies the result."""
    import asyncio

    templates: dict[str, str] = {}
    if "sqlite" in BACKENDS:
        path = tmp_path_factory.mktemp("template") / "hub.db"
        asyncio.run(seed(f"sqlite:///{path}"))
        templates["sqlite"] = str(path)
    pg_template = f"lifeline_tpl_{os.getpid()}_{secrets.token_hex(3)}"
    if "postgresql" in BACKENDS and asyncio.run(_postgres_reachable()):
        asyncio.run(_pg_execute(f'CREATE DATABASE "{pg_template}"'))
        asyncio.run(seed(_pg_url(pg_template)))
        templates["postgresql"] = pg_template
    yield templates
    if "postgresql" in templates:
        asyncio.run(_pg_execute(f'DROP DATABASE IF EXISTS "{pg_template}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
async def seeded_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, seeded_templates: dict[str, str]
) -> AsyncIterator[str]:
    """A fresh database holding the test site ``shop``, a ``demo`` site and AGENTS."""
    if request.param == "sqlite":
        target = tmp_path / "hub.db"
        shutil.copyfile(seeded_templates["sqlite"], target)
        yield f"sqlite:///{target}"
        return
    await _require_postgres()
    if "postgresql" not in seeded_templates:
        pytest.fail("the PostgreSQL template database was not created")
    name = f"lifeline_test_{secrets.token_hex(6)}"
    await _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{seeded_templates["postgresql"]}"')
    try:
        yield _pg_url(name)
    finally:
        await _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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

    async def add_agent(self, email: str, password: str = "agent-password", **kw: Any) -> str:
        kw.setdefault("name", email.split("@")[0].title())
        agent_id = await admin.add_agent(self.database_url, email=email, password=password, **kw)
        self.agents.append((email, password))
        return agent_id


def test_config(database_url: str, **overrides: Any) -> Config:
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


async def start_hub(config: Config) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(config))
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
def hub_config() -> dict[str, Any]:
    """Override in a test module to change the hub's configuration."""
    return {}


@pytest.fixture
async def hub_server(
    seeded_database_url: str, hub_config: dict[str, Any]
) -> AsyncIterator[HubServer]:
    runner, url = await start_hub(test_config(seeded_database_url, **hub_config))
    server = HubServer(
        url=url,
        database_url=seeded_database_url,
        site_key=SITE_KEY,
        site_secret=SITE_SECRET,
        app=runner.app,
        agents=[(a["email"], a["password"]) for a in AGENTS],
    )
    try:
        yield server
    finally:
        await runner.cleanup()
