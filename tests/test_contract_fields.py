"""Contract fields clients rely on (DESIGN §5): waits, the customer, skills, page, wrap-up."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from hub.actions import admin
from hub.errors import HubError
from hub.sdk import AgentClient, CustomerClient
from hub.store.schema import contact_events, contacts
from tests.kit.clients import ADA, BOB, Clients, about, sdk_never
from tests.kit.hub import HandClock, HubServer

# The hub runs on a clock the tests move: a wait lasts exactly as long as a test says.
pytestmark = pytest.mark.usefixtures("manual_clock")

WAIT_S = 0.4


class People:
    """The customers and agents of a test, through the SDK (closed by the kit's Clients)."""

    def __init__(self, clients: Clients) -> None:
        self.clients = clients

    async def customer(self) -> CustomerClient:
        return await self.clients.sdk_customer()

    async def agent(self, email: str, password: str, *, available: bool = True) -> AgentClient:
        return await self.clients.sdk_agent(email, password, available=available)

    async def ada(self, *, available: bool = True) -> AgentClient:
        return await self.agent(*ADA, available=available)

    async def bob(self) -> AgentClient:
        return await self.agent(*BOB)


@pytest.fixture
def people(clients: Clients) -> People:
    return People(clients)


never = sdk_never


async def contact_row(server: HubServer, contact_id: str) -> dict[str, Any]:
    async with server.hub.db.connect() as conn:
        row = (await conn.execute(select(contacts).where(contacts.c.id == contact_id))).one()
    return dict(row._mapping)


async def contact_event_types(server: HubServer, contact_id: str) -> list[str]:
    async with server.hub.db.connect() as conn:
        rows = await conn.execute(
            select(contact_events.c.type)
            .where(contact_events.c.contact_id == contact_id)
            .order_by(contact_events.c.id)
        )
        return [r[0] for r in rows]


async def test_waited_ms_counts_from_the_request_on_offer_and_assignment(
    people: People, manual_clock: HandClock
) -> None:
    ada = await people.ada(available=False)
    shopper = await people.customer()
    contact_id = (await shopper.request_contact("chat"))["contact_id"]
    await manual_clock.advance(WAIT_S + 0.005)  # a hair more: milliseconds are rounded down
    await ada.set_presence("available")
    offer = await ada.wait_for("offer", about(contact_id))
    assert offer["waited_ms"] in (WAIT_S * 1000 + 4, WAIT_S * 1000 + 5), offer["waited_ms"]
    await manual_clock.advance(0.25)
    await ada.accept(contact_id)
    assigned = await shopper.wait_for("contact.assigned", about(contact_id))
    assert assigned["waited_ms"] - offer["waited_ms"] in (249, 250, 251)
    assert assigned["channel"] == "chat"
    assert assigned["agent"] == {"id": ada.agent["id"], "name": "Ada"}

    # An agent already free: the offer goes out at once, and says so.
    other = await people.customer()
    bob = await people.bob()
    quick = (await other.request_contact("chat"))["contact_id"]
    assert 0 <= (await bob.wait_for("offer", about(quick)))["waited_ms"] < WAIT_S * 1000


async def test_offer_and_accept_carry_the_customer(hub_server: HubServer, people: People) -> None:
    shopper = await people.customer()
    await shopper.identify(name="Zoe", email="Zoe@Example.com")
    await shopper.page("https://shop.example/cart", "Your cart")
    ada = await people.ada()
    contact_id = (await shopper.request_contact("chat", text="Where is my order?"))["contact_id"]

    offer = await ada.wait_for("offer", about(contact_id))
    assert offer["customer"] == {"id": shopper.customer_id, "name": "Zoe"}
    assert offer["conversation_id"] == shopper.conversation_id
    assert offer["text"] == "Where is my order?"

    ack = await ada.accept(contact_id)
    customer = ack["customer"]
    assert set(customer) >= {"id", "name", "page", "identifiers", "conversations"}
    assert customer["id"] == shopper.customer_id and customer["name"] == "Zoe"
    assert customer["page"]["url"] == "https://shop.example/cart"
    assert customer["page"]["title"] == "Your cart"
    assert {"kind": "email", "value": "zoe@example.com", "verified": False} in [
        {k: i[k] for k in ("kind", "value", "verified")} for i in customer["identifiers"]
    ]
    assert [c["id"] for c in customer["conversations"]] == [shopper.conversation_id]
    assert customer["conversations"][0]["last_seq"] >= 2  # the text, then contact.requested


async def test_a_contact_needing_skills_goes_only_to_an_agent_who_has_them(
    hub_server: HubServer, people: People
) -> None:
    await hub_server.add_agent("fleur@example.com", name="Fleur", skills=["fr", "billing"])
    ada = await people.ada()
    shopper = await people.customer()
    ack = await shopper.call("contact.request", {"channel": "chat", "skills": ["fr"]})
    contact_id = ack["contact_id"]
    # Ada is free but speaks no French: the customer is told nobody can take it now.
    await shopper.wait_for("contact.no_agent", about(contact_id))
    assert await never(ada, "offer", about(contact_id))

    fleur = await people.agent("fleur@example.com", "agent-password")
    offer = await fleur.wait_for("offer", about(contact_id))
    assert offer["channel"] == "chat"
    await fleur.accept(contact_id)

    # Without skills anyone may take it; needing one Fleur lacks, nobody does.
    other = await people.customer()
    anyone = (await other.call("contact.request", {"channel": "chat"}))["contact_id"]
    await ada.wait_for("offer", about(anyone))
    third = await people.customer()
    german = (await third.call("contact.request", {"channel": "chat", "skills": ["de"]}))[
        "contact_id"
    ]
    await third.wait_for("contact.no_agent", about(german))
    assert await never(fleur, "offer", about(german))


async def test_the_customer_page_reaches_the_agent_and_the_profile(
    hub_server: HubServer, people: People
) -> None:
    ada = await people.ada()
    shopper = await people.customer()
    contact_id = (await shopper.request_contact("chat"))["contact_id"]
    await ada.wait_for("offer", about(contact_id))
    await ada.accept(contact_id)

    await shopper.page("https://shop.example/p/42", "Blue kettle")
    seen = await ada.wait_for("customer.page")
    assert seen["customer_id"] == shopper.customer_id
    assert seen["conversation_id"] == shopper.conversation_id
    assert seen["page"]["url"] == "https://shop.example/p/42"
    assert seen["page"]["title"] == "Blue kettle"
    assert isinstance(seen["page"]["ts"], float)

    profile = await ada.get_customer(str(shopper.customer_id))
    assert profile["page"] == seen["page"]
    # Bob holds no contact of this customer: the page is not pushed to him. He reads the
    # profile while he serves the customer's site, and not once he serves another one only.
    bob = await people.bob()
    assert await never(bob, "customer.page")
    assert (await bob.get_customer(str(shopper.customer_id)))["page"] == seen["page"]
    await admin.update_agent(hub_server.database_url, "bob@example.com", sites=["demo"])
    with pytest.raises(HubError) as refused:
        await bob.get_customer(str(shopper.customer_id))
    assert refused.value.code == "forbidden"


async def test_contact_end_stores_the_wrap_up(hub_server: HubServer, people: People) -> None:
    ada = await people.ada()
    shopper = await people.customer()
    contact_id = (await shopper.request_contact("chat"))["contact_id"]
    await ada.wait_for("offer", about(contact_id))
    await ada.accept(contact_id)

    ack = await ada.call(
        "contact.end", {"contact_id": contact_id, "resolved": True, "reason": "Order status"}
    )
    assert ack == {"ok": True}
    assert (await shopper.wait_for("contact.ended", about(contact_id)))["reason"] == "ended"
    ended = await shopper.history()
    assert ended[-1]["type"] == "contact.ended"
    assert ended[-1]["data"]["reason"] == "ended"
    row = await contact_row(hub_server, contact_id)
    assert (row["state"], row["end_reason"]) == ("ended", "ended")
    assert (row["resolved"], row["reason"]) == (True, "Order status")


async def test_late_wrap_up_after_the_customer_left(hub_server: HubServer, people: People) -> None:
    ada = await people.ada()
    shopper = await people.customer()
    contact_id = (await shopper.request_contact("chat"))["contact_id"]
    # Bob comes after the offer: two agents who never served tie on idleness, and the hub
    # breaks that tie by agent id, which differs from one seeded database to the next.
    await ada.wait_for("offer", about(contact_id))
    bob = await people.bob()
    await ada.accept(contact_id)
    await shopper.cancel_contact(contact_id)
    assert (await ada.wait_for("contact.ended", about(contact_id)))["reason"] == "cancelled"

    # Only the contact's last agent may wrap it up afterwards.
    with pytest.raises(HubError) as refused:
        await bob.call("contact.end", {"contact_id": contact_id, "resolved": True})
    assert refused.value.code == "forbidden"
    ack = await ada.call(
        "contact.end", {"contact_id": contact_id, "resolved": False, "reason": "Returns"}
    )
    assert ack == {"ok": True, "already_ended": True}
    row = await contact_row(hub_server, contact_id)
    assert (row["state"], row["end_reason"]) == ("ended", "cancelled")
    assert (row["resolved"], row["reason"]) == (False, "Returns")
    assert (await contact_event_types(hub_server, contact_id))[-1] == "wrapup"
    # The wrap-up adds nothing to the customer's timeline.
    history = await shopper.history()
    assert [e["type"] for e in history].count("contact.ended") == 1
    assert history[-1]["type"] == "contact.ended"

    # Fifteen minutes later the window is closed.
    async with hub_server.hub.tx() as conn:
        await conn.execute(
            update(contacts)
            .where(contacts.c.id == contact_id)
            .values(ended_at=row["ended_at"] - 15 * 60 - 1)
        )
    with pytest.raises(HubError) as refused:
        await ada.call("contact.end", {"contact_id": contact_id, "resolved": True})
    assert refused.value.code == "forbidden"
    assert (await contact_row(hub_server, contact_id))["resolved"] is False
