"""What Chromium makes of the hub's web files (hub/edges/assets.py): they arrive compressed,
the console's hashed files are kept and not asked for again, and the embed URL /widget.js is
revalidated with a bodiless 304."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.browser import new_page, open_shop

pytestmark = pytest.mark.browser

ENTRIES = """() => performance.getEntriesByType("resource").map((e) => ({
  name: new URL(e.name).pathname, transfer: e.transferSize,
  encoded: e.encodedBodySize, decoded: e.decodedBodySize }))"""


async def loaded(page: Any) -> dict[str, dict[str, int]]:
    return {e["name"]: e for e in await page.evaluate(ENTRIES)}


async def test_the_browser_gets_compressed_files_and_keeps_the_versioned_ones(
    hub_server, browser
) -> None:
    page = await new_page(browser)
    await page.goto(f"{hub_server.url}/console/")
    await page.locator("#login-form").wait_for()
    first = await loaded(page)
    for name in ("/console/console.js", "/console/console.css"):
        entry = first[name]
        # Over the wire compressed (a quarter of the script), decoded by the browser.
        assert 0 < entry["encoded"] < entry["decoded"] / 2, (name, entry)
        assert entry["transfer"] > entry["encoded"], (name, entry)

    # The next visit takes the hashed script and styles from the cache without asking.
    await page.goto(f"{hub_server.url}/console/")
    await page.locator("#login-form").wait_for()
    again = await loaded(page)
    for name in ("/console/console.js", "/console/console.css"):
        assert again[name]["transfer"] == 0, (name, again[name])

    shop = await new_page(browser)
    await open_shop(shop, hub_server)
    widget = (await loaded(shop))["/widget.js"]
    assert 0 < widget["encoded"] < widget["decoded"] / 2, widget
    # The embed URL is asked again each visit: headers only while it has not changed.
    await open_shop(shop, hub_server)
    revalidated = (await loaded(shop))["/widget.js"]
    assert 0 < revalidated["transfer"] < 1000 < widget["transfer"], (widget, revalidated)
    assert page.js_errors == [] and shop.js_errors == []
