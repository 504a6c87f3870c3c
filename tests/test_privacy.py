"""The shop's customer API (DESIGN §13) and a GDPR request answered with two calls: a signed
customer chats, gives a phone and a comment, the agent writes a note; the shop finds them by
its user id, exports everything held on them, then erases them. Afterwards nothing they said
or are called is found through REST, history or the shop API, the consoles were told at once,
and the report still counts the contact."""

from __future__ import annotations

import base64
import json
from typing import Any

import aiohttp
import pytest

from hub.core.identity import sign_user_id
from tests.kit.answers import check_answer
from tests.kit.clients import Clients, about
from tests.kit.hub import SITE_SECRET, HubServer

ADA = ("ada@example.com", "ada-password")
SUE = ("sue@example.com", "sue-password")
PHONE = "+33612345678"
SECRETS = (
    "Jane Doe",
    "jane@example.com",
    PHONE,
    "12 rue des Lilas",
    "VIP customer",
    "Lamp flickers",
)


async def shop(
    server: HubServer, method: str, path: str, secret: str = SITE_SECRET, key: str | None = None
) -> tuple[int, Any]:
    basic = base64.b64encode(f"{key or server.site_key}:{secret}".encode()).decode()
    async with aiohttp.ClientSession() as http:
        async with http.request(
            method, server.url + path, headers={"Authorization": f"Basic {basic}"}
        ) as resp:
            text = await resp.text()
            check_answer(method, path, resp.status, resp.content_type, text)
            return resp.status, json.loads(text) if text else None


async def as_agent(server: HubServer, path: str, who: tuple[str, str] = SUE) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.post(
            server.url + "/api/v1/auth/login", json={"email": who[0], "password": who[1]}
        ) as resp:
            token = (await resp.json())["token"]
        async with http.get(server.url + path, headers={"Authorization": f"Bearer {token}"}) as r:
            check_answer("GET", path, r.status, r.content_type, await r.text())
            return r.status, await r.json()


async def a_customer_with_a_history(server: HubServer, clients: Clients) -> dict[str, Any]:
    ada = await clients.agent(*ADA)
    shopper = await clients.customer()
    signed = {
        "user_id": "shop-user-7",
        "user_hash": sign_user_id(server.site_secret, "shop-user-7"),
        "name": "Jane Doe",
        "email": "jane@example.com",
    }
    assert (await shopper.call("identify", signed))["verified"] is True
    ack = await shopper.call(
        "contact.request", {"channel": "chat", "text": "I live at 12 rue des Lilas"}
    )
    contact_id, conversation_id = ack["contact_id"], ack["conversation_id"]
    await ada.next("offer", about(contact_id))
    assert (await ada.call("offer.accept", {"contact_id": contact_id}))["ok"]
    note = {"conversation_id": conversation_id, "client_id": "n1", "text": "VIP customer"}
    assert (await ada.call("note.add", note))["ok"]
    reply = {"conversation_id": conversation_id, "client_id": "a1", "text": "Hello Jane Doe"}
    assert (await ada.call("message.send", reply))["ok"]
    assert (await ada.call("contact.end", {"contact_id": contact_id, "resolved": False}))["ok"]
    await shopper.next("survey.request", about(contact_id))
    answer = {
        "contact_id": contact_id,
        "resolved": False,
        "effort": 5,
        "comment": "Lamp flickers",
        "phone": PHONE,
    }
    assert (await shopper.call("survey.answer", answer))["ok"]
    customer_id = shopper.received["session"][-1]["customer_id"]
    return {
        "ada": ada,
        "shopper": shopper,
        "customer_id": customer_id,
        "conversation_id": conversation_id,
        "contact_id": contact_id,
    }


async def test_a_gdpr_request_is_answered_with_two_calls(
    hub_server: HubServer, clients: Clients
) -> None:
    day = await a_customer_with_a_history(hub_server, clients)
    customer_id, conversation_id = day["customer_id"], day["conversation_id"]

    status, found = await shop(hub_server, "GET", "/api/v1/shop/customers?user_id=shop-user-7")
    assert status == 200, found
    assert found["id"] == customer_id and found["name"] == "Jane Doe"
    assert [c["id"] for c in found["conversations"]] == [conversation_id]

    # 1. The export has everything held on them.
    status, held = await shop(hub_server, "GET", f"/api/v1/shop/customers/{customer_id}/export")
    assert status == 200, held
    dump = json.dumps(held)
    for secret in SECRETS:
        assert secret in dump, secret
    assert {i["kind"] for i in held["identifiers"]} >= {"user_id", "email", "phone"}
    assert [s["comment"] for s in held["surveys"]] == ["Lamp flickers"]
    assert any(e["type"] == "note" for e in held["events"])

    # 2. The erasure.
    status, body = await shop(hub_server, "DELETE", f"/api/v1/shop/customers/{customer_id}")
    assert (status, body) == (204, None)
    told = await day["ada"].next("customer.erased")
    assert told == {"customer_id": customer_id, "conversation_ids": [conversation_id]}

    # Nothing they said or are called is found any more.
    status, events = await as_agent(hub_server, f"/api/v1/conversations/{conversation_id}/events")
    assert status == 200
    dump = json.dumps(events)
    for secret in SECRETS:
        assert secret not in dump, secret
    assert events["events"][-1]["type"] == "customer.erased"
    assert all(e["data"].get("erased") for e in events["events"][:-1])
    history = await day["ada"].call("history", {"conversation_id": conversation_id, "after_seq": 0})
    for secret in SECRETS:
        assert secret not in json.dumps(history), secret
    status, _ = await as_agent(hub_server, f"/api/v1/customers/{customer_id}")
    assert status == 404
    for method, path in (
        ("GET", "/api/v1/shop/customers?user_id=shop-user-7"),
        ("GET", f"/api/v1/shop/customers/{customer_id}/export"),
        ("DELETE", f"/api/v1/shop/customers/{customer_id}"),
    ):
        status, body = await shop(hub_server, method, path)
        assert status == 404 and body["error"]["code"] == "not_found", (method, path, body)
    status, csv_text = await as_agent_csv(hub_server)
    for secret in SECRETS:
        assert secret not in csv_text, secret

    # The anonymous facts stay: the report still counts the contact, the follow-up callback
    # its "not solved" booked, and the answer.
    status, summary = await as_agent(hub_server, "/api/v1/reports/summary")
    assert summary["all"]["offered"] == 2 and summary["all"]["survey_responses"] == 1
    assert summary["all"]["ces_avg"] == 5


async def as_agent_csv(server: HubServer) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http:
        async with http.post(
            server.url + "/api/v1/auth/login", json={"email": SUE[0], "password": SUE[1]}
        ) as resp:
            token = (await resp.json())["token"]
        async with http.get(
            server.url + "/api/v1/reports/contacts.csv",
            headers={"Authorization": f"Bearer {token}"},
        ) as r:
            return r.status, await r.text()


@pytest.mark.parametrize("part", ["key", "secret"])
async def test_a_wrong_site_key_or_secret_is_the_same_401(hub_server: HubServer, part: str) -> None:
    kw = {"key": "no-such-site"} if part == "key" else {"secret": "wrong-secret-0123456789"}
    status, body = await shop(hub_server, "GET", "/api/v1/shop/customers?user_id=u", **kw)
    assert status == 401 and body["error"]["code"] == "unauthorized"
    assert body["error"]["message"] == "wrong site key or secret"


async def test_another_sites_customer_is_not_found_and_nothing_changes(
    hub_server: HubServer, clients: Clients
) -> None:
    day = await a_customer_with_a_history(hub_server, clients)
    other_secret = await hub_server.add_site("other")
    path = f"/api/v1/shop/customers/{day['customer_id']}"
    for method, suffix in (("GET", "/export"), ("DELETE", "")):
        status, body = await shop(hub_server, method, path + suffix, other_secret, key="other")
        assert status == 404 and body["error"]["code"] == "not_found"
    for bad in ("nope", "x" * 300):
        status, body = await shop(hub_server, "DELETE", f"/api/v1/shop/customers/{bad}")
        assert status == 404
    status, body = await shop(hub_server, "GET", "/api/v1/shop/customers")
    assert status == 400 and body["error"]["code"] == "invalid"
    # Untouched: the export still has the texts.
    status, held = await shop(hub_server, "GET", path + "/export")
    assert status == 200 and "12 rue des Lilas" in json.dumps(held)
