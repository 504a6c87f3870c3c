"""The shopper's presence in the console: "● here" while the shop is open, "left" once closed."""

from __future__ import annotations

import pytest

from tests.kit.browser import agent_login, new_page, open_shop, w

pytestmark = pytest.mark.browser


async def test_the_agent_sees_the_shopper_here_then_gone(hub_server, browser) -> None:
    hub = hub_server
    agent = await agent_login(browser, hub, 0)
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("Is the lamp in stock?")
    await shop.keyboard.press("Enter")
    await agent.locator(".offer button.primary").click()
    here = agent.locator("#customer-here")
    await agent.locator("#customer-here.on", has_text="here").wait_for()

    # The shopper closes the shop's tab: the panel says they left.
    await shop.close()
    await agent.locator("#customer-here.off", has_text="left").wait_for()
    assert "Left at" in (await here.get_attribute("title") or "")
