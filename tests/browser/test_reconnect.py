"""Network loss: the widget reconnects by itself and resumes from its last seq, losing and
duplicating nothing."""

from __future__ import annotations

import pytest

from tests.kit.browser import agent_login, new_page, open_shop, w

pytestmark = pytest.mark.browser


async def test_reconnect_resumes_without_loss_or_duplicates(hub_server, browser) -> None:
    hub = hub_server
    agent = await agent_login(browser, hub, 0)
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await shop.evaluate(
        """() => { window.states = [];
        new MutationObserver(() => window.states.push(
            document.querySelector('lifeline-widget').dataset.lifelineState))
          .observe(document.querySelector('lifeline-widget'), {attributes: true}); }"""
    )
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("First")
    await shop.keyboard.press("Enter")
    await agent.locator(".offer button.primary").click()
    await agent.locator(".bubble.theirs", has_text="First").wait_for()

    # Offline: Chromium drops the websocket; the hub forgets the customer's connection.
    await shop.context.set_offline(True)
    await shop.wait_for_timeout(1000)
    composer = agent.locator("#composer")
    for text in ("While you were away 1", "While you were away 2"):
        # As a person would: each reply is on screen before the next is typed.
        await composer.fill(text)
        await composer.press("Enter")
        await agent.locator(".bubble", has_text=text).wait_for()
    # The customer types during the cut too: the message waits and is sent once on reconnect.
    await w(shop, "textarea").fill("Sent during the cut")
    await shop.keyboard.press("Enter")

    await w(shop, ".head p", has_text="reconnecting").wait_for()
    await shop.context.set_offline(False)
    await agent.locator(".bubble.theirs", has_text="Sent during the cut").wait_for()
    await w(shop, ".msg.them", has_text="While you were away 2").wait_for()
    await shop.wait_for_timeout(500)
    texts = await w(shop, ".msg").all_inner_texts()
    assert texts == [
        "First",
        "While you were away 1",
        "While you were away 2",
        "Sent during the cut",
    ]
    seqs = await w(shop, ".msg[data-seq]").evaluate_all("(els) => els.map((e) => +e.dataset.seq)")
    assert seqs == sorted(set(seqs))
    assert "reconnecting" in await shop.evaluate("window.states")
    assert await agent.locator(".bubble.theirs", has_text="Sent during the cut").count() == 1
