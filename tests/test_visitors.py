"""A browser that only looks is not written down: its customer is stored by its first contact or
identify. Tabs of one browser are one customer even before that, and a token that is not one,
or that belonged to an erased customer, starts someone new."""

from __future__ import annotations

import base64

import pytest

from tests.kit.hub import SITE_SECRET, HubServer
from tests.kit.rest import login, request
from tests.kit.wire import Wire, customer

pytestmark = pytest.mark.usefixtures("manual_clock")

SUE = ("sue@example.com", "sue-password")


def session(w: Wire) -> dict[str, object]:
    return dict(w.received["session"][0])


async def customer_status(server: HubServer, token: str, customer_id: object) -> int:
    status, _ = await request(server.url, "GET", f"/api/v1/customers/{customer_id}", token)
    return status


async def test_sockets_that_only_look_leave_no_customer(hub_server: HubServer) -> None:
    sue = await login(hub_server.url, *SUE)
    lookers = [await customer(hub_server.url, hub_server.site_key) for _ in range(5)]
    for i, w in enumerate(lookers):
        ack = await w.call("page", {"url": f"https://shop.example/p/{i}", "title": f"Lamp {i}"})
        assert ack == {"ok": True}
    ids = [session(w)["customer_id"] for w in lookers]
    assert len(set(ids)) == 5
    for customer_id in ids:
        assert await customer_status(hub_server, sue, customer_id) == 404
    for w in lookers:
        await w.sio.disconnect()

    # The one who asks for help is stored then, with the page it was on.
    asker = await customer(hub_server.url, hub_server.site_key)
    await asker.call("page", {"url": "https://shop.example/p/lamp", "title": "Lamp"})
    await asker.call("page", {"url": "https://shop.example/p/lamp-2", "title": "Lamp 2"})
    ack = await asker.call("contact.request", {"channel": "chat", "text": "help"})
    assert ack["ok"], ack
    status, profile = await request(
        hub_server.url, "GET", f"/api/v1/customers/{session(asker)['customer_id']}", sue
    )
    assert status == 200, profile
    assert profile["page"]["url"] == "https://shop.example/p/lamp-2"
    # Its token is its own from now on: the next socket with it is the same customer.
    again = await customer(
        hub_server.url, hub_server.site_key, str(session(asker)["visitor_token"])
    )
    assert session(again)["customer_id"] == session(asker)["customer_id"]
    assert session(again)["conversation_id"] == ack["conversation_id"]
    assert session(again)["visitor_token"] == session(asker)["visitor_token"]


async def test_two_tabs_before_any_contact_are_one_customer(hub_server: HubServer) -> None:
    first = await customer(hub_server.url, hub_server.site_key)
    token = str(session(first)["visitor_token"])
    # The second tab opens with the token the first was given, before either asked for help.
    second = await customer(hub_server.url, hub_server.site_key, token)
    assert session(second)["customer_id"] == session(first)["customer_id"]
    assert session(second)["visitor_token"] == token
    # Both ask: one customer, one conversation.
    a = await first.call("contact.request", {"channel": "chat", "text": "from tab one"})
    b = await second.call("contact.request", {"channel": "chat", "text": "from tab two"})
    assert a["ok"] and b["ok"], (a, b)
    assert a["conversation_id"] == b["conversation_id"]
    history = await second.call(
        "history", {"conversation_id": a["conversation_id"], "after_seq": 0}
    )
    texts = [e["data"]["text"] for e in history["events"] if e["type"] == "message"]
    assert texts == ["from tab one", "from tab two"]


async def test_identify_stores_the_visitor(hub_server: HubServer) -> None:
    sue = await login(hub_server.url, *SUE)
    w = await customer(hub_server.url, hub_server.site_key)
    me = session(w)["customer_id"]
    assert await customer_status(hub_server, sue, me) == 404
    ack = await w.call("identify", {"name": "Jane", "email": "jane@example.com"})
    assert ack["ok"], ack
    status, profile = await request(hub_server.url, "GET", f"/api/v1/customers/{me}", sue)
    assert status == 200 and profile["name"] == "Jane", profile


@pytest.mark.parametrize("made_up", ["short", "x" * 43 + "!", "é" * 43])
async def test_a_token_of_another_shape_is_replaced(hub_server: HubServer, made_up: str) -> None:
    w = await customer(hub_server.url, hub_server.site_key, made_up)
    given = session(w)["visitor_token"]
    assert isinstance(given, str) and given != made_up and len(given) == 43


async def test_an_erased_customers_token_starts_someone_new(hub_server: HubServer) -> None:
    w = await customer(hub_server.url, hub_server.site_key)
    token, erased = str(session(w)["visitor_token"]), session(w)["customer_id"]
    assert (await w.call("contact.request", {"channel": "chat", "text": "erase me"}))["ok"]
    await w.sio.disconnect()
    basic = base64.b64encode(f"{hub_server.site_key}:{SITE_SECRET}".encode()).decode()
    status, _ = await request(
        hub_server.url,
        "DELETE",
        f"/api/v1/shop/customers/{erased}",
        headers={"Authorization": f"Basic {basic}"},
    )
    assert status == 204
    back = await customer(hub_server.url, hub_server.site_key, token)
    assert session(back)["customer_id"] != erased
    assert session(back)["conversation_id"] is None
    assert session(back)["visitor_token"] != token
