"""After the contact, in the browser: the widget asks its survey in the shopper's language (and
again after a reload, without popping open), an unresolved answer books a follow-up that the
shopper is told about, and the console shows the follow-up with the answer on top."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.browser import agent_login, new_page, open_shop, shot, w, widget_ready

pytestmark = pytest.mark.browser

REASON = "Product question"


async def handled_and_ended(hub: Any, browser: Any, locale: str = "en-US") -> tuple[Any, Any]:
    """A shopper's chat taken by Ada and wrapped up; returns (shop page, Ada's console)."""
    agent = await agent_login(browser, hub, 0)
    shop = await new_page(browser, locale=locale)
    await open_shop(shop, hub)
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("My lamp flickers")
    await shop.keyboard.press("Enter")
    await agent.locator(".offer button.primary").click()
    await w(shop, ".sys[data-type='contact.assigned']").wait_for()
    await agent.click("#wrapup-open")
    await agent.select_option("#wrap-reason", REASON)
    await agent.check("#wrap-no")
    await agent.click("#wrap-submit")
    await agent.locator(".conv-item").wait_for(state="detached")
    return shop, agent


async def focused_in_widget(shop: Any) -> str:
    return str(
        await shop.evaluate(
            "() => { const a = document.querySelector('lifeline-widget').shadowRoot.activeElement;"
            " return a ? a.id || a.textContent : ''; }"
        )
    )


async def test_unresolved_without_a_phone_books_a_callback_after_a_reload(
    hub_server, browser
) -> None:
    shop, agent = await handled_and_ended(hub_server, browser)

    # The panel is open: the survey comes under the conversation, the focus on its question.
    pane = w(shop, "[data-survey]")
    await pane.wait_for()
    await w(shop, ".sys").filter(has_text="ended").wait_for()
    legends = await pane.locator("legend").all_inner_texts()
    assert legends == ["Was your problem resolved?", "How easy was it to get help?"]
    assert await w(shop, "form.compose").is_hidden()
    assert await focused_in_widget(shop) == "ll-survey-title"
    steps = await pane.locator("[data-effort]").all()
    labels = [await b.get_attribute("aria-label") for b in steps]
    assert labels[0] == "1 of 7: Very easy" and labels[6] == "7 of 7: Very hard"
    await shot(shop, "widget-survey")

    # A reload asks again, but the widget stays closed with a dot on its button.
    await shop.reload()
    await widget_ready(shop)
    badge = w(shop, ".launcher .badge.dot-only")
    await badge.wait_for()
    assert await w(shop, ".panel").is_hidden()
    assert "question" in (await w(shop, ".launcher").get_attribute("aria-label") or "")
    await w(shop, ".launcher").click()
    await pane.wait_for()
    assert await badge.is_hidden()

    # "No", and the hub knows no number: the phone field appears; a bad number is refused here.
    phone = w(shop, "#ll-survey-phone")
    assert await phone.is_hidden()
    await pane.locator("[data-answer=no]").click()
    assert await pane.locator("[data-answer=no]").get_attribute("aria-pressed") == "true"
    await phone.wait_for()
    await pane.locator("[data-effort='6']").click()
    await w(shop, "#ll-survey-comment").fill("Still flickers")
    await phone.fill("06 12 34 56 78")
    await pane.locator("button[type=submit]").click()
    # An American shopper's national-looking number: the hub refuses it, and the widget says so
    # when the answer comes back (not at once: it waits for the hub's reading of the number).
    await w(shop, "#ll-survey-phone-err").filter(has_text="country code").wait_for()
    await phone.fill("+33 6 12 34 56 78")
    await pane.locator("button[type=submit]").click()
    # Said back as the hub formats it for this (American) shopper: internationally.
    told = pane.locator("[role=status]").filter(has_text="+33 6 12 34 56 78")
    await told.wait_for()
    assert await told.inner_text() == (
        "We will call you back at +33 6 12 34 56 78 as soon as someone is free."
    )
    await shot(shop, "widget-follow-up")

    # The follow-up goes to Ada first, marked as one, with the customer's answer on top.
    offer = agent.locator(".offer.callback")
    await offer.wait_for()
    assert "Follow-up" in await offer.locator(".follow-up").inner_text()
    assert "Not resolved · effort 6/7 · “Still flickers”" in await offer.inner_text()
    await offer.locator("button.primary").click()
    box = agent.locator(".follow-box")
    await box.wait_for()
    assert "not resolved" in await box.inner_text()
    assert await box.locator(".follow-comment").inner_text() == "Still flickers"
    assert await agent.locator(".conv-item .pill.follow").count() == 1
    # Its history holds the answer as a timeline item of its own.
    item = agent.locator(".log .survey-item")
    await item.wait_for()
    assert "effort 6/7" in await item.inner_text()
    await shot(agent, "console-follow-up")
    # Dismissed, the outcome makes way for the composer again.
    await pane.locator("[data-action=survey-ok]").click()
    await w(shop, "form.compose").wait_for()
    assert shop.js_errors == [] and agent.js_errors == []


async def test_the_survey_in_french_answered_yes_is_not_asked_again(hub_server, browser) -> None:
    shop, agent = await handled_and_ended(hub_server, browser, locale="fr-FR")
    pane = w(shop, "[data-survey]")
    await pane.wait_for()
    assert await pane.locator("legend").first.inner_text() == "Votre problème est-il résolu ?"
    effort = await pane.locator("[data-effort='2']").get_attribute("aria-label")
    assert effort == "2 sur 7 : Facile"

    # Sending without the first answer says what is missing.
    await pane.locator("button[type=submit]").click()
    assert "résolu" in await pane.locator(".err[role=alert]").last.inner_text()
    await pane.locator("[data-answer=yes]").click()
    # "Yes" asks no phone.
    assert await w(shop, "#ll-survey-phone").is_hidden()
    await pane.locator("[data-effort='2']").click()
    await pane.locator("button[type=submit]").click()
    await pane.locator("[role=status]").filter(has_text="Merci pour votre réponse").wait_for()
    # The agent who handled it hears the answer live, though the conversation is wrapped up.
    await agent.locator(".toast").filter(has_text="Resolved · effort 2/7").wait_for()

    # Answered: a reload asks nothing (the hub sends survey.request before the history).
    await shop.reload()
    await widget_ready(shop)
    assert await w(shop, ".launcher .badge").is_hidden()
    await w(shop, ".launcher").click()
    await w(shop, "[data-view=chat]").wait_for()
    assert await pane.is_hidden()
    assert shop.js_errors == [] and agent.js_errors == []
