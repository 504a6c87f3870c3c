"""Transfer and watch in the browser: Ada transfers a chat to Bob with a note, Bob accepts, the
shopper's widget shows Bob; Sue, a supervisor, watches the conversation live and read-only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.browser import BROWSER_OFFER_TIMEOUTS, agent_login, new_page, open_shop, shot, w

pytestmark = pytest.mark.browser


@pytest.fixture
def hub_config() -> dict[str, Any]:
    return {"offer_timeout_s": BROWSER_OFFER_TIMEOUTS}


async def test_ada_transfers_to_bob_and_a_supervisor_watches(hub_server: Any, browser: Any) -> None:
    hub = hub_server
    ada = await agent_login(browser, hub, 0)
    bob = await agent_login(browser, hub, 1, available=False)
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("My parcel never arrived")
    await shop.keyboard.press("Enter")

    await ada.locator(".offer button.primary").click()
    await ada.locator(".bubble.theirs", has_text="parcel never arrived").wait_for()
    await w(shop, ".head h2", has_text="Ada").wait_for()
    await bob.select_option("#presence", "available")
    await bob.wait_for_function("window.lifelineConsole.state.presence === 'available'")

    # Ada opens Transfer in the conversation head, picks Bob and leaves him a note.
    await ada.locator("#transfer-open").click()
    await ada.locator("#transfer-agent option", has_text="Bob (available)").wait_for(
        state="attached"
    )
    await ada.select_option("#transfer-agent", label="Bob (available)")
    await ada.fill("#transfer-note", "Parcel 42: the carrier lost it in Lyon")
    await shot(ada, "console-transfer")
    await ada.locator("#transfer-submit").click()
    await ada.locator(".toast", has_text="Transferred to Bob").wait_for()
    await ada.locator(".conv-item").wait_for(state="detached")

    # Bob is offered it, accepts, and reads the whole conversation with Ada's private note.
    await bob.locator(".offer button.primary").click()
    await bob.locator(".bubble.theirs", has_text="parcel never arrived").wait_for()
    await bob.locator(".bubble.note", has_text="carrier lost it in Lyon").wait_for()
    await bob.locator(".sys", has_text="Ada transferred to Bob").wait_for()
    # The shopper sees who took over.
    await w(shop, ".head h2", has_text="Bob").wait_for()
    assert "Bob" in await w(shop, ".sys").last.inner_text()
    assert await w(shop, ".msg", has_text="carrier lost it").count() == 0

    # Sue watches from the live queue: the conversation opens read-only, and stays live.
    sue = await agent_login(browser, hub, 2, available=False)
    await sue.get_by_role("button", name="Live queue").click()
    await sue.locator("#live-contacts [data-watch]").click()
    await sue.locator("#watching").wait_for()
    await sue.locator(".bubble.theirs", has_text="parcel never arrived").wait_for()
    assert await sue.locator("#composer").is_hidden()
    assert await sue.locator("#wrapup-open").count() == 0
    await w(shop, "textarea").fill("Any news?")
    await shop.keyboard.press("Enter")
    await sue.locator(".bubble.theirs", has_text="Any news?").wait_for()
    await bob.locator(".bubble.theirs", has_text="Any news?").wait_for()
    await shot(sue, "console-watch")

    # Stop watching: it leaves her screen.
    await sue.locator("#unwatch").click()
    await sue.locator("#watching").wait_for(state="detached")
    for page in (ada, bob, sue, shop):
        assert page.js_errors == []
        assert getattr(page, "csp_refusals", []) == []
