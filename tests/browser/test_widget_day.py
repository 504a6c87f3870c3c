"""The shopper's day (issue 13): what the widget says in each situation, in English and French;
ending a chat; a callback asked during a chat; phone numbers as shoppers write them; the
Mayday bar on a phone; and axe-core on the shop page with the widget open.

The agents are raw sockets (tests.kit.clients) where the console is not what is tested."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.kit.browser import new_page, open_shop, shot, w
from tests.kit.clients import Clients, about

pytestmark = pytest.mark.browser

AXE = Path(__file__).parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"

# What the widget says, per situation, in each language (web/widget/src/i18n.js).
WORDS = {
    "en-US": {
        "away": "We're away",
        "away_lead": "as soon as someone is free",
        "online": "We're online",
        "online_lead": "usually within a minute",
        "waiting_away": "No one is available yet",
        "next": "You are next in line",
        "joined": "With you now",
        "you_ended": "You ended the conversation",
    },
    "fr-FR": {
        "away": "Absents",
        "away_lead": "dès que quelqu'un se libère",
        "online": "Nous sommes en ligne",
        "online_lead": "en moins d'une minute",
        "waiting_away": "Personne n'est encore disponible",
        "next": "Vous êtes le prochain",
        "joined": "Avec vous",
        "you_ended": "Vous avez mis fin à la conversation",
    },
}


async def said(shop: Any) -> dict[str, str]:
    """Everything the widget says of the situation at once: header, home lead, chat status."""
    text: dict[str, str] = await shop.evaluate(
        """() => {
          const r = document.querySelector("lifeline-widget").shadowRoot;
          const shown = (el) => (el && !el.closest("[hidden]") ? el.textContent : "");
          return {
            title: r.querySelector("#ll-title").textContent,
            sub: r.querySelector(".head .ttl p").textContent,
            lead: shown(r.querySelector(".home .lead")),
            notice: shown(r.querySelector(".home .notice")),
            status: shown(r.querySelector("[data-view=chat] .status")),
            situation: document.querySelector("lifeline-widget").dataset.lifelineSituation,
          };
        }"""
    )
    return text


async def situation(shop: Any, name: str) -> None:
    await shop.wait_for_function(
        f"document.querySelector('lifeline-widget').dataset.lifelineSituation === '{name}'"
    )


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
async def test_the_widget_says_one_thing_in_each_situation(
    hub_server: Any, browser: Any, clients: Clients, locale: str
) -> None:
    words = WORDS[locale]
    shop = await new_page(browser, locale=locale)
    await open_shop(shop, hub_server)
    await w(shop, ".launcher").click()

    # No one online: the home says so, and nothing promises an answer within a minute.
    await situation(shop, "noOne")
    now = await said(shop)
    assert words["away"] in now["sub"] and words["away_lead"] in now["lead"], now
    assert words["online_lead"] not in now["lead"] + now["notice"]

    # Waiting with no one online: not "next in line, any moment now" beside "no one".
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("Hello?")
    await shop.keyboard.press("Enter")
    await w(shop, ".sys.alert").wait_for()
    await w(shop, "[data-view=chat] .status").filter(has_text=words["waiting_away"]).wait_for()
    now = await said(shop)
    assert words["next"] not in now["status"] and words["away"] in now["sub"], now

    # An agent takes it: the header is the agent's, nothing says "away" any more.
    ada = await clients.ada()
    offer = await ada.next("offer", timeout=5)
    assert (await ada.call("offer.accept", {"contact_id": offer["contact_id"]}))["ok"]
    await situation(shop, "joined")
    now = await said(shop)
    assert (now["title"], now["sub"], now["status"]) == ("Ada", words["joined"], ""), now

    # With agents online and nothing going on, a new shopper is told the usual wait.
    other = await new_page(browser, locale=locale)
    await open_shop(other, hub_server)
    await w(other, ".launcher").click()
    await situation(other, "online")
    now = await said(other)
    assert words["online"] in now["sub"] and words["online_lead"] in now["lead"], now
    assert now["notice"] == ""
    # Waiting while Ada is online (her offer not yet answered): next in line.
    await w(other, "[data-action=chat]").click()
    await w(other, "textarea").fill("Hi")
    await other.keyboard.press("Enter")
    await situation(other, "waiting")
    await w(other, "[data-view=chat] .status").filter(has_text=words["next"]).wait_for()
    assert words["away"] not in (await said(other))["sub"]
    assert shop.js_errors == [] and other.js_errors == []


async def test_the_home_follows_agents_coming_and_going_without_a_reload(
    hub_server: Any, browser: Any, clients: Clients
) -> None:
    shop = await new_page(browser)
    await open_shop(shop, hub_server)
    await w(shop, ".launcher").click()
    await situation(shop, "noOne")
    # The shopper stays on the page; an agent signs in and says they are available.
    ada = await clients.ada()
    await situation(shop, "online")
    assert WORDS["en-US"]["online_lead"] in (await said(shop))["lead"]
    assert (await ada.call("presence", {"status": "break"}))["ok"]
    await situation(shop, "noOne")
    assert shop.js_errors == []


async def test_the_shopper_ends_a_live_chat_for_the_agent_too(
    hub_server: Any, browser: Any, clients: Clients
) -> None:
    ada = await clients.ada()
    shop = await new_page(browser)
    await open_shop(shop, hub_server)
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("My order is late")
    await shop.keyboard.press("Enter")
    offer = await ada.next("offer", timeout=5)
    contact_id = offer["contact_id"]
    assert (await ada.call("offer.accept", {"contact_id": contact_id}))["ok"]
    await situation(shop, "joined")

    # One tap asks; "Keep chatting" keeps it; "Yes, end it" ends it.
    await w(shop, "[data-action=end-chat]").click()
    await w(shop, "[data-action=end-chat-no]").click()
    assert await w(shop, "[data-action=end-chat]").is_visible()
    await shot(shop, "widget-end-chat")
    await w(shop, "[data-action=end-chat]").click()
    await w(shop, "[data-action=end-chat-yes]").click()

    ended = await ada.next("contact.ended", about(contact_id), timeout=5)
    assert ended["reason"] == "cancelled"
    await (
        w(shop, ".sys[data-type='contact.ended']")
        .filter(has_text="You ended the conversation")
        .wait_for()
    )
    # The survey follows as after any handled contact, and the control is gone.
    await w(shop, "[data-view=chat] [data-survey] legend").first.wait_for()
    assert not await w(shop, "[data-action=end-chat]").is_visible()
    assert "cancelled" not in await w(shop, ".log").inner_text()
    assert shop.js_errors == []


async def test_a_callback_asked_during_a_chat_keeps_it_and_reads_the_number_at_home(
    hub_server: Any, browser: Any, clients: Clients
) -> None:
    ada = await clients.ada()
    shop = await new_page(browser, locale="fr-FR")
    await open_shop(shop, hub_server)
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("Bonjour")
    await shop.keyboard.press("Enter")
    offer = await ada.next("offer", timeout=5)
    chat = offer["contact_id"]
    assert (await ada.call("offer.accept", {"contact_id": chat}))["ok"]
    await situation(shop, "joined")

    await w(shop, "button[aria-label=Retour]").click()
    await w(shop, "[data-action=callback]").click()
    # Not a French number: refused in words, nothing asked of the hub.
    await w(shop, "#ll-phone").fill("06 12 34")
    await w(shop, ".form button[type=submit]").click()
    await w(shop, "#ll-phone-err").filter(has_text="Nous ne pouvons pas appeler").wait_for()
    assert await w(shop, "#ll-phone").get_attribute("aria-invalid") == "true"

    # As the shopper dials it at home: taken, and shown back the same way.
    await w(shop, "#ll-phone").fill("06 12 34 56 78")
    await w(shop, ".form button[type=submit]").click()
    status = w(shop, "[data-view=callback] .notice").filter(has_text="06 12 34 56 78")
    await status.wait_for()
    assert "+33612345678" not in await status.inner_text()
    await shot(shop, "widget-callback-fr")
    update = await ada.next("callback.updated", timeout=5)
    assert update["phone"] == "+33612345678"

    # The chat goes on: the agent is not told it ended, and still writes in it.
    await ada.round_trip()
    assert [e["contact_id"] for e in ada.received["contact.ended"]] == []
    sent = await ada.call(
        "message.send",
        {"conversation_id": offer["conversation_id"], "text": "Je vous rappelle", "client_id": "a"},
    )
    assert sent["ok"], sent
    await w(shop, "button[aria-label=Retour]").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, ".msg.them").filter(has_text="Je vous rappelle").wait_for()
    assert await situation_now(shop) == "joined"
    assert "channel_switch" not in await w(shop, ".log").inner_text()
    assert shop.js_errors == []


async def situation_now(shop: Any) -> str:
    return str(
        await shop.evaluate("document.querySelector('lifeline-widget').dataset.lifelineSituation")
    )


async def axe(page: Any) -> list[str]:
    """The critical and serious axe-core violations on the page, as 'rule: target' lines."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    assert await page.evaluate("window.axe.version")
    found: list[str] = await page.evaluate(
        """async () => {
          const r = await window.axe.run(document, { resultTypes: ["violations"] });
          return r.violations
            .filter((v) => v.impact === "critical" || v.impact === "serious")
            .flatMap((v) => v.nodes.map((n) => `${v.id}: ${JSON.stringify(n.target)}`));
        }"""
    )
    return found


async def test_axe_finds_nothing_serious_with_the_widget_open(
    hub_server: Any, browser: Any, clients: Clients
) -> None:
    ada = await clients.ada()
    shop = await new_page(browser)
    await open_shop(shop, hub_server)
    await w(shop, ".launcher").click()
    await situation(shop, "online")
    # The widget's header is no second banner landmark on the shop's page.
    assert await w(shop, "header").count() == 0
    assert await axe(shop) == []

    await w(shop, "[data-action=callback]").click()
    await w(shop, "#ll-phone").wait_for()
    assert await axe(shop) == []

    await w(shop, "button[aria-label=Back]").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("Where is my parcel?")
    await shop.keyboard.press("Enter")
    offer = await ada.next("offer", timeout=5)
    assert (await ada.call("offer.accept", {"contact_id": offer["contact_id"]}))["ok"]
    await situation(shop, "joined")
    assert await axe(shop) == []

    assert (await ada.call("contact.end", {"contact_id": offer["contact_id"]}))["ok"]
    await w(shop, "[data-view=chat] [data-survey] legend").first.wait_for()
    assert await axe(shop) == []


# A box's edges on the page: {x, y, width, height} as Playwright gives them.
def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
async def test_on_a_phone_the_consent_bar_leaves_the_panels_controls_free(
    hub_server: Any, browser: Any, shop_site: Any, locale: str
) -> None:
    from tests.kit.browser import start

    s = await start(hub_server, browser, shop_site, width=390, height=844, locale=locale)
    shop = s.shop
    bar = s.mayday(".bar")
    label = s.mayday(".bar > .txt")
    await label.filter(has_text="May").wait_for()
    # The label is whole: "May can see this page", not "May c…".
    fits = await label.evaluate("(el) => el.scrollWidth <= el.clientWidth")
    assert fits, await label.inner_text()

    # The agent's face is up and the panel folded away; the shopper opens it to write.
    await w(shop, ".launcher").click()
    panel = w(shop, ".panel")
    await panel.wait_for()
    await w(shop, "textarea").wait_for()
    bar_box = await bar.bounding_box()
    controls = w(shop, ".head button:not([hidden])")
    assert await controls.count() == 2  # Back and Close
    for i in range(await controls.count()):
        box = await controls.nth(i).bounding_box()
        assert box is not None and bar_box is not None
        assert not overlaps(box, bar_box), await controls.nth(i).get_attribute("aria-label")
    assert (await panel.bounding_box())["y"] >= bar_box["y"] + bar_box["height"] - 1
    await shot(shop, f"widget-mayday-phone-{locale[:2]}")

    # A tap on Close closes the panel: the session goes on.
    close = w(shop, ".head button[aria-label]").last
    await close.click()
    await panel.wait_for(state="hidden")
    assert await bar.is_visible()
    assert shop.js_errors == []
