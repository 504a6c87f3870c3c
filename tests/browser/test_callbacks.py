"""Call me back: the request reaches the console, its outcome reaches the widget; and with no
agent online the customer is told at once and offered a callback."""

from __future__ import annotations

import pytest

from tests.kit.browser import agent_login, new_page, open_shop, shot, w

pytestmark = pytest.mark.browser


async def test_callback_request_reaches_console_and_outcome_reaches_widget(
    hub_server, browser
) -> None:
    hub = hub_server
    # Away at first: the callback waits in the console's callbacks list.
    agent = await agent_login(browser, hub, 0, available=False)
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=callback]").click()

    # A national French number, for a shopper in the US, is no number the hub can call.
    await w(shop, "#ll-phone").fill("06 12 34 56 78")
    await w(shop, ".form button[type=submit]").click()
    # Said when the hub's answer comes back: it reads the number, not the widget alone.
    await w(shop, "#ll-phone-err").filter(has_text="country code").wait_for()
    assert await w(shop, "#ll-phone").get_attribute("aria-invalid") == "true"

    await w(shop, "#ll-phone").fill("+33 6 12 34 56 78")
    await w(shop, "input[value=later]").check()
    slot = w(shop, "#ll-slot")
    await slot.wait_for()
    assert await slot.locator("option").count() > 0
    await w(shop, "input[value=asap]").check()
    await w(shop, ".form button[type=submit]").click()
    # Shown as the hub formats it for this (American) shopper: a French number, internationally.
    status = w(shop, "[data-view=callback] .notice").filter(has_text="+33 6 12 34 56 78")
    await status.wait_for()
    assert "as soon as possible" in await status.inner_text()
    await shot(shop, "widget-callback")

    await agent.click("nav.tabs >> text=Callbacks")
    await agent.locator("a[href='tel:+33612345678']").wait_for()

    # Available: the callback is offered; the agent dials and records "no answer", then "reached".
    await agent.select_option("#presence", "available")
    await agent.locator(".offer.callback button.primary").click()
    call = agent.locator(".conv-head a[href='tel:+33612345678']")
    await call.wait_for()
    await shot(agent, "console-callback")
    await agent.click("[data-outcome=no_answer]")
    retry = w(shop, "[data-view=callback] .notice").filter(has_text="attempt 1")
    await retry.wait_for()

    # The retry comes back after the configured delay (1 s in tests) and is offered again.
    await agent.locator(".offer.callback button.primary").click(timeout=15_000)
    await agent.locator("[data-outcome=reached]").click()
    await w(shop, "[data-view=callback] .notice.ok").filter(has_text="Call completed").wait_for()
    # The handled callback asks its survey under its status, in the view the shopper is on.
    await w(shop, "[data-view=callback] [data-survey] legend").first.wait_for()
    assert await w(shop, "[data-view=callback] .notice.ok").is_visible()
    assert shop.js_errors == [] and agent.js_errors == []


async def test_no_agent_online_offers_a_callback(hub_server, browser) -> None:
    hub = hub_server
    shop = await new_page(browser, locale="fr-FR")
    await open_shop(shop, hub)
    await w(shop, ".launcher").click()
    # Said at once, in the browser's language, before the customer types anything.
    notice = w(shop, ".home .notice").first
    await notice.wait_for()
    assert "rappeler" in await notice.inner_text()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("Bonjour, vous êtes là ?")
    await shop.keyboard.press("Enter")
    alert = w(shop, ".sys.alert")
    await alert.wait_for()
    assert "Personne n'est disponible" in await alert.inner_text()
    await alert.locator("button").click()
    await w(shop, "#ll-phone").wait_for()
    assert await w(shop, "#ll-phone").evaluate("(el) => el.getRootNode().activeElement === el")
