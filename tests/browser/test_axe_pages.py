"""axe-core on the pages the other axe tests do not reach: the demo shop (its home and cart, in
English and French) and the console's Callbacks and Team views. No critical or serious
violation on any page the product serves."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.axe import blocking, describe
from tests.kit.browser import agent_login, new_page, open_shop
from tests.kit.clients import Clients

pytestmark = pytest.mark.browser


async def assert_clean(page: Any, where: str) -> None:
    found = await blocking(page)
    assert not found, f"{where}:\n{describe(found)}"


async def test_the_demo_shop_has_no_serious_violations(hub_server: Any, browser: Any) -> None:
    for locale in ("en-GB", "fr-FR"):
        shop = await new_page(browser, locale=locale)
        await open_shop(shop, hub_server)
        await assert_clean(shop, f"the shop's home ({locale})")
        await shop.locator(".product button.add").first.click()
        await shop.locator(".cart-link").click()
        await shop.locator("#cart-lines .line").wait_for()
        await assert_clean(shop, f"the cart ({locale})")
        assert shop.js_errors == [], locale
        await shop.context.close()


async def test_the_callbacks_and_team_views_have_no_serious_violations(
    hub_server: Any, browser: Any, clients: Clients
) -> None:
    shopper = await clients.customer()
    ack = await shopper.call(
        "contact.request",
        {"channel": "callback", "phone": "+33612345678", "not_before": "2099-01-01T09:00:00Z"},
    )
    assert ack["ok"], ack
    await hub_server.add_agent("ann@example.com", "ann-password", name="Ann", role="admin")
    admin = await agent_login(browser, hub_server, len(hub_server.agents) - 1, available=False)
    await admin.get_by_role("button", name="Callbacks (1)").click()
    await admin.locator("h2", has_text="Callbacks").wait_for()
    await assert_clean(admin, "the Callbacks view")
    await admin.get_by_role("button", name="Team").click()
    await admin.locator("#team-table").wait_for()
    await assert_clean(admin, "the Team view")
