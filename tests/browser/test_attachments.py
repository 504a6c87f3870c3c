"""Attachments in the browser: a shopper on a shop's own origin attaches a PNG in the widget
(an upload across origins, preflight and all); the agent sees its thumbnail in the console and
opens it; the agent sends a PDF and the widget shows a link to download it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.kit.browser import agent_login, new_page, shot, w, widget_ready
from tests.kit.files import PDF, png
from tests.kit.hub import HandClock

pytestmark = pytest.mark.browser


@pytest.fixture
def hub_config(tmp_path: Any) -> dict[str, Any]:
    from tests.kit.browser import BROWSER_OFFER_TIMEOUTS

    return {"offer_timeout_s": BROWSER_OFFER_TIMEOUTS, "files_dir": str(tmp_path / "attached")}


async def test_a_shopper_sends_a_photo_and_the_agent_a_pdf(
    hub_server: Any, browser: Any, shop_site: Any, tmp_path: Any, manual_clock: HandClock
) -> None:
    await hub_server.add_site("boutique", origins=[shop_site.origin])
    agent = await agent_login(browser, hub_server, 0)
    shop = await new_page(browser)
    await shop.goto(shop_site.page("embed.html", key="boutique"))
    await widget_ready(shop)
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("My lamp arrived broken, here is a photo")
    await shop.keyboard.press("Enter")
    await agent.locator(".offer button.primary").click()
    await agent.locator(".bubble.theirs", has_text="lamp arrived broken").wait_for()

    # The shopper attaches a PNG named like a JPEG: the hub goes by its bytes.
    photo = tmp_path / "broken lamp.jpg"
    photo.write_bytes(png(120, 90))
    await w(shop, "input[type=file]").set_input_files(str(photo))
    mine = w(shop, "a.att-image.me img")
    await mine.wait_for()
    assert await mine.get_attribute("alt") == "broken lamp.png"
    await shop.wait_for_function(
        """() => { const img = document.querySelector("lifeline-widget").shadowRoot
                     .querySelector("a.att-image img");
                   return img && img.complete && img.naturalWidth === 120; }"""
    )

    # The agent sees the thumbnail, loaded, and opens the photo in a tab of its own.
    thumb = agent.locator("a.att-image.theirs img")
    await thumb.wait_for()
    await agent.wait_for_function(
        """() => { const img = document.querySelector("a.att-image img");
                   return img && img.complete && img.naturalWidth === 120; }"""
    )
    box = await thumb.bounding_box()
    assert box is not None and box["width"] <= 240 and box["height"] <= 180
    await agent.wait_for_timeout(200)
    await shot(agent, "console-attachment")
    # Six minutes later the thumbnail's link has expired: the click asks for a fresh one.
    await manual_clock.advance(360)
    async with agent.context.expect_page() as opened:
        await thumb.click()
    photo_tab = await opened.value
    await photo_tab.wait_for_url("**/files/**")
    await photo_tab.wait_for_load_state()
    assert await photo_tab.evaluate("document.images.length") == 1
    await photo_tab.close()

    # The agent sends a PDF (through the console's own file input) and the widget links it.
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(PDF)
    await agent.locator("#attach-input").set_input_files(str(invoice))
    link = w(shop, "a.att-file.them")
    await link.wait_for()
    assert "invoice.pdf" in await link.inner_text()
    href = await link.get_attribute("href")
    assert href is not None and href.startswith(hub_server.url + "/files/")
    async with aiohttp.ClientSession() as http:
        async with http.get(href) as r:
            assert r.status == 200 and await r.read() == PDF
            assert r.headers["Content-Disposition"].startswith("attachment;")
    await agent.locator("a.att-file.mine", has_text="invoice.pdf").wait_for()
    # Clicked six minutes later, the widget's link is asked afresh and the PDF downloads.
    await manual_clock.advance(360)
    async with shop.expect_download() as downloading:
        await link.click()
    download = await downloading.value
    saved = Path(await download.path())
    assert await asyncio.to_thread(saved.read_bytes) == PDF

    # A file of another type is refused in the widget, and said to be.
    page = tmp_path / "page.png"
    page.write_bytes(b"<html><script>alert(1)</script></html>")
    await w(shop, "input[type=file]").set_input_files(str(page))
    failed = w(shop, ".msg.pending.failed")
    await failed.wait_for()
    assert "Only photos (JPEG, PNG, WebP, GIF) and PDFs" in await failed.inner_text()
    assert await w(shop, "a.att-image").count() == 1
