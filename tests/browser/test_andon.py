"""Stop the line, in the browser: the shop's page names its product (Lifeline.setContext), the
agent's wrap-up has it and raises an andon; the supervisor's banner shows it live and clears it."""

from __future__ import annotations

import pytest

from tests.kit.browser import agent_login, new_page, open_shop, shot, w

pytestmark = pytest.mark.browser

REASON = "Product question"


async def test_an_agent_stops_the_line_and_the_supervisor_clears_it(hub_server, browser) -> None:
    hub = hub_server
    sue = await agent_login(browser, hub, 2, available=False)  # the seeded supervisor
    banner = sue.locator("#andon")
    assert await banner.is_hidden()
    ada = await agent_login(browser, hub, 0)
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await shop.evaluate("Lifeline('setContext', {product: 'Lamp L-200'})")
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("My new lamp flickers")
    await shop.keyboard.press("Enter")
    await ada.locator(".offer button.primary").click()
    await ada.locator(".conv-item").wait_for()

    # The wrap-up's product is the page's; stopping the line needs a reason.
    await ada.click("#wrapup-open")
    assert await ada.input_value("#wrap-product") == "Lamp L-200"
    await ada.click("#wrap-andon")
    assert "reason" in await ada.inner_text("#wrap-error")
    await ada.select_option("#wrap-reason", REASON)
    await ada.click("#wrap-andon")
    await ada.locator("#wrap-andon-status").filter(has_text="Line stopped").wait_for()

    # The supervisor's banner, live.
    row = banner.locator("li").filter(has_text="Lamp L-200")
    await row.wait_for()
    text = await row.inner_text()
    assert REASON in text and "1 contact" in text and "raised by Ada" in text
    await shot(sue, "console-andon")

    # Ada ends the contact with the product; Sue clears the flag and the banner goes.
    await ada.click("#wrap-submit")
    await ada.locator(".conv-item").wait_for(state="detached")
    await row.locator("button[data-clear]").click()
    await banner.wait_for(state="hidden")
    flags = await sue.evaluate("Object.keys(window.lifelineConsole.state.flags)")
    assert flags == []
    assert sue.js_errors == [] and ada.js_errors == [] and shop.js_errors == []


async def test_the_banner_follows_the_snapshot_after_a_reload(hub_server, browser) -> None:
    hub = hub_server
    ada = await agent_login(browser, hub, 0)
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("The strap broke")
    await shop.keyboard.press("Enter")
    await ada.locator(".offer button.primary").click()
    await ada.click("#wrapup-open")
    await ada.fill("#wrap-product", "Watch W-9")
    await ada.select_option("#wrap-reason", REASON)
    await ada.click("#wrap-andon")
    await ada.locator("#wrap-andon-status").filter(has_text="Watch W-9").wait_for()

    # A supervisor who signs in afterwards sees the open flag from the snapshot.
    sue = await agent_login(browser, hub, 2, available=False)
    row = sue.locator("#andon li").filter(has_text="Watch W-9")
    await row.wait_for()
    await sue.reload()
    await sue.wait_for_function("window.lifelineConsole && window.lifelineConsole.connected")
    await row.wait_for()
    assert sue.js_errors == [] and ada.js_errors == []
