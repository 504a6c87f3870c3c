"""Search and a customer's history over REST, on every database, against a real hub.

``GET /api/v1/search`` finds customers by name, email, phone and user id and messages by their
words (SQLite FTS5, PostgreSQL full text), only on the sites the asking agent serves, and never
an erased customer; ``GET /api/v1/customers/{id}/contacts`` is the history beside a
conversation: each contact's channel, dates, wrap-up and survey answer.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
import pytest

from hub.actions import admin
from hub.core.identity import sign_user_id
from tests.kit.answers import check_answer, route_of
from tests.kit.clients import Clients, about
from tests.kit.hub import HubServer
from tests.kit.wire import Wire

pytestmark = pytest.mark.usefixtures("manual_clock")

SUE = ("sue@example.com", "sue-password")
ADA = ("ada@example.com", "ada-password")
BOB = ("bob@example.com", "bob-password")


async def call(
    server: HubServer, method: str, path: str, token: str | None = None, **kw: Any
) -> tuple[int, Any]:
    """One request; every answer is checked against the route's OpenAPI description."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(kw.pop("headers", {}))
    async with aiohttp.ClientSession() as http:
        async with http.request(method, f"{server.url}{path}", headers=headers, **kw) as r:
            text = await r.text()
            if route_of(method, urlsplit(path).path) is not None:
                check_answer(method, path, r.status, r.content_type, text)
            body = await r.json(content_type=None) if r.content_type == "application/json" else None
            return r.status, body


async def token(server: HubServer, who: tuple[str, str]) -> str:
    status, body = await call(
        server, "POST", "/api/v1/auth/login", json={"email": who[0], "password": who[1]}
    )
    assert status == 200, body
    return str(body["token"])


async def search(server: HubServer, tok: str, q: str, **params: str) -> dict[str, Any]:
    query = "&".join(f"{k}={quote(v)}" for k, v in {"q": q, **params}.items())
    status, body = await call(server, "GET", f"/api/v1/search?{query}", tok)
    assert status == 200, body
    return dict(body)


async def kim(clients: Clients, server: HubServer) -> tuple[Wire, str, str]:
    """Kim Lindqvist, identified with her email, in a chat about her parcel; returns her
    socket, her customer id and the conversation id."""
    shopper = await clients.customer()
    me = shopper.received["session"][0]["customer_id"]
    ident = await shopper.call(
        "identify",
        {
            "user_id": "shop-user-4711",
            "user_hash": sign_user_id(server.site_secret, "shop-user-4711"),
            "email": "kim.lindqvist@example.org",
            "name": "Kim Lindqvist",
        },
    )
    assert ident["verified"] is True, ident
    ack = await shopper.call(
        "contact.request",
        {"channel": "callback", "phone": "+4930555123", "text": "My parcel never arrived"},
    )
    assert ack["ok"], ack
    return shopper, me, ack["conversation_id"]


async def test_finds_customers_by_name_email_phone_and_user_id(
    hub_server: HubServer, clients: Clients
) -> None:
    sue = await token(hub_server, SUE)
    _, me, _ = await kim(clients, hub_server)
    for q in ("lindqvist", "Kim Lind", "KIM.LINDQVIST@", "example.org", "555123", "user-4711"):
        found = await search(hub_server, sue, q)
        assert [c["id"] for c in found["customers"]] == [me], q
    hit = (await search(hub_server, sue, "lindqvist"))["customers"][0]
    assert hit["name"] == "Kim Lindqvist" and hit["site"] == hub_server.site_key
    assert {"kind": "email", "value": "kim.lindqvist@example.org"} in hit["identifiers"]
    # A wildcard is a character like any other: "%" finds nobody.
    assert (await search(hub_server, sue, "Kim%"))["customers"] == []
    assert (await search(hub_server, sue, "nobody-by-that-name"))["customers"] == []


async def test_finds_messages_as_they_are_sent(hub_server: HubServer, clients: Clients) -> None:
    sue = await token(hub_server, SUE)
    shopper, me, conv = await kim(clients, hub_server)
    # The first message came with the request (an action's append)...
    found = await search(hub_server, sue, "parcel")
    assert [(m["conversation_id"], m["customer_id"]) for m in found["messages"]] == [(conv, me)]
    assert "parcel" in found["messages"][0]["snippet"].lower()
    # ...this one through the writer's batches: it is found as soon as it is acknowledged.
    sent = await shopper.call(
        "message.send",
        {"conversation_id": conv, "client_id": str(uuid.uuid4()), "text": "Tracking says Göteborg"},
    )
    assert sent["ok"], sent
    found = await search(hub_server, sue, "GÖTEBORG")  # nor does case
    (hit,) = found["messages"]
    assert hit["conversation_id"] == conv and hit["seq"] == sent["seq"]
    assert hit["customer_name"] == "Kim Lindqvist" and "Göteborg" in hit["snippet"]
    # Every word must be there, the last one as a prefix (found while typing).
    assert len((await search(hub_server, sue, "parcel nev"))["messages"]) == 1
    assert (await search(hub_server, sue, "parcel göteborg"))["messages"] == []
    # Operators of FTS5 or tsquery are only separators.
    assert len((await search(hub_server, sue, 'parcel" OR "x'))["messages"]) == 0
    assert len((await search(hub_server, sue, "parcel:* & !never"))["messages"]) == 1
    assert len((await search(hub_server, sue, "parcel", limit="1"))["messages"]) == 1
    for odd in ("parcel_never", "(parcel) ARRIV", "parcel\\", "parcel:*|!ne", '"my parcel'):
        assert len((await search(hub_server, sue, odd))["messages"]) == 1, odd
    assert (await search(hub_server, sue, "über-straße 4711"))["messages"] == []


async def test_only_what_the_agent_may_read(hub_server: HubServer, clients: Clients) -> None:
    await kim(clients, hub_server)
    await admin.update_agent(hub_server.database_url, "ada@example.com", sites=["demo"])
    ada = await token(hub_server, ADA)
    assert await search(hub_server, ada, "lindqvist") == {"customers": [], "messages": []}
    assert await search(hub_server, ada, "parcel") == {"customers": [], "messages": []}
    await admin.update_agent(hub_server.database_url, "ada@example.com", sites=["demo", "shop"])
    assert len((await search(hub_server, ada, "lindqvist"))["customers"]) == 1
    assert len((await search(hub_server, ada, "parcel"))["messages"]) == 1

    status, body = await call(hub_server, "GET", "/api/v1/search?q=parcel")
    assert status == 401 and body["error"]["code"] == "unauthorized"


async def test_an_erased_customer_is_not_found(hub_server: HubServer, clients: Clients) -> None:
    sue = await token(hub_server, SUE)
    _, me, conv = await kim(clients, hub_server)
    # Another customer's words stay findable.
    await clients.request(text="My parcel is damaged")
    assert len((await search(hub_server, sue, "parcel"))["messages"]) == 2

    basic = base64.b64encode(f"{hub_server.site_key}:{hub_server.site_secret}".encode()).decode()
    status, _ = await call(
        hub_server,
        "DELETE",
        f"/api/v1/shop/customers/{me}",
        headers={"Authorization": f"Basic {basic}"},
    )
    assert status == 204
    for q in ("lindqvist", "kim.lindqvist@example.org", "555123", "user-4711", "never arrived"):
        found = await search(hub_server, sue, q)
        assert found["customers"] == [] and found["messages"] == [], q
    left = (await search(hub_server, sue, "parcel"))["messages"]
    assert [m["conversation_id"] for m in left] != [conv] and len(left) == 1
    assert "damaged" in left[0]["snippet"]


BAD_QUERIES = (
    "",
    "q=",
    "q=a",
    "q=%20%20",
    "q=!!",
    "q=" + "x" * 201,
    "q=%00ab",
    "q=parcel&limit=0",
    "q=parcel&limit=51",
    "q=parcel&limit=ten",
    "q=parcel&site=shop",
)


async def test_a_bad_query_is_invalid(hub_server: HubServer) -> None:
    sue = await token(hub_server, SUE)
    for query in BAD_QUERIES:
        status, body = await call(hub_server, "GET", f"/api/v1/search?{query}", sue)
        assert status == 400 and body["error"]["code"] == "invalid", (query, body)


async def test_a_customers_contacts_with_wrap_up_and_survey(
    hub_server: HubServer, clients: Clients
) -> None:
    sue = await token(hub_server, SUE)
    ada = await clients.ada()
    shopper = await clients.customer()
    me = shopper.received["session"][0]["customer_id"]
    first = await shopper.call("contact.request", {"channel": "chat", "text": "Lamp flickers"})
    await ada.next("offer", about(first["contact_id"]))
    assert (await ada.call("offer.accept", {"contact_id": first["contact_id"]}))["ok"]
    ended = await ada.call(
        "contact.end",
        {"contact_id": first["contact_id"], "resolved": False, "reason": "Product question"},
    )
    assert ended["ok"], ended
    await shopper.next("survey.request", about(first["contact_id"]))
    answer = await shopper.call(
        "survey.answer", {"contact_id": first["contact_id"], "resolved": True, "effort": 2}
    )
    assert answer["ok"], answer
    await clients.tick()
    second = await shopper.call("contact.request", {"channel": "chat", "text": "Again"})
    assert second["ok"], second

    status, body = await call(hub_server, "GET", f"/api/v1/customers/{me}/contacts", sue)
    assert status == 200, body
    newest, oldest = body["contacts"]
    assert newest["id"] == second["contact_id"] and newest["state"] in ("queued", "offered")
    assert newest["ended_at"] is None and newest["survey"] is None
    assert oldest["id"] == first["contact_id"]
    assert oldest["conversation_id"] == first["conversation_id"]
    assert (oldest["channel"], oldest["state"], oldest["agent_name"]) == ("chat", "ended", "Ada")
    assert (oldest["reason"], oldest["resolved"]) == ("Product question", False)
    assert oldest["survey"] == {"resolved": True, "effort": 2}
    assert oldest["ended_at"] >= oldest["enqueued_at"]

    # As for the profile: an agent of another site may not read it; nobody reads a stranger.
    await admin.update_agent(hub_server.database_url, "bob@example.com", sites=["demo"])
    other = await token(hub_server, BOB)
    status, body = await call(hub_server, "GET", f"/api/v1/customers/{me}/contacts", other)
    assert status == 403 and body["error"]["code"] == "forbidden"
    status, body = await call(hub_server, "GET", "/api/v1/customers/nobody/contacts", sue)
    assert status == 404 and body["error"]["code"] == "not_found"


async def test_a_merged_visitor_is_found_once_as_the_customer(
    hub_server: HubServer, clients: Clients
) -> None:
    sue = await token(hub_server, SUE)
    signed = {"user_id": "ann-7", "user_hash": sign_user_id(hub_server.site_secret, "ann-7")}
    phone = await clients.customer()
    owner = (await phone.call("identify", {**signed, "name": "Ann Marsh"}))["customer_id"]
    assert (await phone.call("contact.request", {"channel": "chat", "text": "Lamp broken"}))["ok"]
    # On her laptop, anonymous first: her words are found under the visitor...
    laptop = await clients.customer()
    visitor = laptop.received["session"][0]["customer_id"]
    ack = await laptop.call("contact.request", {"channel": "chat", "text": "Lampshade cracked"})
    assert ack["ok"], ack
    (hit,) = (await search(hub_server, sue, "lampshade"))["messages"]
    assert hit["customer_id"] == visitor
    # ...and once she signs in there, once, under her: the visitor's copy is not found too.
    merged = await laptop.call("identify", signed)
    assert merged["customer_id"] == owner, merged
    (hit,) = (await search(hub_server, sue, "lampshade"))["messages"]
    assert (hit["customer_id"], hit["customer_name"]) == (owner, "Ann Marsh")
    assert hit["conversation_id"] == merged["conversation_id"]
    assert len((await search(hub_server, sue, "lamp"))["messages"]) == 2
    assert [c["id"] for c in (await search(hub_server, sue, "ann marsh"))["customers"]] == [owner]
