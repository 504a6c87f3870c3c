"""Browser fixtures: headless Debian Chromium driven by Playwright against the real hub.

The hub comes from ``tests/conftest.py`` (``hub_server``), on SQLite only: the browser tests
check the web clients, and the protocol tests already run on every database. The helpers the
tests use are in ``tests.kit.browser``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.kit.browser import ARGS, BROWSER_OFFER_TIMEOUTS, CHROMIUM, ShopSite
from tests.kit.hub import free_port


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        # In CI nothing may be skipped: a missing browser fails the run instead.
        raise pytest.UsageError(f"CI=true and no Chromium at {CHROMIUM}: install Debian's chromium")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(params=["sqlite"])
def seeded_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, seeded_templates: dict[str, str]
) -> str:
    """The seeded test database, on SQLite only (the protocol tests cover every backend)."""
    if "sqlite" not in seeded_templates:
        pytest.skip("browser tests run on SQLite, which HUB_TEST_BACKENDS leaves out")
    target = tmp_path / "hub.db"
    shutil.copyfile(seeded_templates["sqlite"], target)
    return f"sqlite:///{target}"


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            await b.close()


@pytest.fixture
async def shop_site(hub_server: Any) -> AsyncIterator[ShopSite]:
    from aiohttp import web

    site = ShopSite(hub_server.url)
    app = web.Application()
    app.router.add_get("/{name}", site.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    # "localhost", not "127.0.0.1": another origin than the hub's, on the same loopback.
    site.origin = f"http://localhost:{port}"
    try:
        yield site
    finally:
        await runner.cleanup()


@pytest.fixture
def hub_config() -> dict[str, Any]:
    """Offers last long enough for a browser to click them; tests of expiry shorten them."""
    return {"offer_timeout_s": BROWSER_OFFER_TIMEOUTS}
