"""Callbacks end to end: phone checks, not_before, outcomes, retries and virtual hold.

The hub runs with ``tests.kit.hub.hub_test_config`` (callback offers last 3 s, a ``no_answer`` is
retried 1 s later, at most 3 attempts), on a manual clock.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.clients import Clients, about, offer_ids
from tests.kit.hub import HandClock
from tests.kit.wire import Wire

# The hub runs on a clock the tests move: a callback comes due when a test says so.
pytestmark = pytest.mark.usefixtures("manual_clock")

PHONE = "+33612345678"


async def callback(clients: Clients, phone: str = PHONE, **extra: Any) -> tuple[Wire, str]:
    shopper = await clients.customer()
    ack = await shopper.call("contact.request", {"channel": "callback", "phone": phone, **extra})
    assert ack["ok"], ack
    return shopper, ack["contact_id"]


def statuses(w: Wire) -> list[tuple[str, int]]:
    return [(u["status"], u["attempts"]) for u in w.received["callback.updated"]]


def last_position(w: Wire) -> int | None:
    queued = w.received["contact.queued"]
    return int(queued[-1]["position"]) if queued else None


def offers_of(w: Wire, contact_id: str) -> list[dict[str, Any]]:
    return [o for o in w.received["offer"] if o["contact_id"] == contact_id]


async def nth_offer(w: Wire, contact_id: str, n: int, within: float = 5.0) -> dict[str, Any]:
    """Wait until ``contact_id`` was offered ``n`` times; return the last of those offers."""
    try:
        await w.until(lambda: len(offers_of(w, contact_id)) >= n, timeout=within)
    except TimeoutError:
        raise AssertionError(f"{contact_id} offered fewer than {n} times: {offer_ids(w)}") from None
    return offers_of(w, contact_id)[n - 1]


async def settled(clock: HandClock, *wires: Wire) -> None:
    """The router has done what is due, and each socket has what the hub sent it."""
    await clock.settle()
    for w in wires:
        await w.round_trip()


async def take(w: Wire, contact_id: str, n: int = 1) -> dict[str, Any]:
    offer = await nth_offer(w, contact_id, n)
    ack = await w.call("offer.accept", {"contact_id": contact_id})
    assert ack["ok"], ack
    return offer


async def outcome(w: Wire, contact_id: str, result: str) -> None:
    ack = await w.call("callback.outcome", {"contact_id": contact_id, "outcome": result})
    assert ack["ok"], ack


async def test_a_callback_needs_an_e164_phone(clients: Clients) -> None:
    shopper = await clients.customer()
    token = shopper.received["session"][0]["visitor_token"]
    for bad in ({}, {"phone": "0612345678"}, {"phone": "+33 6 12 34 56 78"}, {"phone": 33612}):
        ack = await shopper.call("contact.request", {"channel": "callback", **bad})
        assert ack["ok"] is False and ack["error"]["code"] == "invalid", (bad, ack)
    # Refused whole: not even a conversation was opened.
    again = await clients.customer(token)
    assert again.received["session"][0]["conversation_id"] is None
    assert shopper.received["callback.updated"] == []

    ack = await shopper.call("contact.request", {"channel": "callback", "phone": PHONE})
    assert ack["ok"], ack
    update = await shopper.next("callback.updated", about(ack["contact_id"]))
    assert update == {"contact_id": ack["contact_id"], "status": "scheduled", "attempts": 0}
    history = await shopper.call(
        "history", {"conversation_id": ack["conversation_id"], "after_seq": 0}
    )
    assert [e["type"] for e in history["events"]] == ["contact.requested"]


async def test_not_before_holds_the_callback_until_it_is_due(
    clients: Clients, manual_clock: HandClock
) -> None:
    ada = await clients.ada()
    # The hub's time is the manual clock's, so is the time a customer books.
    due = manual_clock() + 1.5
    shopper, contact_id = await callback(clients, not_before=due)
    update = await shopper.next("callback.updated", about(contact_id))
    assert update["status"] == "scheduled" and update["next_attempt_at"] == pytest.approx(due)

    await manual_clock.advance(1.45)
    await settled(manual_clock, ada)
    assert offer_ids(ada) == []
    await manual_clock.advance(0.1)
    offer = await nth_offer(ada, contact_id, 1)
    assert manual_clock() >= due
    assert offer["channel"] == "callback" and offer["phone"] == PHONE


async def test_no_answer_is_retried_then_fails_after_three_attempts(
    clients: Clients, manual_clock: HandClock
) -> None:
    ada = await clients.ada()
    shopper, contact_id = await callback(clients)

    for attempt in (1, 2):
        await take(ada, contact_id, attempt)
        await outcome(ada, contact_id, "no_answer")
        retry = await shopper.next(
            "callback.updated", lambda u, a=attempt: u["attempts"] == a and u["status"] == "retry"
        )
        assert retry["outcome"] == "no_answer"
        # Offered again, but not before the configured delay.
        await manual_clock.advance(0.95)
        await settled(manual_clock, ada)
        assert len(offers_of(ada, contact_id)) == attempt
        await manual_clock.advance(0.1)
        await nth_offer(ada, contact_id, attempt + 1)
        assert manual_clock() >= retry["next_attempt_at"]

    await take(ada, contact_id, 3)
    await outcome(ada, contact_id, "no_answer")
    ended = await shopper.next("contact.ended", about(contact_id))
    assert ended["reason"] == "no_answer"
    # The customer saw every step.
    assert statuses(shopper) == [("scheduled", 0), ("retry", 1), ("retry", 2), ("failed", 3)]
    assert shopper.received["callback.updated"][-1]["outcome"] == "no_answer"

    await manual_clock.advance(1.3)  # past the retry delay: a failed callback is not tried again
    await settled(manual_clock, ada)
    assert offer_ids(ada) == [contact_id] * 3
    history = await shopper.call(
        "history", {"conversation_id": ada.received["offer"][0]["conversation_id"], "after_seq": 0}
    )
    outcomes = [e["data"] for e in history["events"] if e["type"] == "callback.outcome"]
    assert [(o["attempt"], o["will_retry"]) for o in outcomes] == [(1, True), (2, True), (3, False)]
    late = await ada.call("callback.outcome", {"contact_id": contact_id, "outcome": "reached"})
    assert late["ok"] is False and late["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("result", "status"), [("reached", "done"), ("wrong_number", "failed")])
async def test_final_outcomes_end_the_callback(
    clients: Clients, manual_clock: HandClock, result: str, status: str
) -> None:
    ada = await clients.ada()
    shopper, contact_id = await callback(clients)
    await take(ada, contact_id)
    await outcome(ada, contact_id, result)

    ended = await shopper.next("contact.ended", about(contact_id))
    assert ended == {"contact_id": contact_id, "reason": result}
    assert (await ada.next("contact.ended", about(contact_id)))["reason"] == result
    update = await shopper.next("callback.updated", lambda u: u["status"] != "scheduled")
    assert update == {"contact_id": contact_id, "status": status, "attempts": 1, "outcome": result}
    assert statuses(shopper) == [("scheduled", 0), (status, 1)]
    await manual_clock.advance(1.3)  # a retry would have come by now
    await settled(manual_clock, ada)
    assert offer_ids(ada) == [contact_id]


async def test_a_retried_callback_keeps_its_place_ahead_of_later_ones(
    clients: Clients, manual_clock: HandClock
) -> None:
    ada = await clients.ada()
    first_shopper, first = await callback(clients)
    await take(ada, first)
    second_shopper, second = await callback(clients, "+442071234567")
    third_shopper, third = await callback(clients, "+14155550100")

    await outcome(ada, first, "no_answer")
    told = len(first_shopper.received["contact.queued"])
    # Not due for a second: the next callback in line goes first meanwhile, and the third moves
    # up; the first, waiting for its time, has no place in line.
    await take(ada, second)
    await third_shopper.until(lambda: last_position(third_shopper) == 1)
    await settled(manual_clock, first_shopper)
    assert len(first_shopper.received["contact.queued"]) == told
    # Once due, the first is back at its original place, ahead of the later third.
    await manual_clock.advance(1.05)
    await first_shopper.until(lambda: len(first_shopper.received["contact.queued"]) > told)
    assert last_position(first_shopper) == 1
    await third_shopper.until(lambda: last_position(third_shopper) == 2)

    await outcome(ada, second, "reached")
    await take(ada, first, 2)
    assert offer_ids(ada) == [first, second, first]
    await outcome(ada, first, "reached")
    await take(ada, third)
    assert offer_ids(ada) == [first, second, first, third]
    assert statuses(first_shopper) == [("scheduled", 0), ("retry", 1), ("done", 2)]
    assert statuses(second_shopper) == [("scheduled", 0), ("done", 1)]


async def test_callback_outcome_on_a_chat_is_invalid(clients: Clients) -> None:
    ada = await clients.ada()
    shopper = await clients.customer()
    ack = await shopper.call("contact.request", {"channel": "chat"})
    await take(ada, ack["contact_id"])

    refused = await ada.call(
        "callback.outcome", {"contact_id": ack["contact_id"], "outcome": "no_answer"}
    )
    assert refused["ok"] is False and refused["error"]["code"] == "invalid"
    # Nothing changed: the chat is still Ada's, and nothing was recorded.
    reply = await ada.call(
        "message.send",
        {"conversation_id": ack["conversation_id"], "client_id": "m1", "text": "Still here"},
    )
    assert reply["ok"], reply
    history = await ada.call("history", {"conversation_id": ack["conversation_id"], "after_seq": 0})
    types = [e["type"] for e in history["events"]]
    assert "callback.outcome" not in types and "contact.ended" not in types
    assert shopper.received["callback.updated"] == []
    assert (await ada.call("contact.end", {"contact_id": ack["contact_id"]}))["ok"]


async def test_a_declined_callback_is_shown_offered_to_the_next_agent(
    clients: Clients, manual_clock: HandClock
) -> None:
    agents = {"ada": await clients.ada(), "bob": await clients.bob()}
    _, contact_id = await callback(clients)
    await settled(manual_clock, *agents.values())
    assert [n for n, w in agents.items() if offer_ids(w)] in (["ada"], ["bob"])
    first = next(n for n, w in agents.items() if offer_ids(w))
    second = "bob" if first == "ada" else "ada"
    assert (await agents[first].call("offer.decline", {"contact_id": contact_id}))["ok"]
    await nth_offer(agents[second], contact_id, 1)

    # The callbacks list (read from the store) agrees with the offer the agent holds.
    snapshot = await agents[second].call("snapshot", {})
    (listed,) = [c for c in snapshot["callbacks"] if c["id"] == contact_id]
    assert listed["state"] == "offered" and listed["agent_id"] == snapshot["agent"]["id"]


@pytest.mark.parametrize("result", ["reached", "no_answer"])
async def test_a_supervisors_outcome_ends_the_callback_as_its_agent(
    clients: Clients, manual_clock: HandClock, result: str
) -> None:
    ada = await clients.ada()
    sue = await clients.agent("sue@example.com", "sue-password", available=False)
    shopper, contact_id = await callback(clients)
    offer = await take(ada, contact_id)

    await outcome(sue, contact_id, result)
    await settled(manual_clock, ada, shopper)
    if result == "reached":
        # Ada is told, as if she had given the outcome herself.
        ended = await ada.next("contact.ended", about(contact_id))
        assert ended == {"contact_id": contact_id, "reason": "reached"}
        await sue.quiet("contact.ended", about(contact_id))
    # Either way Ada has left the room: the customer's later messages are not hers.
    ack = await shopper.call(
        "message.send",
        {"conversation_id": offer["conversation_id"], "client_id": "after", "text": "still here?"},
    )
    assert ack["ok"], ack
    await ada.quiet("event", lambda e: e["data"].get("client_id") == "after")


# the shopper's day (issue 13): national formats, a callback beside a live chat, its wrap-up


async def test_a_national_number_is_read_with_the_shoppers_country(clients: Clients) -> None:
    shopper = await clients.customer()
    ack = await shopper.call(
        "contact.request", {"channel": "callback", "phone": "06 12 34 56 78", "country": "FR"}
    )
    assert ack["ok"], ack
    # Stored and dialled in E.164; the shopper reads it as a French number is written.
    assert (ack["phone"], ack["phone_display"]) == (PHONE, "06 12 34 56 78")
    ada = await clients.ada()
    offer = await nth_offer(ada, ack["contact_id"], 1)
    assert offer["phone"] == PHONE

    # Another country's number, with its "+", reads internationally.
    other = await clients.customer()
    uk = await other.call(
        "contact.request", {"channel": "callback", "phone": "+44 20 7946 0958", "country": "fr"}
    )
    assert (uk["phone"], uk["phone_display"]) == ("+442079460958", "+44 20 7946 0958")


async def test_a_number_that_is_none_of_the_countrys_changes_nothing(clients: Clients) -> None:
    shopper = await clients.customer()
    token = shopper.received["session"][0]["visitor_token"]
    for bad in (
        {"phone": "06 12 34", "country": "FR"},
        {"phone": "01 23", "country": "FR"},
        {"phone": "06 12 34 56 78", "country": "FRA"},
        {"phone": "06 12 34 56 78", "country": 33},
    ):
        ack = await shopper.call("contact.request", {"channel": "callback", **bad})
        assert ack["ok"] is False and ack["error"]["code"] == "invalid", (bad, ack)
        assert "phone" in ack["error"]["message"] or "country" in ack["error"]["message"]
    again = await clients.customer(token)
    assert again.received["session"][0]["conversation_id"] is None
    assert shopper.received["callback.updated"] == []


async def test_a_callback_asked_during_a_live_chat_keeps_the_chat_open(clients: Clients) -> None:
    ada = await clients.ada()
    shopper, chat = await clients.request("chat", text="Is the lamp in stock?")
    await nth_offer(ada, chat, 1)
    assert (await ada.call("offer.accept", {"contact_id": chat}))["ok"]

    ack = await shopper.call("contact.request", {"channel": "callback", "phone": PHONE})
    assert ack["ok"], ack
    call = ack["contact_id"]
    # Its own contact, in the same conversation of the same customer.
    assert call != chat
    update = await shopper.next("callback.updated", about(call))
    assert update["status"] == "scheduled"
    # The chat goes on: nobody was told it ended, and both sides still write in it.
    await shopper.round_trip()
    await ada.round_trip()
    assert [e["contact_id"] for e in shopper.received["contact.ended"]] == []
    assert [e["contact_id"] for e in ada.received["contact.ended"]] == []
    said = await shopper.call(
        "message.send",
        {"conversation_id": ack["conversation_id"], "text": "Thanks!", "client_id": "c1"},
    )
    assert said["ok"], said
    history = await shopper.call(
        "history", {"conversation_id": ack["conversation_id"], "after_seq": 0}
    )
    assert "contact.ended" not in [e["type"] for e in history["events"]]
    snapshot = await ada.call("snapshot", {})
    assert [c["contact"]["id"] for c in snapshot["contacts"]] == [chat]

    # Ended by the shopper, the chat asks its survey; the callback is still booked.
    assert (await shopper.call("contact.cancel", {"contact_id": chat}))["ok"]
    assert (await ada.next("contact.ended", about(chat)))["reason"] == "cancelled"
    assert (await shopper.next("survey.request", about(chat)))["channel"] == "chat"
    await shopper.round_trip()
    assert [e["contact_id"] for e in shopper.received["contact.ended"]] == [chat]


async def test_a_waiting_chat_gives_way_to_the_callback(clients: Clients) -> None:
    shopper, chat = await clients.request("chat", text="Anyone there?")
    ack = await shopper.call("contact.request", {"channel": "callback", "phone": PHONE})
    assert ack["ok"], ack
    ended = await shopper.next("contact.ended", about(chat))
    assert ended["reason"] == "channel_switch"


async def test_a_callbacks_outcome_takes_the_sites_contact_reason(
    clients: Clients, hub_server: Any, manual_clock: HandClock
) -> None:
    ada = await clients.ada()
    start = manual_clock()
    shopper, contact_id = await callback(clients)
    await take(ada, contact_id)
    bad = await ada.call(
        "callback.outcome", {"contact_id": contact_id, "outcome": "reached", "reason": "Aliens"}
    )
    assert bad["ok"] is False and bad["error"]["code"] == "invalid", bad
    # Nothing changed: the call is still Ada's and still going on.
    await shopper.round_trip()
    assert shopper.received["contact.ended"] == []
    snapshot = await ada.call("snapshot", {})
    assert [c["contact"]["id"] for c in snapshot["contacts"]] == [contact_id]

    ack = await ada.call(
        "callback.outcome",
        {"contact_id": contact_id, "outcome": "reached", "reason": "Order status"},
    )
    assert ack["ok"], ack
    await shopper.next("contact.ended", about(contact_id))
    assert await top_reasons(hub_server, start - 60, manual_clock() + 60) == ["Order status"]

    # The wrap-up after the outcome (the console's dialog) takes a site's reason too.
    late = await ada.call("contact.end", {"contact_id": contact_id, "reason": "Payment"})
    assert late == {"ok": True, "already_ended": True}
    assert await top_reasons(hub_server, start - 60, manual_clock() + 60) == ["Payment"]
    wrong = await ada.call("contact.end", {"contact_id": contact_id, "reason": "Aliens"})
    assert wrong["error"]["code"] == "invalid"


async def top_reasons(hub_server: Any, start: float, end: float) -> list[str]:
    """The wrap-up reasons of the report summary, as a supervisor reads them over REST."""
    from datetime import UTC, datetime

    import aiohttp

    def iso(ts: float) -> str:
        return datetime.fromtimestamp(ts, UTC).isoformat()

    async with aiohttp.ClientSession() as http:
        async with http.post(
            hub_server.url + "/api/v1/auth/login",
            json={"email": "sue@example.com", "password": "sue-password"},
        ) as resp:
            token = (await resp.json())["token"]
        async with http.get(
            hub_server.url + "/api/v1/reports/summary",
            params={"site": hub_server.site_key, "from": iso(start), "to": iso(end)},
            headers={"Authorization": f"Bearer {token}"},
        ) as resp:
            assert resp.status == 200
            return [r["reason"] for r in (await resp.json())["top_reasons"]]
