"""After the contact (DESIGN §9), through socket.io, REST and the SDK, on every database.

The survey a handled contact asks, the follow-up of an unresolved answer (a callback when a
phone is known, else a chat, ahead of its line and offered first to the same agent), the
wrap-up's reason and product, the andon, and abandons. The hub runs on a manual clock.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.kit.clients import Clients, about
from tests.kit.hub import HandClock, HubServer
from tests.kit.wire import Wire

pytestmark = pytest.mark.usefixtures("manual_clock")

SUE = ("sue@example.com", "sue-password")
PHONE = "+33612345678"
REASON = "Product question"
WEEK_S = 7 * 86400


async def handled_chat(
    clients: Clients, agent: Wire, shopper: Wire | None = None
) -> tuple[Wire, str]:
    """A chat taken by ``agent``; returns the customer's socket and the contact id."""
    if shopper is None:
        shopper = await clients.customer()
    ack = await shopper.call("contact.request", {"channel": "chat", "text": "My lamp flickers"})
    assert ack["ok"], ack
    contact_id = ack["contact_id"]
    await agent.next("offer", about(contact_id))
    accepted = await agent.call("offer.accept", {"contact_id": contact_id})
    assert accepted["ok"], accepted
    await shopper.next("contact.assigned", about(contact_id))
    return shopper, contact_id


async def end(agent: Wire, contact_id: str, **wrapup: Any) -> None:
    ack = await agent.call("contact.end", {"contact_id": contact_id, **wrapup})
    assert ack["ok"], ack


async def surveyed(clients: Clients, agent: Wire) -> tuple[Wire, str]:
    """A chat handled by ``agent`` and ended: its customer has been asked the survey."""
    shopper, contact_id = await handled_chat(clients, agent)
    await end(agent, contact_id, resolved=False, reason=REASON)
    await shopper.next("survey.request", about(contact_id))
    return shopper, contact_id


async def survey_events(w: Wire, conversation_id: str) -> list[dict[str, Any]]:
    ack = await w.call("history", {"conversation_id": conversation_id, "after_seq": 0})
    assert ack["ok"], ack
    return [e for e in ack["events"] if e["type"] == "survey"]


async def flags(server: HubServer, token: str, **params: str) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as http:
        async with http.get(
            server.url + "/api/v1/flags",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        ) as resp:
            assert resp.status == 200, await resp.text()
            return list((await resp.json())["flags"])


async def token_of(server: HubServer, email: str, password: str) -> str:
    async with aiohttp.ClientSession() as http:
        async with http.post(
            server.url + "/api/v1/auth/login", json={"email": email, "password": password}
        ) as resp:
            return str((await resp.json())["token"])


# the survey


async def test_a_handled_contact_asks_its_customer_once_and_a_reload_still_asks(
    clients: Clients,
) -> None:
    ada = await clients.ada()
    shopper, contact_id = await surveyed(clients, ada)
    request = shopper.received["survey.request"][-1]
    assert request["channel"] == "chat" and request["phone"] is None
    assert request["expires_at"] == pytest.approx(
        shopper.received["event"][-1]["ts"] + WEEK_S, abs=1
    )
    conversation_id = ada.received["offer"][0]["conversation_id"]
    ended = [e for e in shopper.received["event"] if e["type"] == "contact.ended"]
    assert ended[-1]["data"]["survey"] is True

    token = shopper.received["session"][0]["visitor_token"]
    again = await clients.customer(token)
    await again.next("survey.request", about(contact_id))

    ack = await again.call(
        "survey.answer", {"contact_id": contact_id, "resolved": True, "effort": 2}
    )
    assert ack == {"ok": True, "follow_up": None}
    # The agent who handled it sees the answer live, though the contact has ended.
    seen = await ada.next("event", lambda e: e["type"] == "survey")
    assert seen["data"] == {
        "contact_id": contact_id,
        "resolved": True,
        "effort": 2,
        "comment": None,
    }
    assert seen["author"]["role"] == "customer"

    once_more = await again.call("survey.answer", {"contact_id": contact_id, "resolved": False})
    assert once_more["error"]["code"] == "already_answered"
    assert len(await survey_events(again, conversation_id)) == 1
    # Answered: a reload asks nothing.
    third = await clients.customer(token)
    await third.round_trip()
    await third.quiet("survey.request")


async def test_a_contact_that_was_not_handled_has_no_survey(clients: Clients) -> None:
    shopper, contact_id = await clients.request("chat")
    ack = await shopper.call("contact.cancel", {"contact_id": contact_id})
    assert ack["ok"], ack
    await shopper.round_trip()
    assert shopper.received["survey.request"] == []
    answer = await shopper.call("survey.answer", {"contact_id": contact_id, "resolved": True})
    assert answer["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    "bad",
    [
        {"effort": 0},
        {"effort": 8},
        {"effort": "3"},
        {"comment": "x" * 2001},
        {"phone": "0612345678"},
        {"phone": "06 12 34", "country": "FR"},
        {"phone": "06 12 34 56 78", "country": "France"},
        {"resolved": "no"},
        {"resolved": None},
    ],
)
async def test_a_bad_answer_is_refused_and_changes_nothing(
    clients: Clients, bad: dict[str, Any]
) -> None:
    ada = await clients.ada()
    shopper, contact_id = await surveyed(clients, ada)
    conversation_id = ada.received["offer"][0]["conversation_id"]
    ack = await shopper.call("survey.answer", {"contact_id": contact_id, "resolved": False, **bad})
    assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack
    assert await survey_events(shopper, conversation_id) == []
    await ada.round_trip()
    assert [o for o in ada.received["offer"] if o["contact_id"] != contact_id] == []
    # Nothing was stored: the survey can still be answered.
    good = await shopper.call("survey.answer", {"contact_id": contact_id, "resolved": True})
    assert good["ok"], good


async def test_only_the_contacts_own_customer_may_answer(clients: Clients) -> None:
    ada = await clients.ada()
    shopper, contact_id = await surveyed(clients, ada)
    stranger = await clients.customer()
    ack = await stranger.call("survey.answer", {"contact_id": contact_id, "resolved": False})
    assert ack["error"]["code"] == "not_found"
    await ada.round_trip()
    assert [o for o in ada.received["offer"] if o["contact_id"] != contact_id] == []
    good = await shopper.call("survey.answer", {"contact_id": contact_id, "resolved": True})
    assert good["ok"], good


async def test_a_survey_expires_after_seven_days(clients: Clients, manual_clock: HandClock) -> None:
    ada = await clients.ada()
    shopper, contact_id = await surveyed(clients, ada)
    conversation_id = ada.received["offer"][0]["conversation_id"]
    await manual_clock.advance(WEEK_S + 5)
    ack = await shopper.call("survey.answer", {"contact_id": contact_id, "resolved": False})
    assert ack["error"]["code"] == "survey_expired"
    assert await survey_events(shopper, conversation_id) == []


# the follow-up


async def test_a_follow_up_number_is_read_as_the_shopper_dials_it(clients: Clients) -> None:
    ada = await clients.ada()
    shopper, contact_id = await surveyed(clients, ada)
    ack = await shopper.call(
        "survey.answer",
        {"contact_id": contact_id, "resolved": False, "phone": "06 12 34 56 78", "country": "FR"},
    )
    assert ack["ok"], ack
    follow_up = ack["follow_up"]
    assert follow_up["channel"] == "callback"
    assert (follow_up["phone"], follow_up["phone_display"]) == (PHONE, "06 12 34 56 78")
    offer = await ada.next("offer", about(follow_up["contact_id"]))
    assert offer["phone"] == PHONE


async def test_unresolved_books_a_callback_offered_first_to_the_same_agent_then_reached(
    clients: Clients,
) -> None:
    ada = await clients.ada()
    shopper, first = await handled_chat(clients, ada)
    bob = await clients.bob()  # free when the follow-up comes: it must still go to Ada
    await end(ada, first, resolved=False, reason=REASON)
    await shopper.next("survey.request", about(first))

    ack = await shopper.call(
        "survey.answer",
        {
            "contact_id": first,
            "resolved": False,
            "effort": 6,
            "comment": "Still flickers",
            "phone": PHONE,
        },
    )
    assert ack["ok"], ack
    follow_up = ack["follow_up"]
    assert follow_up["channel"] == "callback" and follow_up["phone"] == PHONE
    second = follow_up["contact_id"]
    scheduled = await shopper.next("callback.updated", about(second))
    assert scheduled["status"] == "scheduled"

    # Offered to Ada first, who handled the first contact; Bob, free too, is not offered it.
    offer = await ada.next("offer", about(second))
    assert offer["channel"] == "callback" and offer["phone"] == PHONE
    assert offer["follow_up"] == {
        "of": first,
        "survey": {
            "contact_id": first,
            "resolved": False,
            "effort": 6,
            "comment": "Still flickers",
        },
    }
    assert [o for o in bob.received["offer"] if o["contact_id"] == second] == []
    # In the same conversation, marked as a follow-up in its history.
    assert offer["conversation_id"] == ada.received["offer"][0]["conversation_id"]
    requested = await shopper.next(
        "event", lambda e: e["type"] == "contact.requested" and e["data"]["contact_id"] == second
    )
    assert requested["data"]["follow_up_of"] == first

    accepted = await ada.call("offer.accept", {"contact_id": second})
    assert accepted["ok"], accepted
    snapshot = await ada.call("snapshot", {})
    mine = [c["contact"] for c in snapshot["contacts"] if c["contact"]["id"] == second]
    assert mine[0]["follow_up_of"] == first
    assert mine[0]["follow_up"]["survey"]["comment"] == "Still flickers"
    done = await ada.call("callback.outcome", {"contact_id": second, "outcome": "reached"})
    assert done["ok"], done
    # The follow-up was handled too: it asks its own survey.
    await shopper.next("survey.request", about(second))


async def test_unresolved_without_a_phone_is_a_chat_ahead_of_its_line(
    clients: Clients, manual_clock: HandClock
) -> None:
    ada = await clients.ada()
    shopper, first = await surveyed(clients, ada)
    presence = await ada.call("presence", {"status": "away"})
    assert presence["ok"], presence
    # Someone else is waiting for a chat already.
    _, ordinary = await clients.request("chat")
    ack = await shopper.call("survey.answer", {"contact_id": first, "resolved": False})
    assert ack["follow_up"]["channel"] == "chat" and "phone" not in ack["follow_up"]
    second = ack["follow_up"]["contact_id"]
    queued = await shopper.next("contact.queued", about(second))
    assert queued["position"] == 1
    # Past Ada's sticky window, Bob takes the follow-up before the chat that waited longer.
    await manual_clock.advance(3)
    bob = await clients.bob()
    offer = await bob.next("offer")
    assert offer["contact_id"] == second, (offer, ordinary)


async def test_the_sdk_answers_a_survey(clients: Clients) -> None:
    ada = await clients.ada()
    shopper = await clients.sdk_customer()
    ack = await shopper.request_contact("chat", text="Where is my parcel?")
    contact_id = ack["contact_id"]
    await ada.next("offer", about(contact_id))
    accepted = await ada.call("offer.accept", {"contact_id": contact_id})
    assert accepted["ok"], accepted
    await end(ada, contact_id, resolved=True, reason="Order status")
    await shopper.wait_for("survey.request", about(contact_id), 5)
    assert shopper.survey is not None and shopper.survey["contact_id"] == contact_id
    follow_up = await shopper.answer_survey(contact_id, False, effort=4, phone=PHONE)
    assert follow_up is not None and follow_up["channel"] == "callback"
    assert shopper.survey is None


# the wrap-up


async def test_a_wrapup_reason_must_be_one_of_the_sites(clients: Clients) -> None:
    ada = await clients.ada()
    _, contact_id = await handled_chat(clients, ada)
    ack = await ada.call("contact.end", {"contact_id": contact_id, "reason": "Aliens"})
    assert ack["error"]["code"] == "invalid"
    # Nothing changed: the contact is still Ada's, and she can still write in it.
    snapshot = await ada.call("snapshot", {})
    assert [c["contact"]["id"] for c in snapshot["contacts"]] == [contact_id]
    too_long = await ada.call("contact.end", {"contact_id": contact_id, "product": "p" * 121})
    assert too_long["error"]["code"] == "invalid"
    await end(ada, contact_id, reason=REASON, product="Lamp L-200")


# the andon


async def two_reports(
    clients: Clients, ada: Wire, product: str | None, *, same_customer: bool = False
) -> list[str]:
    """Two contacts ended with REASON (and ``product``, or the page's), by two customers."""
    first, one = await handled_chat(clients, ada)
    if product is None:
        page = await first.call("page", {"url": "https://shop.test/lamp", "product": "Lamp L-200"})
        assert page["ok"], page
    await end(ada, one, reason=REASON, **({"product": product} if product else {}))
    shopper = first if same_customer else None
    second, two = await handled_chat(clients, ada, shopper)
    if product is None and not same_customer:
        page = await second.call("page", {"url": "https://shop.test/lamp", "product": "Lamp L-200"})
        assert page["ok"], page
    await end(ada, two, reason=REASON, **({"product": product} if product else {}))
    return [one, two]


async def test_two_customers_with_the_same_problem_raise_one_flag_until_cleared(
    clients: Clients, hub_server: HubServer
) -> None:
    sue = await clients.agent(*SUE, available=False)
    ada = await clients.ada()
    token = await token_of(hub_server, *SUE)
    contact_ids = await two_reports(clients, ada, None)  # the product comes from the page
    flag = await sue.next("andon")
    assert flag["site"] == hub_server.site_key
    assert (flag["product"], flag["reason"]) == ("Lamp L-200", REASON)
    assert flag["contact_ids"] == contact_ids and flag["raised_by"] is None
    listed = await flags(hub_server, token, site=hub_server.site_key)
    assert [f["id"] for f in listed] == [flag["id"]]
    snapshot = await sue.call("snapshot", {})
    assert [f["id"] for f in snapshot["flags"]] == [flag["id"]]

    # A third report of the same problem raises no second flag while this one is open.
    _, three = await handled_chat(clients, ada)
    await end(ada, three, reason=REASON, product="Lamp L-200")
    await sue.round_trip()
    assert len(sue.received["andon"]) == 1

    # A plain agent may not clear it; a supervisor does, and every supervisor hears.
    refused = await ada.call(
        "andon.clear", {"site": hub_server.site_key, "product": "Lamp L-200", "reason": REASON}
    )
    assert refused["error"]["code"] == "forbidden"
    assert len(await flags(hub_server, token)) == 1
    cleared = await sue.call(
        "andon.clear", {"site": hub_server.site_key, "product": "Lamp L-200", "reason": REASON}
    )
    assert cleared == {"ok": True}
    gone = await sue.next("andon.cleared")
    assert gone["id"] == flag["id"]
    assert await flags(hub_server, token) == []
    assert len(await flags(hub_server, token, cleared="1")) == 1
    again = await sue.call(
        "andon.clear", {"site": hub_server.site_key, "product": "Lamp L-200", "reason": REASON}
    )
    assert again["error"]["code"] == "not_found"


async def test_one_customer_twice_is_not_an_andon(clients: Clients, hub_server: HubServer) -> None:
    sue = await clients.agent(*SUE, available=False)
    ada = await clients.ada()
    await two_reports(clients, ada, "Lamp L-200", same_customer=True)
    await sue.round_trip()
    assert sue.received["andon"] == []
    assert await flags(hub_server, await token_of(hub_server, *SUE)) == []


async def test_any_agent_may_stop_the_line_from_a_conversation_of_theirs(
    clients: Clients, hub_server: HubServer
) -> None:
    sue = await clients.agent(*SUE, available=False)
    ada = await clients.ada()
    bob = await clients.bob(available=False)
    _, contact_id = await handled_chat(clients, ada)
    token = await token_of(hub_server, *SUE)

    refused = await bob.call(
        "andon.raise", {"contact_id": contact_id, "product": "Lamp L-200", "reason": REASON}
    )
    assert refused["error"]["code"] == "forbidden"
    bad_reason = await ada.call(
        "andon.raise", {"contact_id": contact_id, "product": "Lamp L-200", "reason": "Aliens"}
    )
    assert bad_reason["error"]["code"] == "invalid"
    assert await flags(hub_server, token) == []
    await sue.round_trip()
    assert sue.received["andon"] == []

    ack = await ada.call(
        "andon.raise", {"contact_id": contact_id, "product": "Lamp L-200", "reason": REASON}
    )
    assert ack["ok"], ack
    flag = await sue.next("andon")
    assert flag == ack["flag"]
    assert flag["contact_ids"] == [contact_id] and flag["raised_by"]["name"] == "Ada"
    # Raised again: the same flag, no second announcement.
    twice = await ada.call(
        "andon.raise", {"contact_id": contact_id, "product": "Lamp L-200", "reason": REASON}
    )
    assert twice["flag"]["id"] == flag["id"]
    await sue.round_trip()
    assert len(sue.received["andon"]) == 1


# abandons


async def test_a_customer_gone_for_the_abandon_time_abandons_a_waiting_chat(
    clients: Clients, manual_clock: HandClock, hub_server: HubServer
) -> None:
    shopper, contact_id = await clients.request("chat")
    session = shopper.received["session"][0]
    token, customer_id = session["visitor_token"], session["customer_id"]
    await shopper.close()
    await hub_server.customer_gone(customer_id)
    await manual_clock.advance(59)
    # Still waiting at 59 s: back within the minute, nothing is lost.
    watcher = await clients.customer(token)
    await watcher.next("contact.queued", about(contact_id))
    await watcher.close()
    await hub_server.customer_gone(customer_id)
    await manual_clock.advance(59)
    still = await clients.customer(token)  # the minute counts from the last socket closing
    await still.next("contact.queued", about(contact_id))
    await still.close()
    await hub_server.customer_gone(customer_id)
    await manual_clock.advance(61)
    # Gone for the whole minute this time: ended, and no agent is offered the ghost.
    ada = await clients.ada()
    await manual_clock.settle()
    await ada.round_trip()
    assert [o for o in ada.received["offer"] if o["contact_id"] == contact_id] == []
    back = await clients.customer(token)
    conversation_id = back.received["session"][0]["conversation_id"]
    history = await back.call("history", {"conversation_id": conversation_id, "after_seq": 0})
    ended = [e for e in history["events"] if e["type"] == "contact.ended"]
    assert ended[-1]["data"] == {"contact_id": contact_id, "channel": "chat", "reason": "abandoned"}


async def test_a_callback_is_never_abandoned(clients: Clients, manual_clock: HandClock) -> None:
    shopper, contact_id = await clients.request("callback", phone=PHONE)
    await shopper.close()
    await manual_clock.advance(120)
    ada = await clients.ada()
    offer = await ada.next("offer", about(contact_id))
    assert offer["channel"] == "callback"
