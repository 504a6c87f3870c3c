"""The REST surface of DESIGN §5 against a real hub: health, metrics, login, customers, events."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from hub.actions import admin
from hub.core.identity import sign_user_id
from tests.kit.answers import check_answer, route_of
from tests.kit.hub import HubServer
from tests.kit.wire import customer


async def request(
    server: HubServer, method: str, path: str, token: str | None = None, **kw: Any
) -> tuple[int, Any, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as http:
        async with http.request(method, f"{server.url}{path}", headers=headers, **kw) as r:
            text = await r.text()
            if route_of(method, urlsplit(path).path) is not None:
                check_answer(method, path, r.status, r.content_type, text)
            body = await r.json(content_type=None) if r.content_type == "application/json" else None
            return r.status, body, text


async def sue_token(server: HubServer) -> str:
    status, body, _ = await request(
        server,
        "POST",
        "/api/v1/auth/login",
        json={"email": "sue@example.com", "password": "sue-password"},
    )
    assert status == 200
    return str(body["token"])


async def test_health_and_metrics(hub_server: HubServer) -> None:
    status, body, _ = await request(hub_server, "GET", "/healthz")
    assert (status, body) == (200, {"ok": True, "status": "ok"})

    shopper = await customer(hub_server.url, hub_server.site_key)
    await shopper.call("history", {"conversation_id": "x", "after_seq": -1})
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{hub_server.url}/metrics") as r:
            assert r.status == 200
            assert r.content_type == "text/plain"
            text = await r.text()
    lines = text.splitlines()
    assert "# TYPE lifeline_connections gauge" in lines
    assert 'lifeline_connections{namespace="/customer"} 1.0' in lines
    assert 'lifeline_refused_total{code="invalid"} 1.0' in lines
    # Every sample is a Prometheus line: a name, optional labels, a number.
    for line in lines:
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            float(value)
            assert name.startswith("lifeline_"), line
    await shopper.close()


async def test_login_shapes(hub_server: HubServer) -> None:
    status, body, _ = await request(
        hub_server,
        "POST",
        "/api/v1/auth/login",
        json={"email": "Sue@Example.com", "password": "sue-password"},
    )
    assert status == 200
    assert isinstance(body["token"], str) and len(body["token"]) >= 32
    assert body["agent"] == {"id": body["agent"]["id"], "name": "Sue", "role": "supervisor"}
    assert isinstance(body["agent"]["id"], str) and body["agent"]["id"]
    assert "password" not in str(body) and "hash" not in str(body)
    # The token is what the agent namespace and REST take.
    status, _, _ = await request(hub_server, "GET", "/api/v1/customers/nobody", body["token"])
    assert status == 404

    wrong = []
    for creds in (
        {"email": "sue@example.com", "password": "not-her-password"},
        {"email": "nobody@example.com", "password": "sue-password"},
        {"email": "sue@example.com", "password": ""},
    ):
        status, body, _ = await request(hub_server, "POST", "/api/v1/auth/login", json=creds)
        assert status == 401, creds
        assert body["ok"] is False and body["error"]["code"] == "unauthorized"
        assert "token" not in body
        wrong.append(body)
    # A wrong email and a wrong password read the same: nothing says which agents exist.
    assert wrong[0] == wrong[1]

    status, body, _ = await request(
        hub_server, "POST", "/api/v1/auth/login", json={"email": "sue@example.com"}
    )
    assert status == 400 and body["error"]["code"] == "invalid"


async def test_customer_profile(hub_server: HubServer) -> None:
    token = await sue_token(hub_server)
    shopper = await customer(hub_server.url, hub_server.site_key)
    me = shopper.received["session"][0]["customer_id"]
    user_hash = sign_user_id(hub_server.site_secret, "u-9")
    ident = await shopper.call(
        "identify",
        {"user_id": "u-9", "user_hash": user_hash, "email": "kim@example.com", "name": "Kim"},
    )
    assert ident["verified"] is True
    ack = await shopper.call(
        "contact.request", {"channel": "callback", "phone": "+4930123456", "text": "Call me"}
    )
    assert ack["ok"], ack

    status, body, _ = await request(hub_server, "GET", f"/api/v1/customers/{me}", token)
    assert status == 200
    assert body["id"] == me and body["name"] == "Kim"
    assert body["identifiers"] == [
        {"kind": "user_id", "value": "u-9", "verified": True},
        {"kind": "email", "value": "kim@example.com", "verified": False},
        {"kind": "phone", "value": "+4930123456", "verified": False},
    ]
    assert [(c["id"], c["last_seq"]) for c in body["conversations"]] == [
        (ack["conversation_id"], 2)
    ]

    # An agent of another site may not look them up; one of this site may, contact or not.
    await admin.update_agent(hub_server.database_url, "ada@example.com", sites=["demo"])
    status, body, _ = await request(
        hub_server,
        "POST",
        "/api/v1/auth/login",
        json={"email": "ada@example.com", "password": "ada-password"},
    )
    ada_token = body["token"]
    status, body, _ = await request(hub_server, "GET", f"/api/v1/customers/{me}", ada_token)
    assert status == 403 and body["error"]["code"] == "forbidden"
    await admin.update_agent(hub_server.database_url, "ada@example.com", sites=["demo", "shop"])
    status, body, _ = await request(hub_server, "GET", f"/api/v1/customers/{me}", ada_token)
    assert status == 200 and body["id"] == me

    # Unknown customer: a JSON 404 for a supervisor, the same 403 as above for an agent.
    status, body, _ = await request(hub_server, "GET", "/api/v1/customers/nobody-here", token)
    assert status == 404 and body["ok"] is False and body["error"]["code"] == "not_found"
    status, body, _ = await request(hub_server, "GET", "/api/v1/customers/nobody-here", ada_token)
    assert status == 403
    await shopper.close()


async def test_conversation_events_after_seq(hub_server: HubServer) -> None:
    token = await sue_token(hub_server)
    shopper = await customer(hub_server.url, hub_server.site_key)
    ack = await shopper.call("contact.request", {"channel": "chat", "text": "one"})
    conv = ack["conversation_id"]
    for text in ("two", "three", "four"):
        sent = await shopper.call(
            "message.send",
            {"conversation_id": conv, "client_id": str(uuid.uuid4()), "text": text},
        )
        assert sent["ok"]
    path = f"/api/v1/conversations/{conv}/events"

    status, body, _ = await request(hub_server, "GET", path, token)
    assert status == 200
    every = body["events"]
    assert [e["seq"] for e in every] == [1, 2, 3, 4, 5]
    assert [e["type"] for e in every] == [
        "message",
        "contact.requested",
        "message",
        "message",
        "message",
    ]
    assert (
        every
        == (await shopper.call("history", {"conversation_id": conv, "after_seq": 0}))["events"]
    )

    status, body, _ = await request(hub_server, "GET", f"{path}?after_seq=2", token)
    assert status == 200
    assert [e["seq"] for e in body["events"]] == [3, 4, 5]
    assert [e["data"]["text"] for e in body["events"]] == ["two", "three", "four"]
    assert body["events"] == every[2:]
    status, body, _ = await request(hub_server, "GET", f"{path}?after_seq=5", token)
    assert (status, body) == (200, {"events": []})

    # ASCII digits only: Python's int() also reads "1_0", " 2", "+2" and "٣" (Arabic-Indic).
    for bad in ("abc", "-1", "2.5", "", "1e3", "1_0", "%D9%A3", "%202", "%2B2", "2%20"):
        status, body, text = await request(hub_server, "GET", f"{path}?after_seq={bad}", token)
        assert status == 400, (bad, text)
        assert body["error"]["code"] == "invalid", bad
    status, body, _ = await request(hub_server, "GET", path)
    assert status == 401 and body["error"]["code"] == "unauthorized"
    await shopper.close()


async def test_web_files_are_served(hub_server: HubServer) -> None:
    # The widget and its lazy Mayday part at the root, where a shop's script tag points.
    for path in ("/widget.js", "/widget-mayday.js"):
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{hub_server.url}{path}") as r:
                assert r.status == 200, path
                assert r.content_type == "application/javascript", path
                assert r.headers["Cache-Control"] == "no-cache"
                assert len(await r.read()) > 10_000, path
    status, _, text = await request(hub_server, "GET", "/console/")
    assert status == 200 and "<html" in text.lower()
    status, _, _ = await request(hub_server, "GET", "/console/widget-mayday.js")
    assert status == 404
