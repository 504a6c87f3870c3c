"""Signed-in shoppers: the same history on another browser; a wrong signature is refused."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tests.kit.browser import agent_login, new_page, open_shop, w, widget_ready

pytestmark = pytest.mark.browser


async def test_signed_in_shopper_sees_history_on_a_second_browser(hub_server, browser) -> None:
    hub = hub_server
    agent = await agent_login(browser, hub, 0)

    # First browser: the demo shop's signed-in mode (its backend signs the user id).
    laptop = await new_page(browser)
    await open_shop(laptop, hub)
    await laptop.select_option("#signin", "alice")
    await laptop.locator(".hello", has_text="Alice").wait_for()
    await laptop.wait_for_function("Lifeline.version")
    await w(laptop, ".launcher").click()
    await w(laptop, "[data-action=chat]").click()
    await w(laptop, "textarea").fill("Where is my order #1042?")
    await laptop.keyboard.press("Enter")
    await agent.locator(".offer button.primary").click()
    await agent.locator(".bubble.theirs", has_text="#1042").wait_for()
    # The agent sees a verified user id and the customer's name.
    await agent.locator(".ids li", has_text="alice").locator(".ok").wait_for()
    await agent.locator(".cust-head h2", has_text="Alice Martin").wait_for()
    await agent.fill("#composer", "It ships tomorrow morning.")
    await agent.keyboard.press("Enter")
    await w(laptop, ".msg.them").wait_for()

    # Second browser (another device): anonymous at first, then signed in as the same user.
    phone = await new_page(browser, width=390, height=780)
    await open_shop(phone, hub)
    await phone.select_option("#signin", "alice")
    await w(phone, ".launcher").click()
    await w(phone, ".msg.them").wait_for()
    texts = await w(phone, ".msg").all_inner_texts()
    assert texts == ["Where is my order #1042?", "It ships tomorrow morning."]

    # Both devices are in the conversation now: a message from one reaches the other.
    await w(phone, "textarea").fill("Thanks!")
    await phone.keyboard.press("Enter")
    await w(laptop, ".msg.me", has_text="Thanks!").wait_for()
    await agent.locator(".bubble.theirs", has_text="Thanks!").wait_for()


async def test_wrong_signature_is_refused(hub_server, shop_site, browser) -> None:
    hub = hub_server
    page = await new_page(browser)
    await page.goto(shop_site.page("embed.html", key=hub.site_key))
    await widget_ready(page)
    good = hmac.new(hub.site_secret.encode(), b"mallory", hashlib.sha256).hexdigest()
    bad = hmac.new(b"not-the-secret-at-all", b"alice", hashlib.sha256).hexdigest()
    refused = await page.evaluate(
        "(h) => Lifeline.identify({userId: 'alice', userHash: h}).then(() => 'ok', (e) => e.code)",
        bad,
    )
    assert refused == "identity_invalid"
    errors = await page.evaluate("window.lifelineErrors.map((e) => e.code)")
    assert errors == ["identity_invalid"]
    # The right signature for another user is accepted and verified.
    ack = await page.evaluate(
        "(h) => Lifeline.identify({userId: 'mallory', userHash: h, name: 'Mallory'})", good
    )
    assert ack["verified"] is True
