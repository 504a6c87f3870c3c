"""An anonymous shopper chats with an agent in the console; history survives a reload."""

from __future__ import annotations

import pytest

from hub.actions import admin
from tests.kit.browser import agent_login, new_page, open_shop, shot, w

pytestmark = pytest.mark.browser


async def test_anonymous_chat_reload_and_console_snapshot(hub_server, browser) -> None:
    hub = hub_server
    # The demo shop is the hub's second site: the console must show its lists, not the first's.
    await admin.update_site(
        hub.database_url,
        "demo",
        settings={
            "canned_responses": [{"title": "Sizing", "text": "Our sneakers run true to size."}],
            "contact_reasons": ["Sizing question", "Other"],
        },
    )
    agent = await agent_login(browser, hub, 0)
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await shot(shop, "widget-closed")

    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").wait_for()
    await shot(shop, "widget-open")
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("Hello! Do the Coastline sneakers run small?")
    await shop.keyboard.press("Enter")
    await w(shop, ".msg.me:not(.pending)").wait_for()
    status = w(shop, ".status")
    await status.wait_for()
    assert "line" in await status.inner_text()
    await shot(shop, "widget-waiting")

    # The agent gets an offer with a countdown, accepts it and answers.
    offer = agent.locator(".offer")
    await offer.wait_for()
    assert "chat" in (await offer.inner_text()).lower()
    await shot(agent, "console-offer")
    await agent.locator(".offer button.primary").click()
    await agent.locator(".bubble.theirs", has_text="Coastline sneakers").wait_for()
    canned = await agent.locator("select.canned option").all_inner_texts()
    assert canned == ["Canned responses…", "Sizing"]
    await agent.select_option("select.canned", "0")
    assert "true to size" in await agent.input_value("#composer")
    await agent.fill("#composer", "Hi! They run true to size; take your usual one.")
    await agent.keyboard.press("Enter")

    await w(shop, ".msg.them").wait_for()
    assert "true to size" in await w(shop, ".msg.them").inner_text()
    assert "joined" in await w(shop, ".sys").first.inner_text()
    assert await w(shop, ".head h2").inner_text() == "Ada"

    # Typing is shown to the customer while the agent types.
    await agent.type("#composer", "Anything else")
    await w(shop, ".typing").wait_for()
    assert "Ada" in await w(shop, ".typing").inner_text()
    await agent.keyboard.press("Enter")
    await w(shop, ".msg.them >> nth=1").wait_for()

    # A private note stays with the agents.
    await agent.keyboard.press("Alt+n")
    await agent.fill("#composer", "VIP shopper: offer free returns")
    await agent.keyboard.press("Enter")
    await agent.locator(".bubble.note:not(.pending)").wait_for()
    await agent.keyboard.press("Alt+n")

    await w(shop, "textarea").fill("Great, thanks!")
    await shop.keyboard.press("Enter")
    await agent.locator(".bubble.theirs", has_text="Great, thanks").wait_for()
    await shop.wait_for_timeout(300)
    await shot(shop, "widget-chatting")
    await shot(agent, "console")

    # Snapshot plus the events since equals a fresh snapshot.
    cmp = await agent.evaluate("window.lifelineConsole.compareWithFresh()")
    assert cmp["live"] == cmp["fresh"]
    assert cmp["live"]["contacts"][0]["seqs"]

    # Reload: the visitor token in localStorage brings the whole history back, notes excluded.
    await shop.reload()
    await open_shop_after_reload(shop)
    await w(shop, ".launcher").click()
    await w(shop, ".msg.them >> nth=1").wait_for()
    texts = await w(shop, ".msg").all_inner_texts()
    assert texts == [
        "Hello! Do the Coastline sneakers run small?",
        "Hi! They run true to size; take your usual one.",
        "Anything else",
        "Great, thanks!",
    ]
    assert "VIP" not in await w(shop, ".log").inner_text()

    # Wrap-up with a reason and resolved; the customer is told the conversation ended.
    await agent.keyboard.press("Alt+e")
    reasons = await agent.locator("#wrap-reason option").all_inner_texts()
    assert reasons[1:] == ["Sizing question", "Other"]
    await agent.select_option("#wrap-reason", "Sizing question")
    await agent.check("#wrap-yes")
    await agent.click("#wrap-submit")
    await (
        w(
            shop,
            ".sys",
        )
        .filter(has_text="ended")
        .wait_for()
    )
    await agent.locator(".conv-item").wait_for(state="detached")
    assert shop.js_errors == [] and agent.js_errors == []


async def open_shop_after_reload(page) -> None:
    await page.wait_for_selector("lifeline-widget[data-lifeline-state=online]", state="attached")
    await page.locator("lifeline-widget .launcher").wait_for(state="visible")


async def test_unread_badge_and_api_events(hub_server, browser) -> None:
    hub = hub_server
    agent = await agent_login(browser, hub, 0)
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await shop.evaluate(
        """() => { window.seen = [];
        for (const n of ['open','close','message','assigned','ended'])
          Lifeline.on(n, (p) => window.seen.push(n)); }"""
    )
    await shop.evaluate("Lifeline.open()")
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("Is the lamp dimmable?")
    await shop.keyboard.press("Enter")
    await agent.locator(".offer button.primary").click()
    await w(shop, ".head h2").filter(has_text="Ada").wait_for()
    await shop.evaluate("Lifeline.close()")
    await agent.fill("#composer", "Yes, fully dimmable.")
    await agent.keyboard.press("Enter")
    badge = w(shop, ".badge")
    await badge.wait_for()
    assert await badge.inner_text() == "1"
    assert "unread" in (await w(shop, ".launcher").get_attribute("aria-label"))
    await w(shop, ".launcher").click()
    await badge.wait_for(state="hidden")
    seen = await shop.evaluate("window.seen")
    for name in ("open", "assigned", "close", "message"):
        assert name in seen


async def test_the_composer_keeps_focus_when_a_message_arrives(hub_server, browser) -> None:
    """An agent typing a reply while the customer writes again must not lose the keystrokes:
    every event redraws the console, and the composer must stay focused through it."""
    agent = await agent_login(browser, hub_server, 0)
    shop = await new_page(browser)
    await open_shop(shop, hub_server)
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("Is the lamp in stock?")
    await shop.keyboard.press("Enter")
    await agent.locator(".offer button.primary").click()
    await agent.locator(".bubble.theirs", has_text="in stock").wait_for()

    await agent.locator("#composer").click()
    await agent.keyboard.type("Let me ")
    # The customer's next message arrives and redraws the conversation mid-reply.
    await w(shop, "textarea").fill("And in blue?")
    await shop.keyboard.press("Enter")
    await agent.locator(".bubble.theirs", has_text="in blue").wait_for()
    assert await agent.evaluate("document.activeElement.id") == "composer"
    await agent.keyboard.type("check both.")
    await agent.keyboard.press("Enter")
    await agent.locator(".bubble", has_text="Let me check both.").wait_for()
    await w(shop, ".msg.them", has_text="Let me check both.").wait_for()
