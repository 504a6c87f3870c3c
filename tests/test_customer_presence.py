"""Presence of the customer (issue 13, item 8): the agent sees whether the shopper is here and
since when, and a waiting contact whose shopper left is never offered, then abandoned.

The hub runs on a manual clock.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.clients import Clients, about
from tests.kit.hub import HandClock, HubServer
from tests.kit.wire import Wire

pytestmark = pytest.mark.usefixtures("manual_clock")

ABANDON_S = 60.0  # HUB_ABANDON_AFTER's default


def visitor(shopper: Wire) -> tuple[str, str]:
    session = shopper.received["session"][0]
    return session["visitor_token"], session["customer_id"]


async def leave(shopper: Wire, server: HubServer) -> tuple[str, str]:
    token, customer_id = visitor(shopper)
    await shopper.close()
    await server.customer_gone(customer_id)
    return token, customer_id


async def test_a_waiting_contact_whose_customer_left_is_never_offered_then_abandoned(
    clients: Clients, manual_clock: HandClock, hub_server: HubServer
) -> None:
    shopper, contact_id = await clients.request("chat")
    token, _ = await leave(shopper, hub_server)
    ada = await clients.ada()
    await manual_clock.advance(ABANDON_S - 1)
    await ada.quiet("offer")
    await manual_clock.advance(2)
    await ada.quiet("offer")
    back = await clients.customer(token)
    conversation_id = back.received["session"][0]["conversation_id"]
    history = await back.call("history", {"conversation_id": conversation_id, "after_seq": 0})
    ended = [e for e in history["events"] if e["type"] == "contact.ended"]
    assert ended[-1]["data"]["reason"] == "abandoned"
    assert ended[-1]["data"]["contact_id"] == contact_id


async def test_a_customer_back_in_time_is_offered_at_once(
    clients: Clients, manual_clock: HandClock, hub_server: HubServer
) -> None:
    shopper, contact_id = await clients.request("chat")
    token, _ = await leave(shopper, hub_server)
    ada = await clients.ada()
    await manual_clock.advance(30)
    await ada.quiet("offer")
    await clients.customer(token)
    await ada.next("offer", about(contact_id))


async def test_an_offer_is_withdrawn_when_its_customer_leaves(
    clients: Clients, manual_clock: HandClock, hub_server: HubServer
) -> None:
    ada = await clients.ada()
    shopper, contact_id = await clients.request("chat")
    await ada.next("offer", about(contact_id))
    await leave(shopper, hub_server)
    revoked = await ada.next("offer.revoked", about(contact_id))
    assert revoked["reason"] == "cancelled"
    ack = await ada.call("offer.accept", {"contact_id": contact_id})
    assert ack["error"]["code"] == "offer_expired"


def presence_of(customer: dict[str, Any]) -> tuple[bool, float | None, float | None]:
    return customer["online"], customer["online_since"], customer["last_seen"]


async def test_the_agent_sees_whether_the_customer_is_here_and_since_when(
    clients: Clients, manual_clock: HandClock, hub_server: HubServer
) -> None:
    ada = await clients.ada()
    shopper, contact_id = await clients.request("chat")
    joined = hub_server.hub.clock()
    _, customer_id = visitor(shopper)
    await ada.next("offer", about(contact_id))
    ack = await ada.call("offer.accept", {"contact_id": contact_id})
    assert presence_of(ack["customer"]) == (True, pytest.approx(joined, abs=0.01), None)
    await manual_clock.advance(20)
    token, _ = await leave(shopper, hub_server)
    left = hub_server.hub.clock()
    told = await ada.next("customer.presence", lambda p: not p["online"])
    assert told == {
        "customer_id": customer_id,
        "online": False,
        "online_since": None,
        "last_seen": left,
    }
    (mine,) = (await ada.call("snapshot", {}))["contacts"]
    assert presence_of(mine["customer"]) == (False, None, left)
    # An assigned contact stays the agent's while the customer is gone.
    await manual_clock.advance(ABANDON_S + 5)
    (still,) = (await ada.call("snapshot", {}))["contacts"]
    assert still["contact"]["id"] == contact_id
    await clients.customer(token)
    back = await ada.next("customer.presence", lambda p: p["online"])
    assert back["online_since"] == hub_server.hub.clock() and back["last_seen"] is None
    (mine,) = (await ada.call("snapshot", {}))["contacts"]
    assert presence_of(mine["customer"]) == (True, back["online_since"], None)
