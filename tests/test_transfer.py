"""Transfers, reassigns and watching (issue 13): a contact handed on keeps its place and history.

Real hub, raw socket.io customers and agents, on a manual clock (chat offers last 2 s, the
hold for a named agent, the sticky window, 2 s: see ``tests.kit.hub.hub_test_config``).
"""

from __future__ import annotations

from typing import Any

import pytest

from hub.actions import admin
from tests.kit.clients import Clients, about
from tests.kit.hub import HandClock, HubServer
from tests.kit.wire import Wire

pytestmark = pytest.mark.usefixtures("manual_clock")

SUE = ("sue@example.com", "sue-password")
CAT = ("cat@example.com", "cat-password")


async def assigned_to(w: Wire, contact_id: str) -> dict[str, Any]:
    await w.next("offer", about(contact_id))
    ack: dict[str, Any] = await w.call("offer.accept", {"contact_id": contact_id})
    assert ack["ok"], ack
    return ack


async def agent_id(w: Wire) -> str:
    return str((await w.call("snapshot", {}))["agent"]["id"])


def events_of(w: Wire, type: str) -> list[dict[str, Any]]:
    return [e for e in w.received["event"] if e["type"] == type]


async def test_transfer_to_a_named_agent_with_a_note(clients: Clients) -> None:
    ada = await clients.ada()
    shopper, contact_id = await clients.request("chat", text="Where is my parcel?")
    conversation_id = (await assigned_to(ada, contact_id))["conversation_id"]
    bob = await clients.bob()
    bob_id = await agent_id(bob)

    ack = await ada.call(
        "contact.transfer",
        {"contact_id": contact_id, "to_agent": bob_id, "note": "Parcel 42, lost in Lyon"},
    )
    assert ack == {"ok": True, "contact_id": contact_id, "to": {"id": bob_id, "name": "Bob"}}

    # Ada heard it in the room, then left it.
    moved = await ada.next("event", lambda e: e["type"] == "contact.transferred")
    assert moved["data"]["from"]["name"] == "Ada" and moved["data"]["to"]["id"] == bob_id
    offer = await bob.next("offer", about(contact_id))
    assert offer["conversation_id"] == conversation_id
    accepted = await bob.call("offer.accept", {"contact_id": contact_id})
    assert accepted["conversation_id"] == conversation_id  # the same conversation
    joined = await shopper.next("contact.assigned", lambda p: p["agent"]["name"] == "Bob")
    assert joined["contact_id"] == contact_id

    # Bob reads the whole history, the note included; the customer never sees the note.
    history = (await bob.call("history", {"conversation_id": conversation_id, "after_seq": 0}))[
        "events"
    ]
    types = [e["type"] for e in history]
    assert types[0] == "message" and history[0]["data"]["text"] == "Where is my parcel?"
    note = next(e for e in history if e["type"] == "note")
    assert note["data"]["text"] == "Parcel 42, lost in Lyon" and note["visibility"] == "agents"
    assert types.index("note") < types.index("contact.transferred")
    assert types[-1] == "contact.assigned"
    seen = await shopper.call("history", {"conversation_id": conversation_id, "after_seq": 0})
    assert "note" not in [e["type"] for e in seen["events"]]
    assert "contact.transferred" in [e["type"] for e in seen["events"]]

    # Ada no longer hears the conversation; Bob does.
    await shopper.call(
        "message.send", {"conversation_id": conversation_id, "client_id": "m1", "text": "hi"}
    )
    await bob.next("event", lambda e: e["type"] == "message" and e["data"]["text"] == "hi")
    await ada.quiet("event", lambda e: e["type"] == "message" and e["data"]["text"] == "hi")
    sent = await ada.call(
        "message.send", {"conversation_id": conversation_id, "client_id": "a1", "text": "me?"}
    )
    assert sent["error"]["code"] == "forbidden"
    assert (await ada.call("snapshot", {}))["contacts"] == []


async def test_a_declined_transfer_goes_back_to_the_queue_not_lost(
    clients: Clients, hub_server: HubServer
) -> None:
    ada = await clients.ada()
    shopper, contact_id = await clients.request("chat")
    await assigned_to(ada, contact_id)
    bob = await clients.bob()
    await ada.call("contact.transfer", {"contact_id": contact_id, "to_agent": await agent_id(bob)})
    await bob.next("offer", about(contact_id))
    assert (await bob.call("offer.decline", {"contact_id": contact_id}))["ok"]
    # Ada gave it away and Bob said no: it waits, first in line, for the next agent.
    await shopper.next("contact.queued", lambda p: p["position"] == 1)
    await hub_server.add_agent(*CAT, name="Cat")
    cat = await clients.agent(*CAT)
    await assigned_to(cat, contact_id)
    await shopper.next("contact.assigned", lambda p: p["agent"]["name"] == "Cat")


async def test_a_missed_transfer_goes_to_the_next_agent(
    clients: Clients, hub_server: HubServer, manual_clock: HandClock
) -> None:
    ada = await clients.ada()
    _, contact_id = await clients.request("chat")
    await assigned_to(ada, contact_id)
    bob = await clients.bob()
    await hub_server.add_agent(*CAT, name="Cat")
    cat = await clients.agent(*CAT)
    await ada.call("contact.transfer", {"contact_id": contact_id, "to_agent": await agent_id(bob)})
    await bob.next("offer", about(contact_id))
    await cat.quiet("offer", about(contact_id))  # held for Bob while his offer lasts
    await manual_clock.advance(2.05)
    await bob.next("offer.revoked", lambda p: p["reason"] == "expired")
    await assigned_to(cat, contact_id)


async def test_a_named_agent_who_is_away_is_waited_for_then_anyone(
    clients: Clients, hub_server: HubServer, manual_clock: HandClock
) -> None:
    ada = await clients.ada()
    _, contact_id = await clients.request("chat")
    await assigned_to(ada, contact_id)
    bob = await clients.bob(available=False)
    await hub_server.add_agent(*CAT, name="Cat")
    cat = await clients.agent(*CAT)
    sue = await clients.agent(*SUE, available=False)
    ack = await ada.call(
        "contact.transfer", {"contact_id": contact_id, "to_agent": await agent_id(bob)}
    )
    assert ack["ok"], ack
    await cat.quiet("offer", about(contact_id))  # held for Bob, who is away
    # Waiting for Bob, it is with no agent: a supervisor has nothing to reassign.
    refused = await sue.call("contact.transfer", {"contact_id": contact_id})
    assert refused["error"]["code"] == "not_assigned"
    await manual_clock.advance(2.05)  # the hold (the 2 s sticky window of the tests) ends
    await assigned_to(cat, contact_id)
    await bob.quiet("offer")


async def test_back_to_the_queue_keeps_its_place_and_needs_the_new_skills(
    clients: Clients, hub_server: HubServer
) -> None:
    ada = await clients.ada()
    first, contact_id = await clients.request("chat")
    await assigned_to(ada, contact_id)
    assert (await ada.call("presence", {"status": "away"}))["ok"]
    second, later_id = await clients.request("chat")
    await second.next("contact.queued", lambda p: p["position"] == 1)

    ack = await ada.call("contact.transfer", {"contact_id": contact_id, "skills": ["billing"]})
    assert ack["ok"] and ack["to"] is None
    # Its original enqueued time puts it ahead of the contact that came after it.
    await first.next("contact.queued", lambda p: p["position"] == 1)
    await second.next("contact.queued", lambda p: p["position"] == 2)
    moved = await first.next("event", lambda e: e["type"] == "contact.transferred")
    assert moved["data"]["to"] is None and moved["data"]["skills"] == ["billing"]

    # Bob has no billing skill: he gets the later contact, not the transferred one.
    bob = await clients.bob()
    await bob.next("offer", about(later_id))
    await hub_server.add_agent(*CAT, name="Cat", skills=["billing"])
    cat = await clients.agent(*CAT)
    await assigned_to(cat, contact_id)
    await bob.quiet("offer", about(contact_id))


async def test_refused_transfers_say_why_and_change_nothing(
    clients: Clients, hub_server: HubServer
) -> None:
    ada = await clients.ada()
    _, contact_id = await clients.request("chat")
    await assigned_to(ada, contact_id)
    ada_id = await agent_id(ada)
    bob = await clients.bob(available=False)
    bob_id = await agent_id(bob)
    far_id = await hub_server.add_agent("far@example.com", "far-password", sites=["demo"])
    gone_id = await hub_server.add_agent("gone@example.com", "gone-password")
    await admin.update_agent(hub_server.database_url, "gone@example.com", disabled=True)

    async def refused(w: Wire, payload: dict[str, Any]) -> str:
        ack = await w.call("contact.transfer", payload)
        assert ack["ok"] is False, ack
        return str(ack["error"]["code"])

    mine = {"contact_id": contact_id}
    # The dialog offers only those a transfer may name: not Ada, nor the disabled or far one.
    listed = await ada.call("transfer.targets", mine)
    assert [(a["name"], a["status"]) for a in listed["agents"]] == [
        ("Bob", "away"),
        ("Sue", "offline"),
    ]
    assert (await bob.call("transfer.targets", mine))["error"]["code"] == "forbidden"
    assert await refused(ada, {"contact_id": "nope"}) == "not_found"
    assert await refused(bob, mine) == "forbidden"  # not his
    assert await refused(ada, {**mine, "to_agent": ada_id}) == "same_agent"
    assert await refused(ada, {**mine, "to_agent": "nobody"}) == "unknown_agent"
    assert await refused(ada, {**mine, "to_agent": gone_id}) == "unknown_agent"
    assert await refused(ada, {**mine, "to_agent": far_id}) == "not_on_site"
    assert await refused(ada, {**mine, "skills": ["Not A Skill"]}) == "invalid"
    assert await refused(ada, {**mine, "note": "   "}) == "invalid"

    # Nothing changed: still Ada's, nobody offered it, nothing on the timeline.
    snap = await ada.call("snapshot", {})
    assert [c["contact"]["id"] for c in snap["contacts"]] == [contact_id]
    assert "contact.transferred" not in [e["type"] for e in snap["contacts"][0]["events"]]
    assert (await bob.call("presence", {"status": "available"}))["ok"]
    await bob.quiet("offer")

    assert (await ada.call("contact.end", mine))["ok"]
    assert await refused(ada, {**mine, "to_agent": bob_id}) == "contact_ended"


async def test_a_supervisor_reassigns_and_watches(clients: Clients) -> None:
    ada = await clients.ada()
    shopper, contact_id = await clients.request("chat", text="Hello")
    conversation_id = (await assigned_to(ada, contact_id))["conversation_id"]
    sue = await clients.agent(*SUE, available=False)

    # The live queue lists every contact now, for supervisors only.
    listed = await sue.call("contact.list", {})
    assert [(c["id"], c["state"], c["customer"]["id"]) for c in listed["contacts"]] == [
        (
            contact_id,
            "assigned",
            (await shopper.call("history", {"conversation_id": conversation_id, "after_seq": 0}))[
                "events"
            ][0]["author"]["id"],
        )
    ]
    assert (await ada.call("contact.list", {}))["error"]["code"] == "forbidden"

    # Agents do not watch; supervisors do, and see the whole conversation live, read-only.
    assert (await ada.call("contact.watch", {"contact_id": contact_id}))["error"][
        "code"
    ] == "forbidden"
    watched = await sue.call("contact.watch", {"contact_id": contact_id})
    assert watched["ok"] and watched["contact"]["agent_id"] == await agent_id(ada)
    assert watched["contact"]["conversation_id"] == conversation_id
    assert [e["data"].get("text") for e in watched["events"] if e["type"] == "message"] == ["Hello"]
    assert (await shopper.call("typing", {"conversation_id": conversation_id, "typing": True}))[
        "ok"
    ]
    await sue.next("typing", lambda p: p["conversation_id"] == conversation_id)
    await shopper.call(
        "message.send",
        {"conversation_id": conversation_id, "client_id": "c1", "text": "Still there?"},
    )
    await sue.next("event", lambda e: e["data"].get("text") == "Still there?")
    said = await sue.call(
        "message.send", {"conversation_id": conversation_id, "client_id": "s1", "text": "hi"}
    )
    assert said["error"]["code"] == "forbidden"

    # The reassign: Sue moves Ada's contact to Bob; the timeline says she did.
    bob = await clients.bob()
    ack = await sue.call(
        "contact.transfer", {"contact_id": contact_id, "to_agent": await agent_id(bob)}
    )
    assert ack["ok"], ack
    moved = await sue.next("event", lambda e: e["type"] == "contact.transferred")
    assert moved["author"]["name"] == "Sue" and moved["data"]["from"]["name"] == "Ada"
    await assigned_to(bob, contact_id)
    await shopper.next("contact.assigned", lambda p: p["agent"]["name"] == "Bob")

    assert (await sue.call("contact.unwatch", {"contact_id": contact_id}))["ok"]
    await shopper.call(
        "message.send", {"conversation_id": conversation_id, "client_id": "c2", "text": "After"}
    )
    await bob.next("event", lambda e: e["data"].get("text") == "After")
    await sue.quiet("event", lambda e: e["data"].get("text") == "After")
    assert (await sue.call("contact.watch", {"contact_id": "nope"}))["error"]["code"] == "not_found"
