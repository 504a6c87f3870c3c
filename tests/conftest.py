"""Fixtures: a real hub on a free port, on a fresh SQLite or PostgreSQL database.

The helpers they use, and that the tests use, are in ``tests.kit``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.sdk import AgentClient, CustomerClient
from tests.kit.clients import Clients
from tests.kit.hub import (
    AGENTS,
    BACKENDS,
    SITE_KEY,
    SITE_SECRET,
    HandClock,
    HubServer,
    fresh_pg_database,
    hub_test_config,
    new_database_name,
    pg_execute,
    pg_url,
    postgres_reachable,
    require_postgres,
    seed,
    start_hub,
)
from tests.kit.video import Video


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        help="tests/fuzz: draw many times more payloads per event (minutes, not seconds)",
    )


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database on each backend: SQLite in a temp dir, PostgreSQL a new database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.db'}"
        return
    await require_postgres()
    name = new_database_name()
    await pg_execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url(name)
    finally:
        await pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def seeded_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Seed once per session (argon2 hashing is slow on purpose); each test copies the result."""
    import asyncio
    import secrets

    templates: dict[str, str] = {}
    if "sqlite" in BACKENDS:
        path = tmp_path_factory.mktemp("template") / "hub.db"
        asyncio.run(seed(f"sqlite:///{path}"))
        templates["sqlite"] = str(path)
    pg_template = f"lifeline_tpl_{os.getpid()}_{secrets.token_hex(3)}"
    if "postgresql" in BACKENDS and asyncio.run(postgres_reachable()):
        asyncio.run(pg_execute(f'CREATE DATABASE "{pg_template}"'))
        asyncio.run(seed(pg_url(pg_template)))
        templates["postgresql"] = pg_template
    yield templates
    if "postgresql" in templates:
        asyncio.run(pg_execute(f'DROP DATABASE IF EXISTS "{pg_template}" WITH (FORCE)'))


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
    async with fresh_pg_database(seeded_templates) as url:
        yield url


@pytest.fixture
def hub_config() -> dict[str, Any]:
    """Override in a test module to change the hub's configuration."""
    return {}


@pytest.fixture
def manual_clock() -> HandClock:
    """Ask for this and the in-process hub runs on it: ``await manual_clock.advance(s)``."""
    return HandClock()


@pytest.fixture
def hub_clock(request: pytest.FixtureRequest) -> HandClock | None:
    """The clock ``hub_server`` runs on: ``manual_clock`` when the test uses it, else the
    system's (None). A module puts every test on manual time with
    ``pytestmark = pytest.mark.usefixtures("manual_clock")``."""
    if "manual_clock" in request.fixturenames:
        clock: HandClock = request.getfixturevalue("manual_clock")
        return clock
    return None


@pytest.fixture
async def hub_server(
    seeded_database_url: str, hub_config: dict[str, Any], hub_clock: HandClock | None
) -> AsyncIterator[HubServer]:
    runner, url = await start_hub(hub_test_config(seeded_database_url, **hub_config), hub_clock)
    server = HubServer(
        url=url,
        database_url=seeded_database_url,
        site_key=SITE_KEY,
        site_secret=SITE_SECRET,
        app=runner.app,
        agents=[(a["email"], a["password"]) for a in AGENTS],
    )
    try:
        if hub_clock is not None:
            # The router is started and idle: from here on, advance() settles what it wakes.
            await hub_clock.parked()
        yield server
    finally:
        await runner.cleanup()


@pytest.fixture
async def clients(hub_server: HubServer) -> AsyncIterator[Clients]:
    """Every client a test opens on ``hub_server``, closed at teardown."""
    async with Clients(hub_server) as c:
        yield c


@pytest.fixture
async def video(hub_server: HubServer) -> AsyncIterator[Video]:
    """A customer connected to ``hub_server`` and May (away), who may take their video call."""
    await hub_server.add_agent("may@example.com", "may-password", name="May")
    agent = await AgentClient.login(hub_server.url, "may@example.com", "may-password")
    customer = CustomerClient(hub_server.url, hub_server.site_key)
    try:
        await customer.connect()
        yield Video(agent, customer)
    finally:
        await customer.close()
        await agent.close()
