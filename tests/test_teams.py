"""Teams (DESIGN §7, issue 11): a site's contacts go to its agents, who read all of its
customers and conversations, during and after a contact, and write only where assigned."""

from __future__ import annotations

import uuid

import pytest

from hub.actions import admin
from tests.kit.clients import ADA, BOB, Clients, about
from tests.kit.hub import HandClock, HubServer
from tests.kit.rest import login, request

pytestmark = pytest.mark.usefixtures("manual_clock")

SUE = ("sue@example.com", "sue-password")


async def test_a_sites_contacts_are_offered_to_its_team_only(
    hub_server: HubServer, clients: Clients
) -> None:
    db = hub_server.database_url
    await admin.update_agent(db, "ada@example.com", sites=["shop"])
    await admin.update_agent(db, "bob@example.com", sites=["demo"])
    ada, bob = await clients.ada(), await clients.bob()

    demo_shopper = await clients.customer(site_key="demo")
    ack = await demo_shopper.call("contact.request", {"channel": "chat", "text": "hello"})
    assert ack["ok"], ack
    await bob.next("offer", about(ack["contact_id"]))
    await ada.quiet("offer")

    shop_shopper = await clients.customer()
    ack = await shop_shopper.call("contact.request", {"channel": "chat", "text": "bonjour"})
    await ada.next("offer", about(ack["contact_id"]))
    assert [o["contact_id"] for o in bob.received["offer"]] != [ack["contact_id"]]


async def test_nobody_on_the_team_means_nobody_online_for_that_site(
    hub_server: HubServer, clients: Clients
) -> None:
    db = hub_server.database_url
    for email in ("ada@example.com", "bob@example.com", "sue@example.com"):
        await admin.update_agent(db, email, sites=["shop"])
    await clients.ada()
    shop = await clients.customer()
    demo = await clients.customer(site_key="demo")
    assert shop.received["session"][0]["agents_online"] is True
    assert demo.received["session"][0]["agents_online"] is False


async def test_a_team_changed_from_the_command_line_routes_without_a_reconnect(
    hub_server: HubServer, clients: Clients, manual_clock: HandClock
) -> None:
    db = hub_server.database_url
    await admin.update_agent(db, "ada@example.com", sites=["shop"])
    ada = await clients.ada()
    demo_shopper = await clients.customer(site_key="demo")
    ack = await demo_shopper.call("contact.request", {"channel": "chat", "text": "hi"})
    await ada.quiet("offer")

    await admin.update_agent(db, "ada@example.com", sites=admin.EVERY_SITE)
    # The running hub reads the agents' rows again at its next look (HUB_SESSION_CHECK).
    await manual_clock.advance(hub_server.hub.config.session_check_s + 0.1)
    await ada.next("offer", about(ack["contact_id"]))


async def test_an_agent_reads_their_sites_after_the_contact_and_writes_only_where_assigned(
    hub_server: HubServer, clients: Clients
) -> None:
    url, db = hub_server.url, hub_server.database_url
    await admin.update_agent(db, "bob@example.com", sites=["demo"])
    ada, bob = await clients.ada(), await clients.bob()
    shopper = await clients.customer()
    customer_id = shopper.received["session"][0]["customer_id"]
    ack = await shopper.call("contact.request", {"channel": "chat", "text": "where is it?"})
    contact_id, conversation_id = ack["contact_id"], ack["conversation_id"]
    await ada.next("offer", about(contact_id))
    assert (await ada.call("offer.accept", {"contact_id": contact_id}))["ok"]
    assert (await ada.call("contact.end", {"contact_id": contact_id}))["ok"]

    ada_token, bob_token = await login(url, *ADA), await login(url, *BOB)
    # After the contact, Ada still reads the customer and the conversation (REST and history).
    status, profile = await request(url, "GET", f"/api/v1/customers/{customer_id}", ada_token)
    assert status == 200 and profile["id"] == customer_id
    path = f"/api/v1/conversations/{conversation_id}/events"
    status, body = await request(url, "GET", path, ada_token)
    assert status == 200 and body["events"][0]["data"]["text"] == "where is it?"
    history = await ada.call("history", {"conversation_id": conversation_id, "after_seq": 0})
    assert history["ok"] and history["events"] == body["events"]
    # ... but writes only where assigned.
    for event, payload in (
        ("message.send", {"text": "one more thing", "client_id": str(uuid.uuid4())}),
        ("note.add", {"text": "a note", "client_id": str(uuid.uuid4())}),
        ("typing", {"typing": True}),
    ):
        refused = await ada.call(event, {"conversation_id": conversation_id, **payload})
        assert refused["error"]["code"] == "forbidden", (event, refused)
    status, body = await request(url, "GET", path, ada_token)
    assert [e["type"] for e in body["events"]].count("message") == 1

    # Bob serves the demo site only: this customer is none of his business.
    status, body = await request(url, "GET", f"/api/v1/customers/{customer_id}", bob_token)
    assert status == 403 and body["error"]["code"] == "forbidden"
    status, body = await request(url, "GET", path, bob_token)
    assert status == 403
    refused = await bob.call("history", {"conversation_id": conversation_id, "after_seq": 0})
    assert refused["error"]["code"] == "forbidden"

    # A supervisor reads every site's, whatever their team.
    await admin.update_agent(db, "sue@example.com", sites=["demo"])
    sue_token = await login(url, *SUE)
    status, _ = await request(url, "GET", f"/api/v1/customers/{customer_id}", sue_token)
    assert status == 200
