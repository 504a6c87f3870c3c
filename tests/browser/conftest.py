"""Browser fixtures: headless Debian Chromium driven by Playwright against the real hub.

The hub comes from ``tests/conftest.py`` (``hub_server``), on SQLite only: the browser tests
check the web clients, and the protocol tests already run on every database.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("HUB_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
FIXTURES = Path(__file__).parent / "fixtures"
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
TIMEOUT_MS = 10_000


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


async def new_page(
    browser: Any, *, width: int = 1280, height: int = 800, locale: str = "en-US"
) -> Any:
    context = await browser.new_context(
        viewport={"width": width, "height": height}, locale=locale, reduced_motion="reduce"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    return page


async def open_shop(page: Any, hub: Any, site_key: str = "demo", path: str = "/demo/") -> None:
    """Open the demo shop and wait until the widget is connected and shows its button."""
    await page.goto(f"{hub.url}{path}?site_key={site_key}")
    await widget_ready(page)


async def widget_ready(page: Any) -> None:
    await page.wait_for_selector("lifeline-widget[data-lifeline-state=online]", state="attached")
    await page.locator("lifeline-widget .launcher").wait_for(state="visible")


def w(page: Any, selector: str, **kw: Any) -> Any:
    """A locator inside the widget's shadow root (Playwright's CSS pierces open shadow roots)."""
    return page.locator(f"lifeline-widget {selector}", **kw)


class ShopSite:
    """A second web server on loopback that plays the shop: its pages embed the hub's widget.

    A real server rather than page.route: Chromium lets a page reach a loopback hub only from
    a loopback page, and the page's origin must differ from the hub's to test origin checks.
    """

    def __init__(self, hub_url: str) -> None:
        self.hub_url = hub_url
        self.pages: dict[str, str] = {}
        self.origin = ""

    def page(self, name: str, **subst: str) -> str:
        """Serve fixtures/NAME with {{hub}}, {{key}}... filled in; return its URL."""
        html = (FIXTURES / name).read_text()
        values = {"hub": self.hub_url, "key": "", "widget": "", **subst}
        self.pages[name] = re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], html)
        return f"{self.origin}/{name}"

    async def handle(self, request: Any) -> Any:
        from aiohttp import web

        html = self.pages.get(request.match_info["name"])
        if html is None:
            raise web.HTTPNotFound()
        return web.Response(text=html, content_type="text/html")


@pytest.fixture
async def shop_site(hub_server: Any) -> AsyncIterator[ShopSite]:
    from aiohttp import web

    from tests.conftest import free_port

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


async def agent_login(
    browser: Any,
    hub: Any,
    index: int = 0,
    *,
    available: bool = True,
    init_script: str | None = None,
    **kw: Any,
) -> Any:
    """A console page, signed in as hub.agents[index], set available (or away)."""
    email, password = hub.agents[index]
    page = await new_page(browser, **({"width": 1400, "height": 860} | kw))
    if init_script:
        await page.add_init_script(init_script)
    await page.goto(f"{hub.url}/console/")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("#login-form button[type=submit]")
    await page.wait_for_function("window.lifelineConsole && window.lifelineConsole.connected")
    await page.select_option("#presence", "available" if available else "away")
    await page.wait_for_function(
        f"window.lifelineConsole.state.presence === {'`available`' if available else '`away`'}"
    )
    return page


async def first_offered(pages: list[Any], timeout_s: float = 5.0) -> Any:
    """The console page among PAGES that shows an offer first."""
    import asyncio

    for _ in range(int(timeout_s * 10)):
        for page in pages:
            if await page.locator(".offer").count():
                return page
        await asyncio.sleep(0.1)
    raise AssertionError("no agent was offered the contact")


async def shot(page: Any, name: str, **kw: Any) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **kw)


@pytest.fixture
def hub_config() -> dict[str, Any]:
    """Offers last long enough for a browser to click them; tests of expiry shorten them."""
    return {"offer_timeout_s": {"chat": 8.0, "video": 8.0, "callback": 10.0}}
