"""A customer erased by the shop (GDPR) leaves the agent's open console at once: their words
and name are gone from the conversation on screen, without a reload."""

from __future__ import annotations

import base64

import aiohttp
import pytest

from hub.store import queries
from hub.store.db import create_oneshot_engine
from tests.kit.browser import agent_login, new_page, open_shop, w

pytestmark = pytest.mark.browser

WORDS = "My address is 12 rue des Lilas"


async def test_an_erased_customer_leaves_the_console_at_once(hub_server, browser) -> None:
    hub = hub_server
    agent = await agent_login(browser, hub, 0)
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill(WORDS)
    await shop.keyboard.press("Enter")
    await agent.locator(".offer button.primary").click()
    bubble = agent.locator(".bubble.theirs", has_text="rue des Lilas")
    await bubble.wait_for()
    customer_id = await agent.evaluate(
        "Object.values(window.lifelineConsole.state.contacts)[0].customer.id"
    )

    # The shop's backend erases the customer (the demo site's key and secret).
    engine = create_oneshot_engine(hub.database_url)
    try:
        async with engine.connect() as conn:
            site = await queries.site_by_key(conn, "demo")
    finally:
        await engine.dispose()
    assert site is not None
    basic = base64.b64encode(f"demo:{site['secret']}".encode()).decode()
    async with aiohttp.ClientSession() as http:
        async with http.delete(
            f"{hub.url}/api/v1/shop/customers/{customer_id}",
            headers={"Authorization": f"Basic {basic}"},
        ) as resp:
            assert resp.status == 204

    await agent.locator(".bubble.theirs", has_text="(erased)").wait_for()
    assert await bubble.count() == 0
    assert "rue des Lilas" not in await agent.locator("body").inner_text()
    await agent.locator(".sys", has_text="erased this customer's personal data").wait_for()
    assert agent.js_errors == []
