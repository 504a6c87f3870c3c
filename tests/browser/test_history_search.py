"""The customer beside the conversation, and search, in the console: Kim's earlier chat (with
its wrap-up and survey answer) is listed in the customer panel and opens read-only; the top
bar's search finds her by name and her message by its words."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from hub.core.identity import sign_user_id
from tests.kit.axe import blocking, describe
from tests.kit.browser import agent_login, shot
from tests.kit.clients import about
from tests.kit.wire import agent, customer

pytestmark = pytest.mark.browser


async def assert_clean(page: Any, where: str) -> None:
    found = await blocking(page)
    assert not found, f"{where}:\n{describe(found)}"


async def test_past_contacts_beside_the_chat_and_search(hub_server: Any, browser: Any) -> None:
    hub = hub_server
    # Kim's first chat, answered by Ada on another device, wrapped up and surveyed.
    kim = await customer(hub.url, hub.site_key)
    ident = await kim.call(
        "identify",
        {
            "user_id": "kim-1",
            "user_hash": sign_user_id(hub.site_secret, "kim-1"),
            "email": "kim.lindqvist@example.org",
            "name": "Kim Lindqvist",
        },
    )
    assert ident["verified"], ident
    ada_wire = await agent(hub.url, *hub.agents[0])
    asked = {"channel": "chat", "text": "My parcel never arrived"}
    first = await kim.call("contact.request", asked)
    await ada_wire.next("offer", about(first["contact_id"]))
    assert (await ada_wire.call("offer.accept", {"contact_id": first["contact_id"]}))["ok"]
    conv = first["conversation_id"]
    reply = {"conversation_id": conv, "client_id": str(uuid.uuid4()), "text": "Sorry! Resending"}
    assert (await ada_wire.call("message.send", reply))["ok"]
    ended = await ada_wire.call(
        "contact.end",
        {"contact_id": first["contact_id"], "resolved": False, "reason": "Order status"},
    )
    assert ended["ok"], ended
    await kim.next("survey.request", about(first["contact_id"]))
    answer = {"contact_id": first["contact_id"], "resolved": True, "effort": 2}
    assert (await kim.call("survey.answer", answer))["ok"]
    await ada_wire.close()

    # Her second chat reaches Ada's console: the earlier one is beside it.
    ada = await agent_login(browser, hub, 0)
    second = await kim.call("contact.request", {"channel": "chat", "text": "Still nothing"})
    assert second["ok"], second
    await ada.locator(".offer button.primary").click()
    await ada.locator(".bubble.theirs", has_text="Still nothing").wait_for()
    past = ada.locator(f".cust [data-history='{first['contact_id']}']")
    await past.wait_for()
    text = await past.inner_text()
    assert "Chat" in text and "Order status · not resolved · Ada" in text, text
    assert "Survey: Resolved · effort 2/7" in text, text
    assert await ada.locator(f".cust [data-history='{second['contact_id']}']").count() == 0
    await shot(ada, "console-history")
    await assert_clean(ada, "the past contacts")

    # One click opens it read-only: its messages, no composer.
    await past.locator("button").click()
    dialog = ada.locator("#history-view")
    log = dialog.locator(f"[data-conversation='{conv}']")
    await log.locator("li", has_text="parcel never arrived").wait_for()
    await dialog.locator("li", has_text="Ada: Sorry! Resending").wait_for()
    await dialog.locator("li", has_text="Survey: Resolved").wait_for()
    assert await dialog.locator("textarea, input").count() == 0
    # Only that contact's part (its survey answer came later, and is part of it)...
    assert await log.locator("li", has_text="Still nothing").count() == 0
    await assert_clean(ada, "a past conversation, read-only")
    # ...and the whole conversation a click away.
    await ada.locator("#history-all").click()
    await log.locator("li", has_text="Still nothing").wait_for()
    await log.locator("li", has_text="parcel never arrived").wait_for()
    await ada.locator("#history-close").click()
    await dialog.wait_for(state="hidden")

    # The search box: by name, then by a message's words.
    await ada.fill("#search", "lindqv")
    found = ada.locator("#search-results [data-customer]")
    await found.wait_for()
    assert "kim.lindqvist@example.org" in await found.inner_text()
    await assert_clean(ada, "the search results")
    await found.click()
    await dialog.locator(f"[data-history='{first['contact_id']}']").wait_for()
    await dialog.locator(f"[data-history='{second['contact_id']}']").wait_for()
    await ada.locator("#history-close").click()

    await ada.fill("#search", "parcel nev")
    hit = ada.locator(f"#search-results [data-conversation='{conv}']")
    await hit.wait_for()
    assert "parcel never arrived" in (await hit.inner_text()).lower()
    await hit.click()
    await dialog.locator("li", has_text="Still nothing").wait_for()
    await ada.locator("#history-close").click()
    await ada.fill("#search", "zzzyx")
    await ada.locator("#search-none").wait_for()
    await kim.close()
    assert ada.js_errors == []
    assert getattr(ada, "csp_refusals", []) == []
