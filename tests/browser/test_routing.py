"""Offers in the console: an unanswered offer moves to the next agent; supervisors watch live."""

from __future__ import annotations

import pytest

from tests.kit.browser import agent_login, first_offered, new_page, open_shop, shot, w

pytestmark = pytest.mark.browser


@pytest.fixture
def hub_config() -> dict:
    return {"offer_timeout_s": {"chat": 2.0, "video": 2.0, "callback": 3.0}}


async def test_unanswered_offer_moves_to_second_agent(hub_server, browser) -> None:
    hub = hub_server
    ada = await agent_login(browser, hub, 0)
    bob = await agent_login(browser, hub, 1)
    sue = await agent_login(browser, hub, 2, available=False)  # supervisor, watching
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("Can I change my delivery address?")
    await shop.keyboard.press("Enter")

    # One of the two is offered the chat first (longest idle) and lets it expire.
    first = await first_offered([ada, bob])
    second = bob if first is ada else ada
    assert await first.locator(".offer .secs").inner_text() in ("1s", "2s")

    # The supervisor sees it waiting, and both agents' state.
    await sue.click("nav.tabs >> text=Live queue")
    await sue.locator("[data-channel=chat] .stat-n", has_text="1").wait_for()
    await sue.locator("tr[data-agent]").nth(1).wait_for()
    await shot(sue, "console-supervisor")

    await first.locator(".offer").wait_for(state="detached", timeout=5000)
    await second.locator(".offer").wait_for(timeout=5000)
    await second.keyboard.press("Alt+a")
    await second.locator(".bubble.theirs", has_text="delivery address").wait_for()
    name = "Ada" if second is ada else "Bob"
    await w(shop, ".head h2", has_text=name).wait_for()
    await sue.locator("[data-channel=chat] .stat-n", has_text="0").wait_for()

    # Every console's state, built from its snapshot and the events since, matches a fresh one.
    for page in (ada, bob, sue):
        cmp = await page.evaluate("window.lifelineConsole.compareWithFresh()")
        assert cmp["live"] == cmp["fresh"]


async def test_decline_with_keyboard_moves_offer_on(hub_server, browser) -> None:
    hub = hub_server
    ada = await agent_login(browser, hub, 0)
    bob = await agent_login(browser, hub, 1)
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("Hello?")
    await shop.keyboard.press("Enter")
    first = await first_offered([ada, bob])
    second = bob if first is ada else ada
    await first.keyboard.press("Alt+d")
    await first.locator(".offer").wait_for(state="detached")
    await second.locator(".offer").wait_for(timeout=5000)
    await second.keyboard.press("Alt+a")
    await w(shop, ".head h2", has_text="Ada" if second is ada else "Bob").wait_for()
