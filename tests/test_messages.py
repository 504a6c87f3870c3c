"""The timeline over the wire: exactly-once sends, gapless seqs, history, every socket told."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.kit.clients import Clients
from tests.kit.wire import Wire


class Chat:
    """A customer and Ada in one assigned chat (the kit's Clients closes every socket)."""

    def __init__(self, clients: Clients) -> None:
        self.clients = clients
        self.conversation_id = ""

    async def open(self) -> tuple[Wire, Wire]:
        ada = await self.agent()
        shopper = await self.customer()
        ack = await shopper.call("contact.request", {"channel": "chat"})
        assert ack["ok"], ack
        self.conversation_id = ack["conversation_id"]
        await ada.next("offer", lambda o: o["contact_id"] == ack["contact_id"])
        assert (await ada.call("offer.accept", {"contact_id": ack["contact_id"]}))["ok"]
        await shopper.next("contact.assigned")
        return shopper, ada

    async def customer(self, token: str | None = None) -> Wire:
        return await self.clients.customer(token)

    async def agent(self) -> Wire:
        return await self.clients.ada()

    async def send(self, w: Wire, client_id: str, text: str) -> int:
        ack = await w.call(
            "message.send",
            {"conversation_id": self.conversation_id, "client_id": client_id, "text": text},
        )
        assert ack["ok"], ack
        return int(ack["seq"])

    async def history(self, w: Wire, after_seq: int = 0) -> list[dict[str, Any]]:
        ack = await w.call(
            "history", {"conversation_id": self.conversation_id, "after_seq": after_seq}
        )
        assert ack["ok"], ack
        events: list[dict[str, Any]] = ack["events"]
        return events


@pytest.fixture
def chat(clients: Clients) -> Chat:
    return Chat(clients)


def seqs_of(w: Wire, conversation_id: str) -> list[int]:
    return [e["seq"] for e in w.received["event"] if e["conversation_id"] == conversation_id]


async def wait_for_seq(w: Wire, seq: int) -> dict[str, Any]:
    event: dict[str, Any] = await w.next("event", lambda e: e["seq"] == seq)
    return event


async def test_send_is_idempotent_by_client_id(chat: Chat) -> None:
    shopper, ada = await chat.open()
    first = await chat.send(shopper, "retry-me", "Hello?")
    again = await chat.send(shopper, "retry-me", "Hello?")
    assert again == first
    # Retries racing each other are one message too.
    raced = await asyncio.gather(*(chat.send(shopper, "raced", "Anyone?") for _ in range(8)))
    assert len(set(raced)) == 1 and raced[0] == first + 1

    last = await chat.send(shopper, "after", "Thanks")
    assert last == first + 2
    await wait_for_seq(ada, last)
    history = await chat.history(shopper)
    by_client = [e["data"]["client_id"] for e in history if e["type"] == "message"]
    assert by_client == ["retry-me", "raced", "after"]
    # Pushed once each, too.
    pushed = [e["seq"] for e in ada.received["event"] if e["type"] == "message"]
    assert pushed == [first, first + 1, last]

    # A client_id is the sender's own: the agent may use the same one for another message.
    reply = await chat.send(ada, "retry-me", "Hi, how can I help?")
    assert reply == last + 1


async def test_seqs_increase_without_gaps_under_concurrent_sends(chat: Chat) -> None:
    shopper, ada = await chat.open()
    start = max(e["seq"] for e in await chat.history(shopper))
    sends = [chat.send(shopper, f"c{i}", f"customer {i}") for i in range(50)]
    sends += [chat.send(ada, f"a{i}", f"agent {i}") for i in range(50)]
    acked = await asyncio.gather(*sends)

    expected = list(range(start + 1, start + 101))
    assert sorted(acked) == expected
    history = await chat.history(ada, after_seq=start)
    assert [e["seq"] for e in history] == expected
    # Each ack names the stored event of that very send.
    stored = {e["data"]["client_id"]: e["seq"] for e in history}
    client_ids = [f"c{i}" for i in range(50)] + [f"a{i}" for i in range(50)]
    assert [stored[c] for c in client_ids] == acked

    # Both sides are pushed every event, in seq order.
    for w in (shopper, ada):
        await wait_for_seq(w, start + 100)
        pushed = [s for s in seqs_of(w, chat.conversation_id) if s > start]
        assert pushed == expected


async def test_history_after_seq_returns_exactly_the_missing_events(chat: Chat) -> None:
    shopper, ada = await chat.open()
    acked = [await chat.send(shopper, f"m{i}", f"message {i}") for i in range(10)]
    last_seen = acked[5]

    missing = await chat.history(shopper, after_seq=last_seen)
    assert [e["seq"] for e in missing] == acked[6:]
    assert [e["data"]["text"] for e in missing] == [f"message {i}" for i in range(6, 10)]
    assert await chat.history(ada, after_seq=last_seen) == missing
    assert await chat.history(shopper, after_seq=acked[-1]) == []
    # From the start: everything, each seq once, in order.
    everything = await chat.history(shopper)
    assert [e["seq"] for e in everything] == list(range(1, acked[-1] + 1))


async def test_a_customer_on_two_sockets_gets_every_event_on_both(chat: Chat) -> None:
    ada = await chat.agent()
    phone = await chat.customer()
    token = phone.received["session"][0]["visitor_token"]
    # The second tab opens before the conversation exists.
    laptop = await chat.customer(token)
    assert (
        laptop.received["session"][0]["customer_id"] == phone.received["session"][0]["customer_id"]
    )

    ack = await phone.call("contact.request", {"channel": "chat", "text": "Hi from my phone"})
    assert ack["ok"], ack
    chat.conversation_id = ack["conversation_id"]
    await ada.next("offer", lambda o: o["contact_id"] == ack["contact_id"])
    assert (await ada.call("offer.accept", {"contact_id": ack["contact_id"]}))["ok"]
    await chat.send(ada, "a1", "Hello!")
    await chat.send(laptop, "l1", "Typing on my laptop now")
    last = await chat.send(phone, "p1", "And back on the phone")

    everything = [e["seq"] for e in await chat.history(phone)]
    assert everything == list(range(1, last + 1))
    for w in (phone, laptop):
        await wait_for_seq(w, last)
        assert seqs_of(w, chat.conversation_id) == everything
        assigned = await w.next("contact.assigned")
        assert assigned["contact_id"] == ack["contact_id"]

    # A third socket opened later joins the same conversation at once.
    tablet = await chat.customer(token)
    assert tablet.received["session"][0]["conversation_id"] == chat.conversation_id
    newest = await chat.send(ada, "a2", "Welcome, tablet")
    for w in (phone, laptop, tablet):
        assert (await wait_for_seq(w, newest))["data"]["text"] == "Welcome, tablet"


async def test_private_notes_reach_agents_but_never_the_customer(chat: Chat) -> None:
    shopper, ada = await chat.open()
    note = await ada.call(
        "note.add",
        {"conversation_id": chat.conversation_id, "client_id": "n1", "text": "VIP, be nice"},
    )
    assert note["ok"], note
    pushed = await wait_for_seq(ada, note["seq"])
    assert pushed["type"] == "note" and pushed["visibility"] == "agents"
    assert pushed["data"]["text"] == "VIP, be nice"

    # Events reach a socket in order: once the next message is in, the note would have been too.
    after = await chat.send(ada, "m1", "Let me check that for you")
    await wait_for_seq(shopper, after)
    assert note["seq"] not in seqs_of(shopper, chat.conversation_id)
    assert [e for e in shopper.received["event"] if e["type"] == "note"] == []

    customer_view = await chat.history(shopper)
    assert "note" not in [e["type"] for e in customer_view]
    assert all("VIP" not in str(e["data"]) for e in customer_view)
    assert await chat.history(shopper, after_seq=note["seq"] - 1) == [
        e for e in customer_view if e["seq"] == after
    ]
    agent_view = await chat.history(ada)
    notes = [e for e in agent_view if e["type"] == "note"]
    assert [(n["seq"], n["data"]["text"]) for n in notes] == [(note["seq"], "VIP, be nice")]
