"""The fuzz's hub: one per test module, on SQLite, with every traceback it logs recorded."""

from __future__ import annotations

import logging
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, settings

from hub.actions import admin
from tests.fuzz.kit import FUZZ_AGENT, FUZZ_SITE, LOGGERS, Tracebacks
from tests.kit.hub import (
    AGENTS,
    ALL_CHANNELS,
    SITE_KEY,
    SITE_SECRET,
    HubServer,
    hub_test_config,
    seed,
    start_hub,
)

# Examples per test (one test per event and kind of payload: about 380 cases in all);
# ``pytest --fuzz-long`` draws this many times more.
EXAMPLES = 6
LONG_FACTOR = 25


def pytest_configure(config: pytest.Config) -> None:
    factor = LONG_FACTOR if config.getoption("--fuzz-long") else 1
    settings.register_profile(
        "fuzz",
        max_examples=EXAMPLES * factor,
        # The same cases on every run, so that CI is green or red for a reason; no example
        # database, so a run does not depend on what an earlier one found.
        derandomize=True,
        database=None,
        deadline=None,
        # The hub is shared by a module's examples on purpose; a huge or deep payload is slow
        # to draw on this machine.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


@pytest.fixture(scope="module")
def tracebacks() -> Iterator[Tracebacks]:
    handler = Tracebacks()
    loggers = [logging.getLogger(name) for name in LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def fuzz_hub(
    tmp_path_factory: pytest.TempPathFactory,
    seeded_templates: dict[str, str],
    tracebacks: Tracebacks,
) -> AsyncIterator[HubServer]:
    """A real hub on a copy of the seeded SQLite database, for all of a module's examples."""
    path = tmp_path_factory.mktemp("fuzz") / "hub.db"
    url = f"sqlite:///{path}"
    if "sqlite" in seeded_templates:
        shutil.copyfile(seeded_templates["sqlite"], path)
    else:
        await seed(url)
    await admin.add_site(
        url, FUZZ_SITE, "fuzz-" + secrets.token_hex(12), settings={"channels": ALL_CHANNELS}
    )
    email, password = FUZZ_AGENT
    await admin.add_agent(url, email=email, name="Fuzz", password=password, sites=[FUZZ_SITE])
    # The fuzz's shoppers leave at once: what they left waiting ends soon, not after a minute.
    runner, hub_url = await start_hub(hub_test_config(url, abandon_after_s=0.5))
    try:
        yield HubServer(
            url=hub_url,
            database_url=url,
            site_key=SITE_KEY,
            site_secret=SITE_SECRET,
            app=runner.app,
            agents=[(a["email"], a["password"]) for a in AGENTS],
        )
    finally:
        await runner.cleanup()
