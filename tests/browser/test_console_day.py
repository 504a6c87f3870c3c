"""The agent's day in the console, in the browser: the reply box keeps its focus and text while
customers write, the conversation scrolls in its own pane, canned responses and the wrap-up by
keyboard, the supervisor's longest wait goes on, and the Mayday stage is drawn on by keyboard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit import browser as kit
from tests.kit.browser import BROWSER_OFFER_TIMEOUTS, agent_login, console_chat, say, shot
from tests.kit.clients import Clients
from tests.kit.wire import Wire

pytestmark = pytest.mark.browser

CANNED = [
    {"title": "Sizing", "text": "Our sneakers run true to size."},
    {"title": "Returns", "text": "Returns are free for 30 days."},
    {"title": "Delivery", "text": "Delivery takes two days."},
]
REASONS = ["Sizing question", "Late order", "Other"]


@pytest.fixture
def hub_config() -> dict[str, Any]:
    # A long conversation is written faster than a person would: no rate limit gets in the way.
    return {"offer_timeout_s": BROWSER_OFFER_TIMEOUTS, "rate_limit_burst": 200}


async def chatting(hub: Any, browser: Any, clients: Clients, **size: int) -> tuple[Any, Wire, str]:
    """Ada's console with one chat accepted, on a site with canned responses and reasons."""
    settings = {"canned_responses": CANNED, "contact_reasons": REASONS}
    return await console_chat(hub, browser, clients, settings=settings, **size)


async def test_the_reply_box_keeps_the_focus_and_the_text(
    hub_server: Any, browser: Any, clients: Clients
) -> None:
    agent, shopper, conv = await chatting(hub_server, browser, clients)
    await agent.click("#composer")
    await agent.keyboard.type("I am typing a long ans")
    await say(shopper, conv, "Hello? Anyone there?")
    await agent.locator(".bubble.theirs", has_text="Anyone there").wait_for()
    await agent.keyboard.type("wer")
    assert await agent.input_value("#composer") == "I am typing a long answer"

    await agent.keyboard.press("Enter")
    await agent.locator(".bubble.mine:not(.pending)", has_text="long answer").wait_for()
    assert await agent.evaluate("document.activeElement.id") == "composer"
    # The customer answers; what the agent types next still lands in the box.
    await say(shopper, conv, "Great")
    await agent.locator(".bubble.theirs", has_text="Great").wait_for()
    await agent.keyboard.type("Anything else?")
    assert await agent.input_value("#composer") == "Anything else?"

    # Sent with the button, the focus comes back to the reply box.
    await agent.click(".composer button[type=submit]")
    await agent.locator(".bubble.mine:not(.pending)", has_text="Anything else").wait_for()
    assert await agent.evaluate("document.activeElement.id") == "composer"

    # A second customer is accepted mid-sentence: the half-written reply stays with the first
    # conversation (not carried into the second), and is there again on going back.
    await agent.keyboard.type("Your parcel is on its")
    second = await clients.customer()
    assert (await second.call("contact.request", {"channel": "chat", "text": "Me too"}))["ok"]
    await agent.keyboard.press("Alt+a")
    await agent.locator(".bubble.theirs", has_text="Me too").wait_for()
    assert await agent.input_value("#composer") == ""
    await agent.keyboard.type("Hello")
    await agent.keyboard.press("Alt+1")
    await agent.locator(".bubble.theirs", has_text="My order is late").wait_for()
    assert await agent.input_value("#composer") == "Your parcel is on its"
    assert await agent.evaluate("document.activeElement.id") == "composer"
    await agent.keyboard.type(" way")
    assert await agent.input_value("#composer") == "Your parcel is on its way"
    assert agent.js_errors == []


async def inside(page: Any, selector: str) -> None:
    """SELECTOR is shown whole inside the window."""
    box = await page.locator(selector).first.bounding_box()
    size = page.viewport_size
    assert box, selector
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= size["width"] + 0.5, (selector, box, size)
    assert box["y"] + box["height"] <= size["height"] + 0.5, (selector, box, size)


async def test_a_long_conversation_scrolls_in_its_own_pane(
    hub_server: Any, browser: Any, clients: Clients
) -> None:
    agent, shopper, conv = await chatting(hub_server, browser, clients, width=1280, height=800)
    for i in range(30):
        await say(shopper, conv, f"Line {i + 1} of a long story about a parcel that never came.")
    await agent.locator(".bubble.theirs", has_text="Line 30 of").wait_for()
    # Three columns, two (no customer panel) and one (the list above the conversation).
    for width in (1280, 1000, 700):
        await agent.set_viewport_size({"width": width, "height": 800})
        for selector in (".top", "#presence", "#composer", ".composer button[type=submit]",
                         "#wrapup-open", "#conv-title"):  # fmt: skip
            await inside(agent, selector)
        # The log is what scrolls, not the page, and it shows the newest message.
        assert await agent.evaluate(
            "document.scrollingElement.scrollHeight <= window.innerHeight"
        ), f"the page itself scrolls at {width} px"
        log = await agent.evaluate(
            "(() => { const l = document.querySelector('.log');"
            " return {sh: l.scrollHeight, ch: l.clientHeight, top: l.scrollTop}; })()"
        )
        assert log["sh"] > log["ch"] + 200 and log["top"] > 0, (width, log)
        if width == 1280:
            await inside(agent, ".bubble.theirs >> nth=-1")
            await shot(agent, "console-800")
    assert agent.js_errors == []


async def test_canned_responses_by_keyboard(
    hub_server: Any, browser: Any, clients: Clients
) -> None:
    agent, _, _ = await chatting(hub_server, browser, clients)
    # The arrow keys only choose; Enter inserts the chosen one, once.
    await agent.focus("select.canned")
    await agent.keyboard.press("ArrowDown")
    await agent.keyboard.press("ArrowDown")
    assert await agent.input_value("#composer") == ""
    assert await agent.input_value("select.canned") == "1"
    await agent.keyboard.press("Enter")
    assert await agent.input_value("#composer") == "Returns are free for 30 days."
    assert await agent.evaluate("document.activeElement.id") == "composer"
    assert await agent.input_value("select.canned") == ""

    # "/" in an empty reply opens the list, filtered as the agent types; Enter inserts.
    await agent.fill("#composer", "")
    await agent.keyboard.type("/")
    pop = agent.locator("#canned-pop")
    await pop.wait_for()
    assert await pop.locator("[role=option]").all_inner_texts() == [
        f"{c['title']}{c['text']}" for c in CANNED
    ]
    await agent.keyboard.type("deliv")
    assert await pop.locator("[role=option] b").all_inner_texts() == ["Delivery"]
    await agent.keyboard.press("Enter")
    await pop.wait_for(state="hidden")
    assert await agent.input_value("#composer") == "Delivery takes two days."
    assert await agent.locator(".bubble.mine").count() == 0  # inserted, not sent

    # The arrow keys move through the list; the chosen one is the active descendant.
    await agent.fill("#composer", "")
    await agent.keyboard.type("/")
    await pop.wait_for()
    await agent.keyboard.press("ArrowDown")
    active = await agent.get_attribute("#composer", "aria-activedescendant")
    assert await agent.locator(f"#{active}").get_attribute("aria-selected") == "true"
    assert "Returns" in await agent.locator(f"#{active}").inner_text()
    await agent.keyboard.press("Enter")
    assert await agent.input_value("#composer") == "Returns are free for 30 days."

    # Escape closes the list and leaves the text; typing on does not open it again.
    await agent.fill("#composer", "")
    await agent.keyboard.type("/")
    await pop.wait_for()
    await agent.keyboard.press("Escape")
    await pop.wait_for(state="hidden")
    await agent.keyboard.type("s")
    assert await pop.is_hidden()
    assert await agent.input_value("#composer") == "/s"
    assert agent.js_errors == []


async def test_enter_on_the_wrap_up_reason_ends_the_contact(
    hub_server: Any, browser: Any, clients: Clients
) -> None:
    agent, shopper, _ = await chatting(hub_server, browser, clients)
    await agent.keyboard.press("Alt+e")
    await agent.locator("#wrapup[open]").wait_for()
    assert await agent.evaluate("document.activeElement.id") == "wrap-reason"
    await agent.keyboard.press("ArrowDown")
    await agent.keyboard.press("ArrowDown")
    await agent.keyboard.press("Enter")
    await agent.locator("#wrapup").wait_for(state="hidden")
    await agent.locator(".conv-item").wait_for(state="detached")
    ended = await shopper.next("contact.ended")
    assert ended["reason"] == "ended"
    assert agent.js_errors == []


async def test_the_longest_wait_goes_on_between_updates(
    hub_server: Any, browser: Any, clients: Clients
) -> None:
    hub = hub_server
    sue = await agent_login(browser, hub, 2, available=False)
    await sue.clock.install()
    shopper = await clients.customer()
    assert (await shopper.call("contact.request", {"channel": "chat", "text": "Hi"}))["ok"]
    await sue.get_by_role("button", name="Live queue").click()
    card = sue.locator(".stat[data-channel=chat]")
    await card.locator(".stat-n", has_text="1").wait_for()
    before = await card.locator(".small").inner_text()
    assert before.startswith("waiting · longest ") and before[-2:] in ("0s", "1s", "2s"), before
    # The agent is in a control of the page: the ticking must leave the focus there.
    await sue.locator(".reports select, .reports input").first.focus()
    focused = await sue.evaluate("document.activeElement.outerHTML")
    await sue.clock.run_for(20_000)
    await sue.wait_for_function(
        "parseInt(document.querySelector('.stat[data-channel=chat] .small')"
        ".textContent.replace(/^\\D+/, '')) >= 20"
    )
    assert await sue.evaluate("document.activeElement.outerHTML") == focused
    assert sue.js_errors == []


async def test_drawing_on_the_stage_by_keyboard(
    hub_server: Any, browser: Any, shop_site: Any
) -> None:
    s = await kit.start(hub_server, browser, shop_site)
    agent, shop = s.agent, s.shop
    await s.replay().locator("#page-title").wait_for()
    # In the video view the chat still shows several lines.
    assert await agent.evaluate("document.querySelector('.log').clientHeight") >= 100

    surface = agent.locator(".stage .catcher:not(.screen-catcher)")
    assert await surface.get_attribute("tabindex") == "0"
    label = await surface.get_attribute("aria-label")
    assert label and "customer's page" in label
    hint = await surface.get_attribute("aria-describedby")
    assert hint and "arrow" in (await agent.locator(f"#{hint}").inner_text()).lower()
    await surface.focus()
    pointer = surface.locator(".kbd-pointer")
    await pointer.wait_for()
    start = await pointer.bounding_box()
    for _ in range(5):
        await agent.keyboard.press("ArrowRight")
    await agent.keyboard.press("Shift+ArrowDown")
    moved = await pointer.bounding_box()
    assert start and moved
    assert moved["x"] > start["x"] + 20 and moved["y"] > start["y"] + 20, (start, moved)
    stage = await agent.locator(".stage .screen-box").bounding_box()
    assert stage and stage["x"] <= moved["x"] <= stage["x"] + stage["width"]
    assert stage["y"] <= moved["y"] <= stage["y"] + stage["height"]
    where = await agent.evaluate("window.lifelineConsole.mayday.keyboardPoint()")

    await agent.keyboard.press("Enter")
    # The shopper's page gets the same arrow a click makes, where the pointer was.
    arrow = shop.locator("lifeline-overlay g[data-tool=arrow] line").first
    await arrow.wait_for(state="attached")
    x, y = (float(v) for v in (await arrow.get_attribute("data-tip")).split(","))
    assert abs(x - where[0]) < 2 and abs(y - where[1]) < 2, ((x, y), where)
    await agent.locator(".stage .ink g[data-tool=arrow]").first.wait_for(state="attached")
    assert agent.js_errors == []
