"""A restart with a contact assigned: the router is rebuilt from the store, the contact stays with
its agent for the grace period, and goes back to the queue at its place if the agent does not
come back.

The hub runs as a real subprocess (``python -m hub serve``, ``tests.kit.process``), killed
with SIGKILL and started again on the same database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.actions import admin
from tests.kit.clients import Clients, about
from tests.kit.process import HubProcess
from tests.kit.wire import Wire

pytestmark = pytest.mark.slow

SITE_KEY = "shop"
GRACE_S = 3.0
ADA = {"email": "ada@example.com", "name": "Ada", "password": "ada-password", "role": "agent"}
ADA_LOGIN = ("ada@example.com", "ada-password")
BOB = {"email": "bob@example.com", "name": "Bob", "password": "bob-password", "role": "agent"}
BOB_LOGIN = ("bob@example.com", "bob-password")


@pytest.fixture
async def hub_process(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[HubProcess]:
    await admin.add_site(database_url, SITE_KEY, "restart-test-secret-0123456789")
    await admin.add_agents(database_url, [ADA, BOB])
    # HubProcess passes its own environment on to the hub.
    monkeypatch.setenv("HUB_AGENT_GRACE", str(GRACE_S))
    monkeypatch.setenv("HUB_OFFER_TIMEOUT_CHAT", "5")
    process = HubProcess(database_url, tmp_path / "hub.log")
    await process.start()
    try:
        yield process
    finally:
        await process.stop()


@pytest.fixture
async def clients() -> AsyncIterator[Clients]:
    """Clients of the hub in a subprocess: each call passes its URL."""
    async with Clients() as c:
        yield c


async def request(w: Wire) -> tuple[str, str]:
    ack = await w.call("contact.request", {"channel": "chat"})
    assert ack["ok"], ack
    return ack["contact_id"], ack["conversation_id"]


async def assigned_before_a_kill(hub: HubProcess, clients: Clients) -> tuple[str, str, str]:
    """Ada takes a contact, then the hub is killed. Returns (visitor token, contact, conv)."""
    ada = await clients.agent(*ADA_LOGIN, url=hub.url)
    shopper = await clients.customer(url=hub.url, site_key=SITE_KEY)
    token = shopper.received["session"][0]["visitor_token"]
    contact_id, conversation_id = await request(shopper)
    await ada.next("offer", about(contact_id))
    assert (await ada.call("offer.accept", {"contact_id": contact_id}))["ok"]
    await shopper.next("contact.assigned", about(contact_id))
    return token, contact_id, conversation_id


async def test_the_agent_back_within_the_grace_period_keeps_the_contact(
    hub_process: HubProcess, clients: Clients
) -> None:
    token, contact_id, conversation_id = await assigned_before_a_kill(hub_process, clients)
    await hub_process.kill()
    await hub_process.start()
    url = hub_process.url
    started = time.monotonic()

    ada = await clients.agent(*ADA_LOGIN, url=url)
    shopper = await clients.customer(token, url=url, site_key=SITE_KEY)
    snapshot = await ada.call("snapshot", {})
    assert [c["contact"]["id"] for c in snapshot["contacts"]] == [contact_id]
    assert snapshot["contacts"][0]["contact"]["state"] == "assigned"

    await asyncio.sleep(max(0.0, GRACE_S + 0.5 - (time.monotonic() - started)))
    # Still hers: not requeued, and the conversation goes on both ways.
    history = await shopper.call("history", {"conversation_id": conversation_id, "after_seq": 0})
    assert "contact.requeued" not in [e["type"] for e in history["events"]]
    assert "contact.queued" not in shopper.received
    reply = await ada.call(
        "message.send",
        {"conversation_id": conversation_id, "client_id": "r1", "text": "Still here"},
    )
    assert reply["ok"], reply
    await shopper.next("event", lambda e: e["seq"] == reply["seq"])
    sent = await shopper.call(
        "message.send", {"conversation_id": conversation_id, "client_id": "c1", "text": "Thanks"}
    )
    await ada.next("event", lambda e: e["seq"] == sent["seq"])


async def test_the_contact_goes_back_to_its_place_when_the_agent_does_not_return(
    hub_process: HubProcess, clients: Clients
) -> None:
    token, held, conversation_id = await assigned_before_a_kill(hub_process, clients)
    await hub_process.kill()
    await hub_process.start()
    url = hub_process.url
    started = time.monotonic()

    # During the grace period Ada's contact is not anyone else's: Bob is offered only a
    # contact asked for after the restart, which then waits behind the held one.
    bob = await clients.agent(*BOB_LOGIN, url=url)
    shopper = await clients.customer(token, url=url, site_key=SITE_KEY)
    later_shopper = await clients.customer(url=url, site_key=SITE_KEY)
    later, _ = await request(later_shopper)
    await bob.next("offer", about(later))
    assert (await bob.call("offer.decline", {"contact_id": later}))["ok"]
    assert (await bob.call("presence", {"status": "away"}))["ok"]
    assert time.monotonic() - started < GRACE_S, "too slow to check the grace period"
    assert [o["contact_id"] for o in bob.received["offer"]] == [later]

    requeued = await shopper.next(
        "event", lambda e: e["type"] == "contact.requeued", timeout=GRACE_S + 3
    )
    assert time.monotonic() - started >= GRACE_S - 1.0
    assert requeued["conversation_id"] == conversation_id
    assert requeued["data"] == {"contact_id": held, "reason": "agent_disconnected"}
    # Back at its original place, ahead of the contact asked for after the restart.
    await shopper.next("contact.queued", lambda q: q["contact_id"] == held and q["position"] == 1)
    await later_shopper.next("contact.queued", lambda q: q["position"] == 2)

    # The first one offered when someone is free again.
    assert (await bob.call("presence", {"status": "available"}))["ok"]
    await bob.next("offer", about(held))
    assert [o["contact_id"] for o in bob.received["offer"]] == [later, held]
    assert (await bob.call("offer.accept", {"contact_id": held}))["ok"]
