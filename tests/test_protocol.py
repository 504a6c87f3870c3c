"""The DESIGN §5 contract, spoken over raw socket.io against a real hub."""

from __future__ import annotations

import uuid

from tests.kit.hub import HubServer
from tests.kit.wire import agent, customer


async def test_chat_round_trip(hub_server: HubServer) -> None:
    url = hub_server.url
    ada = await agent(url, "ada@example.com", "ada-password")
    shopper = await customer(url, hub_server.site_key)
    session = shopper.received["session"][0]
    assert (
        session["customer_id"] and session["visitor_token"] and session["conversation_id"] is None
    )

    ack = await shopper.call("contact.request", {"channel": "chat", "text": "Where is my order?"})
    assert ack["ok"], ack
    offer = await ada.next("offer")
    assert offer["contact_id"] == ack["contact_id"]
    assert offer["channel"] == "chat" and offer["conversation_id"] == ack["conversation_id"]
    assert offer["expires_in_ms"] > 0

    accepted = await ada.call("offer.accept", {"contact_id": ack["contact_id"]})
    assert accepted["ok"] and accepted["conversation_id"] == ack["conversation_id"]
    assigned = await shopper.next("contact.assigned")
    assert assigned["agent"]["name"] == "Ada"

    reply = await ada.call(
        "message.send",
        {
            "conversation_id": ack["conversation_id"],
            "client_id": str(uuid.uuid4()),
            "text": "On its way",
        },
    )
    assert reply["ok"]
    got = await shopper.next(
        "event", lambda e: e["type"] == "message" and e["data"]["text"] == "On its way"
    )
    assert got["seq"] == reply["seq"] and got["author"]["role"] == "agent"

    history = await shopper.call(
        "history", {"conversation_id": ack["conversation_id"], "after_seq": 0}
    )
    types = [e["type"] for e in history["events"]]
    assert types == ["message", "contact.requested", "contact.assigned", "message"]
    assert [e["seq"] for e in history["events"]] == [1, 2, 3, 4]
    await shopper.close()
    await ada.close()
