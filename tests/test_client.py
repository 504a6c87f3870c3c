"""The Python SDK against the real hub: sessions, acks, exactly-once sends, resume after a drop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from hub import errors
from hub.errors import HubError
from hub.sdk import AgentClient, CustomerClient, HubConnectionError
from tests.kit.clients import sdk_round_trip
from tests.kit.hub import HubServer


@pytest.fixture
async def customer(hub_server: HubServer) -> AsyncIterator[CustomerClient]:
    async with CustomerClient(hub_server.url, hub_server.site_key) as client:
        yield client


@pytest.fixture
async def agent(hub_server: HubServer) -> AsyncIterator[AgentClient]:
    email, password = hub_server.agents[0]
    client = await AgentClient.login(hub_server.url, email, password)
    try:
        await client.set_presence("available")
        yield client
    finally:
        await client.close()


async def assign(customer: CustomerClient, agent: AgentClient, text: str) -> tuple[str, str]:
    """Customer taps chat with ``text``; the agent accepts. Returns (contact, conversation)."""
    ack = await customer.request_contact("chat", text=text)
    offer = await agent.wait_for("offer", lambda o: o["contact_id"] == ack["contact_id"])
    accepted = await agent.accept(offer["contact_id"])
    assert accepted["conversation_id"] == ack["conversation_id"] == customer.conversation_id
    await customer.wait_for("contact.assigned", lambda p: p["contact_id"] == ack["contact_id"])
    return ack["contact_id"], ack["conversation_id"]


def messages(events: list[dict], text: str | None = None) -> list[dict]:
    return [
        e for e in events if e["type"] == "message" and (text is None or e["data"]["text"] == text)
    ]


async def test_connect_gets_a_session(hub_server: HubServer, customer: CustomerClient) -> None:
    assert customer.connected
    assert customer.customer_id and customer.visitor_token
    # The visitor token brings the same customer back.
    async with CustomerClient(
        hub_server.url, hub_server.site_key, visitor_token=customer.visitor_token
    ) as again:
        assert again.customer_id == customer.customer_id


async def test_unknown_site_is_refused(hub_server: HubServer) -> None:
    client = CustomerClient(hub_server.url, "no-such-site", reconnect=False)
    with pytest.raises(HubConnectionError):
        await client.connect()
    await client.close()


async def test_bad_login_raises_unauthorized(hub_server: HubServer) -> None:
    with pytest.raises(HubError) as info:
        await AgentClient.login(hub_server.url, hub_server.agents[0][0], "wrong password")
    assert info.value.code == "unauthorized"
    assert isinstance(info.value, errors.Unauthorized)


async def test_bad_token_is_refused(hub_server: HubServer) -> None:
    client = AgentClient(hub_server.url, "not-a-token", reconnect=False)
    with pytest.raises(HubConnectionError):
        await client.connect()
    await client.close()


async def test_ack_errors_raise_with_the_code(customer: CustomerClient) -> None:
    with pytest.raises(HubError) as info:
        await customer.send_message("hello", conversation_id="not a valid id!")
    assert info.value.code == "invalid"
    assert isinstance(info.value, errors.Invalid)
    with pytest.raises(HubError) as info:
        await customer.request_contact("carrier-pigeon")
    assert info.value.code == "invalid"


async def test_send_message_is_idempotent_by_client_id(customer: CustomerClient) -> None:
    await customer.request_contact("chat", text="first")
    seq = await customer.send_message("only once", client_id="c-1")
    assert await customer.send_message("only once", client_id="c-1") == seq
    assert await customer.send_message("another") > seq
    history = await customer.history()
    assert len(messages(history, "only once")) == 1
    # The customer's own stream delivers it once too.
    await customer.wait_for("event", lambda e: e["seq"] == seq)
    assert [e["seq"] for e in customer.events].count(seq) == 1


async def test_agent_round_trip(customer: CustomerClient, agent: AgentClient) -> None:
    contact_id, conversation_id = await assign(customer, agent, "my parcel is late")
    assert messages(await agent.history(conversation_id), "my parcel is late")

    await agent.send_message(conversation_id, "Let me check.")
    reply = await customer.wait_for(
        "event", lambda e: e["type"] == "message" and e["data"]["text"] == "Let me check."
    )
    assert reply["author"]["role"] == "agent"

    await customer.send_message("thanks")
    got = await agent.wait_for(
        "event", lambda e: e["type"] == "message" and e["data"]["text"] == "thanks"
    )
    assert got["conversation_id"] == conversation_id

    profile = await agent.get_customer(str(customer.customer_id))
    assert profile
    rest = await agent.get_events(conversation_id)
    assert [e["seq"] for e in rest] == sorted(e["seq"] for e in rest)
    assert messages(rest, "thanks")

    await agent.end_contact(contact_id, resolved=True)
    ended = await customer.wait_for("contact.ended", lambda p: p["contact_id"] == contact_id)
    assert ended["contact_id"] == contact_id


async def test_resume_after_drop_delivers_exactly_once(
    customer: CustomerClient, agent: AgentClient
) -> None:
    _, conversation_id = await assign(customer, agent, "hello")
    await agent.send_message(conversation_id, "before the drop")
    await customer.wait_for("event", lambda e: e.get("data", {}).get("text") == "before the drop")

    await customer._simulate_drop()
    await customer.wait_for("disconnect")
    assert not customer.connected
    # Sent while the customer is away: only the resume can bring it.
    seq = await agent.send_message(conversation_id, "while you were away")

    got = await customer.wait_for("event", lambda e: e["seq"] == seq, timeout=15)
    assert got["data"]["text"] == "while you were away"
    assert customer.connected
    await agent.send_message(conversation_id, "after")
    await customer.wait_for("event", lambda e: e.get("data", {}).get("text") == "after")

    seqs = [e["seq"] for e in customer.events if e["conversation_id"] == conversation_id]
    assert seqs == sorted(set(seqs)), "events must arrive once each, in order"
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "no gap"


async def test_send_across_a_drop_is_exactly_once(customer: CustomerClient) -> None:
    await customer.request_contact("chat", text="hi")
    send = asyncio.ensure_future(customer.send_message("across the drop", client_id="drop-1"))
    await customer._simulate_drop()
    seq = await asyncio.wait_for(send, 15)
    assert customer.connected
    history = await customer.history()
    assert [e["seq"] for e in messages(history, "across the drop")] == [seq]


async def test_wait_for_sees_what_arrived_before(
    customer: CustomerClient, agent: AgentClient
) -> None:
    _, conversation_id = await assign(customer, agent, "hello")
    seq = await agent.send_message(conversation_id, "early")
    # The hub sends the event to the customer before it answers the agent; after a round trip
    # on the customer's socket it has arrived, before anyone waits for it.
    await sdk_round_trip(customer)
    assert seq in [e["seq"] for e in customer.events]
    got = await customer.wait_for("event", lambda e: e["seq"] == seq, timeout=0.5)
    assert got["data"]["text"] == "early"
    with pytest.raises(TimeoutError):
        await customer.wait_for("event", lambda e: e["seq"] == seq, timeout=0.2)  # consumed


async def test_identify_verified_and_invalid(
    hub_server: HubServer, customer: CustomerClient
) -> None:
    import hashlib
    import hmac

    user_hash = hmac.new(hub_server.site_secret.encode(), b"user-42", hashlib.sha256).hexdigest()
    await customer.request_contact("chat", text="before I log in")
    ack = await customer.identify(user_id="user-42", user_hash=user_hash, name="Lin")
    assert ack["verified"] is True
    assert customer.customer_id == ack["customer_id"]
    if ack.get("conversation_id"):
        assert customer.conversation_id == ack["conversation_id"]
    # The message sent before identifying is still in the (possibly merged) conversation.
    assert messages(await customer.history(), "before I log in")
    with pytest.raises(HubError) as info:
        await customer.identify(user_id="user-43", user_hash="0" * 64)
    assert info.value.code == "identity_invalid"


async def test_agent_snapshot_and_note(customer: CustomerClient, agent: AgentClient) -> None:
    contact_id, conversation_id = await assign(customer, agent, "hello")
    snapshot = await agent.snapshot()
    assert snapshot["agent"]["id"] == agent.agent["id"]
    assert [c["contact"]["id"] for c in snapshot["contacts"]] == [contact_id]
    seq = await agent.add_note(conversation_id, "customer sounds annoyed")
    note = await agent.wait_for("event", lambda e: e["seq"] == seq)
    assert note["conversation_id"] == conversation_id
    # Notes are for agents only.
    assert all(e["seq"] != seq for e in await customer.history())
