"""Security rules of DESIGN §11 against a real hub: who may connect, read, write, and what leaks."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import aiohttp
import pytest
import socketio

from hub.actions import admin
from hub.core.identity import sign_user_id
from tests.kit.hub import HandClock, HubServer
from tests.kit.wire import Wire, agent, customer, login

EVIL = "https://evil.example"


async def http_get(
    server: HubServer, path: str, token: str | None = None, **headers: str
) -> tuple[int, str, Any]:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}{path}", headers=headers) as r:
            text = await r.text()
            body = await r.json(content_type=None) if r.content_type == "application/json" else None
            return r.status, text, body


def assert_error(status: int, body: Any, expected_status: int, code: str) -> None:
    assert status == expected_status, (status, body)
    assert body["ok"] is False and body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


async def refused(w: Wire, auth: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await w.connect(auth, headers)
    assert not w.sio.connected
    await w.close()


def say(conversation_id: str, text: str = "hello") -> dict[str, Any]:
    return {"conversation_id": conversation_id, "client_id": str(uuid.uuid4()), "text": text}


async def test_bad_credentials_are_refused_at_connect_and_on_rest(hub_server: HubServer) -> None:
    url = hub_server.url
    for auth in (
        {"site_key": "no-such-shop", "visitor_token": None},
        {"site_key": "x" * 65, "visitor_token": None},
        {"site_key": 5, "visitor_token": None},
        {"visitor_token": None},
        {"site_key": hub_server.site_key, "visitor_token": 12},
    ):
        await refused(Wire(url, "/customer"), auth)
    # A customer's visitor token is no agent token, nor is a forged one.
    shopper = await customer(url, hub_server.site_key)
    visitor_token = shopper.received["session"][0]["visitor_token"]
    agent_auths: list[dict[str, Any]] = [
        {},
        {"token": None},
        {"token": "forged"},
        {"token": visitor_token},
        {"token": 1},
    ]
    for agent_auth in agent_auths:
        await refused(Wire(url, "/agent"), agent_auth)

    for headers in (
        {},
        {"Authorization": "Bearer forged"},
        {"Authorization": "Bearer "},
        {"Authorization": f"Bearer {visitor_token}"},
        {"Authorization": "Basic c3VlQGV4YW1wbGUuY29tOnN1ZS1wYXNzd29yZA=="},
    ):
        for path in ("/api/v1/customers/abc", "/api/v1/conversations/abc/events"):
            status, _, body = await http_get(hub_server, path, **headers)
            assert_error(status, body, 401, "unauthorized")
    # The real thing works, so the refusals above are about the credentials.
    sue = await agent(url, "sue@example.com", "sue-password", available=False)
    await sue.close()
    await shopper.close()


@pytest.mark.parametrize("hub_config", [{"token_ttl_s": 0.5}])
async def test_expired_agent_token_is_refused(
    hub_server: HubServer, manual_clock: HandClock
) -> None:
    token = await login(hub_server.url, "sue@example.com", "sue-password")
    await manual_clock.advance(0.45)
    status, _, _ = await http_get(hub_server, "/api/v1/customers/nobody", token)
    assert status == 404  # accepted: the customer just does not exist
    await manual_clock.advance(0.1)
    status, _, body = await http_get(hub_server, "/api/v1/customers/nobody", token)
    assert_error(status, body, 401, "unauthorized")
    await refused(Wire(hub_server.url, "/agent"), {"token": token})


async def test_origins_are_checked(hub_server: HubServer) -> None:
    url = hub_server.url
    await hub_server.add_site("guarded", origins=["https://shop.example"])
    auth = {"site_key": "guarded", "visitor_token": None}
    await refused(Wire(url, "/customer"), auth, {"Origin": EVIL})
    # A sandboxed frame or a file:// page says "null": it is not one of the shop's origins.
    await refused(Wire(url, "/customer"), auth, {"Origin": "null"})
    allowed = await customer(url, "guarded", headers={"Origin": "https://shop.example"})
    assert allowed.received["session"][0]["customer_id"]
    app = await customer(url, "guarded")  # an app or the SDK: no Origin at all
    assert app.received["session"][0]["customer_id"]
    # A site without a list may be embedded anywhere.
    anywhere = await customer(url, hub_server.site_key, headers={"Origin": EVIL})
    assert anywhere.received["session"][0]["customer_id"]

    # The console: its own origin, or none, but never a foreign page.
    token = await login(url, "ada@example.com", "ada-password")
    await refused(Wire(url, "/agent"), {"token": token}, {"Origin": EVIL})
    own = Wire(url, "/agent")
    await own.connect({"token": token}, {"Origin": url})
    status, _, body = await http_get(hub_server, "/api/v1/customers/x", token, Origin=EVIL)
    assert_error(status, body, 403, "forbidden_origin")
    for w in (allowed, app, anywhere, own):
        await w.close()


async def test_agents_act_only_in_assigned_conversations(hub_server: HubServer) -> None:
    """Writes where assigned; reads in the sites served (Bob serves the demo site only)."""
    url = hub_server.url
    await admin.update_agent(hub_server.database_url, "bob@example.com", sites=["demo"])
    ada = await agent(url, "ada@example.com", "ada-password")
    bob = await agent(url, "bob@example.com", "bob-password", available=False)
    sue = await agent(url, "sue@example.com", "sue-password", available=False)
    shopper = await customer(url, hub_server.site_key)
    ack = await shopper.call("contact.request", {"channel": "chat", "text": "Help"})
    conv, contact_id = ack["conversation_id"], ack["contact_id"]
    offer = await ada.next("offer")
    # Offered is not assigned: Ada reads her site's conversation, but may not write yet.
    early = await ada.call("history", {"conversation_id": conv, "after_seq": 0})
    assert early["ok"], early
    refused = await ada.call("message.send", say(conv, "too early"))
    assert refused["error"]["code"] == "forbidden"
    assert (await ada.call("offer.accept", {"contact_id": offer["contact_id"]}))["ok"]
    before = await ada.call("history", {"conversation_id": conv, "after_seq": 0})
    assert before["ok"]
    await shopper.next("contact.assigned")
    told = len(shopper.received["event"])

    stroke = {"id": "s", "tool": "pen", "color": "#000000", "points": [[1, 1]], "surface": "page"}
    attempts = [
        ("message.send", say(conv, "not my customer")),
        ("note.add", say(conv, "a note")),
        ("typing", {"conversation_id": conv, "typing": True}),
        ("history", {"conversation_id": conv, "after_seq": 0}),
        ("contact.end", {"contact_id": contact_id, "resolved": True}),
        ("callback.outcome", {"contact_id": contact_id, "outcome": "reached"}),
        ("annotation.draw", {"contact_id": contact_id, "stroke": stroke}),
    ]
    for event, payload in attempts:
        got = await bob.call(event, payload)
        assert got["ok"] is False and got["error"]["code"] == "forbidden", (event, got)
        assert "Help" not in str(got)
    bob_token = await login(url, "bob@example.com", "bob-password")
    status, _, body = await http_get(hub_server, f"/api/v1/conversations/{conv}/events", bob_token)
    assert_error(status, body, 403, "forbidden")
    customer_id = shopper.received["session"][0]["customer_id"]
    status, _, body = await http_get(hub_server, f"/api/v1/customers/{customer_id}", bob_token)
    assert_error(status, body, 403, "forbidden")

    # A supervisor may watch, not write.
    watched = await sue.call("history", {"conversation_id": conv, "after_seq": 0})
    assert watched == before
    written = await sue.call("message.send", say(conv, "supervisor here"))
    assert written["error"]["code"] == "forbidden"

    assert await ada.call("history", {"conversation_id": conv, "after_seq": 0}) == before
    assert len(shopper.received["event"]) == told
    assert (await shopper.call("history", {"conversation_id": conv, "after_seq": 0}))[
        "events"
    ] == before["events"]
    # Once the contact ends, Ada still reads the conversation, and no longer writes in it.
    assert (await ada.call("contact.end", {"contact_id": contact_id}))["ok"]
    after = await ada.call("history", {"conversation_id": conv, "after_seq": 0})
    assert after["ok"] and after["events"][: len(before["events"])] == before["events"]
    late = await ada.call("message.send", say(conv, "one more thing"))
    assert late["error"]["code"] == "forbidden"
    for w in (ada, bob, sue, shopper):
        await w.close()


async def test_customers_see_only_their_own(hub_server: HubServer) -> None:
    url, key = hub_server.url, hub_server.site_key
    alice = await customer(url, key)
    ack = await alice.call("contact.request", {"channel": "chat", "text": "alice private"})
    conv, contact_id = ack["conversation_id"], ack["contact_id"]
    before = await alice.call("history", {"conversation_id": conv, "after_seq": 0})
    await alice.next("event", lambda e: e["type"] == "contact.requested")
    told = list(alice.received["event"])

    mallory = await customer(url, key)
    mine = await mallory.call("contact.request", {"channel": "chat", "text": "mine"})
    nowhere = await mallory.call("history", {"conversation_id": "0" * 32, "after_seq": 0})
    for event, payload in (
        ("history", {"conversation_id": conv, "after_seq": 0}),
        ("message.send", say(conv, "injected")),
        ("typing", {"conversation_id": conv, "typing": True}),
    ):
        got = await mallory.call(event, payload)
        assert got["ok"] is False and got["error"]["code"] == "forbidden", (event, got)
        # Someone else's conversation and no conversation at all look the same.
        assert got["error"] == nowhere["error"]
        assert "alice private" not in str(got)
    cancel = await mallory.call("contact.cancel", {"contact_id": contact_id})
    assert cancel["ok"] is False and cancel["error"]["code"] == "not_found"
    # Mallory's own contact is untouched too, and still cancellable by her.
    assert (await mallory.call("contact.cancel", {"contact_id": mine["contact_id"]}))["ok"]

    assert await alice.call("history", {"conversation_id": conv, "after_seq": 0}) == before
    assert "contact.ended" not in [e["type"] for e in before["events"]]
    assert alice.received["event"] == told and alice.received["contact.ended"] == []
    # Alice's contact still stands: asking again returns the same one.
    again = await alice.call("contact.request", {"channel": "chat"})
    assert again["contact_id"] == contact_id
    for w in (alice, mallory):
        await w.close()


async def test_errors_and_metrics_never_leak_secrets(
    hub_server: HubServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    url = hub_server.url
    token = await login(url, "sue@example.com", "sue-password")
    shopper = await customer(url, hub_server.site_key)
    visitor_token = shopper.received["session"][0]["visitor_token"]
    good_hash = sign_user_id(hub_server.site_secret, "vip")
    seen: list[str] = []

    bad = good_hash[:-1] + ("a" if good_hash[-1] != "a" else "b")
    for event, payload in (
        ("identify", {"user_id": "vip", "user_hash": bad}),
        ("identify", {"user_id": "vip", "user_hash": "nothex"}),
        ("history", {"conversation_id": "x", "after_seq": 10**30}),
        ("message.send", {"conversation_id": "x", "client_id": "c", "text": "hi"}),
    ):
        ack = await shopper.call(event, payload)
        assert ack["ok"] is False and ack["error"]["code"] != "internal", ack
        seen.append(str(ack))

    async with aiohttp.ClientSession() as http:
        requests: list[tuple[str, str, Any, dict[str, str]]] = [
            ("POST", "/api/v1/auth/login", b"{not json", {}),
            ("POST", "/api/v1/auth/login", b"[1, 2]", {}),
            ("POST", "/api/v1/auth/login", b'{"email": 1, "password": "x"}', {}),
            ("POST", "/api/v1/auth/login", b'{"email": "sue@example.com", "password": "no"}', {}),
            ("POST", "/api/v1/auth/login", b"x" * 70_000, {}),
            ("GET", "/api/v1/customers/" + "9" * 300, None, {"Authorization": f"Bearer {token}"}),
            ("GET", "/api/v1/conversations/abc/events?after_seq=abc", None, {}),
            ("GET", "/api/v1/conversations/abc/events?after_seq=" + "9" * 40, None, {}),
            ("GET", "/api/v1/conversations/abc/events?after_seq=-1", None, {}),
            ("GET", "/api/v1/nothing-here", None, {}),
            ("DELETE", "/api/v1/auth/login", None, {}),
            ("GET", "/api/v1/customers/abc", None, {"Authorization": f"Bearer {token}x"}),
        ]
        for method, path, data, headers in requests:
            if "conversations" in path:
                headers = {"Authorization": f"Bearer {token}"}
            async with http.request(method, f"{url}{path}", data=data, headers=headers) as r:
                text = await r.text()
                assert 400 <= r.status < 500, (path, r.status, text)
                assert r.content_type == "application/json", (path, text)
                body = await r.json()
                assert body["ok"] is False and body["error"]["code"], (path, body)
                assert "Traceback" not in text and 'File "' not in text, (path, text)
                seen.append(text)
        async with http.get(f"{url}/metrics") as r:
            metrics = await r.text()
    assert "lifeline_" in metrics
    secrets = [hub_server.site_secret, token, visitor_token, good_hash, "sue-password"]
    for secret in secrets:
        assert secret not in metrics
        for text in seen:
            assert secret not in text, text
        assert secret not in caplog.text
    await shopper.close()


async def test_rest_refuses_origin_null(hub_server: HubServer) -> None:
    # As the socket namespaces do: a sandboxed frame or a file:// page is not the console.
    token = await login(hub_server.url, "ada@example.com", "ada-password")
    status, _, body = await http_get(hub_server, "/api/v1/customers/x", token, Origin="null")
    assert_error(status, body, 403, "forbidden_origin")


async def test_the_engineio_handshake_allows_no_credentials(hub_server: HubServer) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(
            f"{hub_server.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": EVIL}
        ) as r:
            assert r.status == 200
            # Any page may open a socket (sites are checked at connect), but not with cookies.
            assert r.headers.get("Access-Control-Allow-Credentials") != "true"


@pytest.mark.parametrize("hub_config", [{"metrics_token": "m3trics-" + uuid.uuid4().hex}])
async def test_metrics_want_the_metrics_token_when_one_is_set(
    hub_server: HubServer, hub_config: dict[str, Any]
) -> None:
    token = hub_config["metrics_token"]
    agent_token = await login(hub_server.url, "ada@example.com", "ada-password")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {token}"}):
        status, text, body = await http_get(hub_server, "/metrics", **headers)
        assert_error(status, body, 401, "unauthorized")
        assert token not in text
    # An agent's token is not the metrics token.
    status, _, body = await http_get(hub_server, "/metrics", agent_token)
    assert_error(status, body, 401, "unauthorized")
    status, text, _ = await http_get(hub_server, "/metrics", token)
    assert status == 200 and "lifeline_" in text


async def test_the_console_is_served_with_a_strict_policy(hub_server: HubServer) -> None:
    await hub_server.add_site("guarded", origins=["https://shop.example"])
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{hub_server.url}/console/") as r:
            assert r.status == 200
            headers = r.headers
        async with http.get(f"{hub_server.url}/console/console.js") as r:
            script = r.headers
    directives = [d.partition(" ") for d in headers["Content-Security-Policy"].split("; ")]
    policy = {name: value for name, _, value in directives}
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    # The replay shows the shops' images, styles and fonts; nothing else's.
    for directive in ("img-src", "style-src", "font-src"):
        assert "https://shop.example" in policy[directive].split(), directive
        assert "*" not in policy[directive] and "https:" not in policy[directive].split()
    assert "'self'" in policy["connect-src"] and "ws://" in policy["connect-src"]
    for h in (headers, script):
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "no-referrer"
