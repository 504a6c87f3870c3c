"""axe-core on the console: the sign-in page, a conversation, the supervisor's live queue and
the Mayday video view have no critical and no serious accessibility violations."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit import browser as kit
from tests.kit.axe import blocking, describe
from tests.kit.browser import BROWSER_OFFER_TIMEOUTS, agent_login, console_chat, new_page, say
from tests.kit.clients import Clients

pytestmark = pytest.mark.browser


@pytest.fixture
def hub_config() -> dict[str, Any]:
    return {"offer_timeout_s": BROWSER_OFFER_TIMEOUTS}


async def assert_clean(page: Any, where: str, **kw: Any) -> None:
    found = await blocking(page, **kw)
    assert not found, f"{where}:\n{describe(found)}"


async def test_the_console_has_no_serious_violations(
    hub_server: Any, browser: Any, clients: Clients
) -> None:
    hub = hub_server
    login = await new_page(browser)
    await login.goto(f"{hub.url}/console/")
    await login.locator("#email").wait_for()
    await assert_clean(login, "the sign-in page")

    canned = [{"title": "Sizing", "text": "Our sneakers run true to size."}]
    agent, shopper, conv = await console_chat(
        hub, browser, clients, settings={"canned_responses": canned}
    )
    await say(shopper, conv, "Is it shipped yet?")
    await agent.fill("#composer", "Let me look.")
    await agent.keyboard.press("Enter")
    await agent.locator(".bubble.mine:not(.pending)").wait_for()
    await agent.keyboard.press("Alt+n")
    await agent.fill("#composer", "VIP")
    await agent.keyboard.press("Enter")
    await agent.locator(".bubble.note:not(.pending)").wait_for()
    await agent.keyboard.press("Alt+n")
    # A second conversation with an unread message, and a third customer's offer waiting.
    other = await clients.customer()
    ack = await other.call("contact.request", {"channel": "chat", "text": "Hello"})
    await agent.locator(".offer button.primary").click()
    await agent.locator(".conv-item >> nth=1").wait_for()
    await agent.keyboard.press("Alt+1")
    await say(other, ack["conversation_id"], "Still there?")
    await agent.locator(".conv-item .count").wait_for()
    third = await clients.customer()
    assert (await third.call("contact.request", {"channel": "chat", "text": "Hi"}))["ok"]
    await agent.locator(".offer").wait_for()
    await assert_clean(agent, "a conversation")
    await agent.focus("#composer")
    await agent.keyboard.type("/")
    await agent.keyboard.type("s")
    await agent.locator("#canned-pop").wait_for()
    await assert_clean(agent, "the canned responses' list")
    await agent.keyboard.press("Escape")
    await agent.keyboard.press("Alt+e")
    await agent.locator("#wrapup[open]").wait_for()
    await assert_clean(agent, "the wrap-up")

    sue = await agent_login(browser, hub, 2, available=False)
    await sue.get_by_role("button", name="Live queue").click()
    await sue.locator(".stat[data-channel=chat]").wait_for()
    await sue.locator("#reports").wait_for()
    await assert_clean(sue, "the supervisor's live queue")


async def test_the_video_view_has_no_serious_violations(
    hub_server: Any, browser: Any, shop_site: Any
) -> None:
    s = await kit.start(hub_server, browser, shop_site)
    await s.replay().locator("#page-title").wait_for()
    await s.agent.locator(".stage .catcher").first.focus()
    await assert_clean(s.agent, "the video view")
