"""Attachments: a shopper (through the SDK) and an agent send images and PDFs over HTTP, typed
by their bytes; everyone in the conversation gets the event and a signed link that serves
the file to them for five minutes and to nobody else; refusals change nothing; an erasure
deletes the customer's files."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from hub.errors import HubError
from hub.sdk import AgentClient, CustomerClient
from tests.kit.answers import check_answer
from tests.kit.clients import ADA, BOB, Clients
from tests.kit.files import PDF, png
from tests.kit.hub import HandClock, HubServer

HTML = b"<!doctype html><script>alert(document.cookie)</script>"
LIMIT = 512 * 1024


@pytest.fixture
def files_dir(tmp_path: Path) -> Path:
    return tmp_path / "attached"


@pytest.fixture
def hub_config(files_dir: Path) -> dict[str, Any]:
    # Above socket.io's 256 KB and the app's body cap, which uploads must not be held to.
    return {"files_dir": str(files_dir), "files_max_bytes": LIMIT}


def stored(files_dir: Path) -> list[Path]:
    return [p for p in files_dir.rglob("*") if p.is_file()] if files_dir.exists() else []


async def upload(
    server: HubServer,
    conversation_id: str,
    body: Any,
    headers: dict[str, str],
    **params: str,
) -> tuple[int, Any]:
    """``POST /api/v1/conversations/{id}/files`` as any client would send it."""
    path = f"/api/v1/conversations/{conversation_id}/files"
    params.setdefault("client_id", "c1")
    async with aiohttp.ClientSession() as http:
        async with http.post(server.url + path, params=params, data=body, headers=headers) as r:
            text = await r.text()
            check_answer("POST", path, r.status, r.content_type, text)
            return r.status, json.loads(text)


async def fetch(server: HubServer, url: str) -> tuple[int, bytes, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + url) as r:
            return r.status, await r.read(), r.headers


def visitor(shopper: CustomerClient) -> dict[str, str]:
    return {"Authorization": f"Visitor {shopper.visitor_token}"}


async def a_chat(clients: Clients) -> tuple[CustomerClient, AgentClient, str]:
    """A shopper (SDK) in a chat Ada (SDK) accepted; and its conversation."""
    ada = await clients.sdk_agent(*ADA)
    shopper = await clients.sdk_customer()
    ack = await shopper.request_contact("chat", text="Is this lamp broken?")
    await ada.wait_for("offer", lambda o: o["contact_id"] == ack["contact_id"])
    await ada.accept(ack["contact_id"])
    return shopper, ada, str(ack["conversation_id"])


def attachments(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == "attachment"]


async def test_a_shopper_attaches_an_image_and_both_sides_open_it(
    hub_server: HubServer, clients: Clients, files_dir: Path
) -> None:
    shopper, ada, conversation_id = await a_chat(clients)
    image = png()
    # The name says GIF and the declared type says JPEG: the bytes say PNG, and PNG it is.
    answer = await shopper.send_file(image, "../../holiday pic.gif", client_id="p1")
    attached = answer["attachment"]
    assert attached["type"] == "image/png" and attached["size"] == len(image)
    assert attached["name"] == "holiday pic.png"

    event = await ada.wait_for("event", lambda e: e["type"] == "attachment")
    assert event["seq"] == answer["seq"] and event["author"]["role"] == "customer"
    assert event["data"]["file"] == attached["file"]
    status, body, headers = await fetch(hub_server, event["data"]["url"])
    assert status == 200 and body == image
    assert headers["Content-Type"] == "image/png"
    assert headers["Content-Disposition"].startswith('inline; filename="holiday pic.png"')
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "sandbox" in headers["Content-Security-Policy"]

    # A retry of the same upload is the same event, and leaves one file on disk.
    again = await shopper.send_file(image, "holiday pic.gif", client_id="p1")
    assert again["seq"] == answer["seq"]
    assert len(stored(files_dir)) == 1

    # History (the widget's backfill, REST) and the console's snapshot link the file afresh.
    snapshot = await ada.snapshot()
    (item,) = [
        c for c in snapshot["contacts"] if c["contact"]["conversation_id"] == conversation_id
    ]
    for events in (await shopper.history(), await ada.get_events(conversation_id), item["events"]):
        (found,) = attachments(events)
        assert found["data"]["url"].startswith(f"/files/{attached['file']}?")
        assert (await fetch(hub_server, found["data"]["url"]))[1] == image


async def test_the_agent_sends_a_pdf_that_downloads_as_an_attachment(
    hub_server: HubServer, clients: Clients
) -> None:
    shopper, ada, conversation_id = await a_chat(clients)
    answer = await ada.send_file(conversation_id, PDF, "Invoice 42.pdf")
    event = await shopper.wait_for("event", lambda e: e["type"] == "attachment")
    assert event["seq"] == answer["seq"] and event["author"]["role"] == "agent"
    assert event["data"]["type"] == "application/pdf"
    status, body, headers = await fetch(hub_server, event["data"]["url"])
    assert status == 200 and body == PDF
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith('attachment; filename="Invoice 42.pdf"')


async def test_another_type_disguised_by_its_name_is_refused_and_nothing_stored(
    hub_server: HubServer, clients: Clients, files_dir: Path
) -> None:
    shopper, ada, conversation_id = await a_chat(clients)
    for body in (HTML, b"", b"GIF8" + b"\x00" * 20, b"RIFF\x00\x00\x00\x00WAVE"):
        status, answer = await upload(
            hub_server,
            conversation_id,
            body,
            {**visitor(shopper), "Content-Type": "image/png"},
            site=hub_server.site_key,
            name="cute-cat.png",
        )
        assert (status, answer["error"]["code"]) == (415, "unsupported_type"), body
    assert stored(files_dir) == []
    assert attachments(await ada.get_events(conversation_id)) == []


async def test_a_file_too_large_is_refused_even_without_a_length(
    hub_server: HubServer, clients: Clients, files_dir: Path
) -> None:
    shopper, ada, conversation_id = await a_chat(clients)
    big = png() + b"\x00" * LIMIT

    async def chunked() -> AsyncIterator[bytes]:
        # No Content-Length: the hub must stop reading at the limit, not after the body.
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    for body in (big, chunked()):
        status, answer = await upload(
            hub_server, conversation_id, body, visitor(shopper), site=hub_server.site_key
        )
        assert (status, answer["error"]["code"]) == (413, "too_large")
    with pytest.raises(HubError) as refused:
        await ada.send_file(conversation_id, big, "big.png")
    assert refused.value.code == "too_large"
    assert stored(files_dir) == []
    assert attachments(await ada.get_events(conversation_id)) == []
    # At the limit, the file is taken whole.
    just = big[:LIMIT]
    answer = await shopper.send_file(just, "just.png")
    assert answer["attachment"]["size"] == LIMIT
    assert (await fetch(hub_server, answer["attachment"]["url"]))[1] == just


async def test_only_the_conversations_own_people_may_attach(
    hub_server: HubServer, clients: Clients, files_dir: Path
) -> None:
    shopper, ada, conversation_id = await a_chat(clients)
    stranger = await clients.sdk_customer()
    await stranger.request_contact("chat")
    site = hub_server.site_key
    bob = await clients.sdk_agent(*BOB)
    refusals = [
        # Another customer, with a conversation of their own.
        (visitor(stranger), {"site": site}, 403, "forbidden"),
        # The shopper's token on another site, or without a site.
        (visitor(shopper), {"site": "demo"}, 401, "unauthorized"),
        (visitor(shopper), {}, 401, "unauthorized"),
        # A made-up token; no credentials at all.
        ({"Authorization": "Visitor " + "x" * 43}, {"site": site}, 401, "unauthorized"),
        ({}, {}, 401, "unauthorized"),
        # An agent the contact is not assigned to.
        ({"Authorization": f"Bearer {bob.token}"}, {}, 403, "forbidden"),
    ]
    for headers, params, status, code in refusals:
        got = await upload(hub_server, conversation_id, png(), headers, **params)
        assert (got[0], got[1]["error"]["code"]) == (status, code), (headers, params)
    with pytest.raises(HubError) as refused:
        await stranger.send_file(png(), "x.png", conversation_id=conversation_id)
    assert refused.value.code == "forbidden"
    assert stored(files_dir) == []
    assert attachments(await ada.get_events(conversation_id)) == []


async def test_a_link_expires_after_five_minutes_and_cannot_be_forged(
    hub_server: HubServer, clients: Clients, manual_clock: HandClock
) -> None:
    shopper, _ada, _conversation_id = await a_chat(clients)
    url = (await shopper.send_file(png(), "a.png"))["attachment"]["url"]
    path, _, query = url.partition("?")
    params = dict(p.split("=", 1) for p in query.split("&"))
    forged_sig = "0" * 64
    later = int(params["exp"]) + 3600
    for forged in (
        f"{path}?exp={params['exp']}&name={params['name']}&sig={forged_sig}",
        f"{path}?exp={later}&name={params['name']}&sig={params['sig']}",
        f"{path}?exp={params['exp']}&name=other.png&sig={params['sig']}",
        f"{path[:-1]}A?{query}",
    ):
        status, body, _ = await fetch(hub_server, forged)
        assert status == 403 and json.loads(body)["error"]["code"] == "bad_signature", forged
    assert (await fetch(hub_server, url))[0] == 200
    await manual_clock.advance(301)
    status, body, _ = await fetch(hub_server, url)
    assert status == 403 and json.loads(body)["error"]["code"] == "link_expired"
    # A fresh read of the conversation links it again.
    (event,) = attachments(await shopper.history())
    assert (await fetch(hub_server, event["data"]["url"]))[0] == 200


async def test_the_widgets_preflight_is_answered_for_the_sites_origins_only(
    hub_server: HubServer, clients: Clients
) -> None:
    await hub_server.add_site("boutique", origins=["https://boutique.example"])
    path = "/api/v1/conversations/c/files"
    cases = [
        ("boutique", "https://boutique.example", 204),
        ("boutique", "https://evil.example", 403),
        ("nope", "https://boutique.example", 403),
    ]
    async with aiohttp.ClientSession() as http:
        for site, origin, status in cases:
            headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
            async with http.options(
                hub_server.url + path, params={"site": site}, headers=headers
            ) as r:
                assert r.status == status, (site, origin)
                allowed = r.headers.get("Access-Control-Allow-Origin")
                assert allowed == (origin if status == 204 else None)
    # The upload itself, from a page the site does not list, is refused.
    boutique = CustomerClient(hub_server.url, "boutique")
    clients.keep(boutique)
    await boutique.connect()
    ack = await boutique.request_contact("chat")
    headers = {**visitor(boutique), "Origin": "https://evil.example"}
    got = await upload(hub_server, ack["conversation_id"], png(), headers, site="boutique")
    assert (got[0], got[1]["error"]["code"]) == (403, "forbidden_origin")
    headers["Origin"] = "https://boutique.example"
    path = f"/api/v1/conversations/{ack['conversation_id']}/files"
    async with aiohttp.ClientSession() as http:
        async with http.post(
            hub_server.url + path,
            params={"site": "boutique", "client_id": "b1"},
            data=png(),
            headers=headers,
        ) as r:
            assert r.status == 200
            assert r.headers["Access-Control-Allow-Origin"] == "https://boutique.example"


async def test_erasing_the_customer_deletes_their_files(
    hub_server: HubServer, clients: Clients, files_dir: Path
) -> None:
    shopper, ada, conversation_id = await a_chat(clients)
    theirs = await shopper.send_file(png(), "me.png")
    ours = await ada.send_file(conversation_id, PDF, "quote.pdf")
    assert len(stored(files_dir)) == 2
    basic = base64.b64encode(f"{hub_server.site_key}:{hub_server.site_secret}".encode()).decode()
    async with aiohttp.ClientSession() as http:
        async with http.delete(
            f"{hub_server.url}/api/v1/shop/customers/{shopper.customer_id}",
            headers={"Authorization": f"Basic {basic}"},
        ) as r:
            assert r.status == 204
    assert stored(files_dir) == []
    for link in (theirs["attachment"]["url"], ours["attachment"]["url"]):
        assert (await fetch(hub_server, link))[0] == 404
    events = attachments(await ada.get_events(conversation_id))
    assert len(events) == 2
    for event in events:
        assert event["data"]["erased"] is True
        assert not {"file", "name", "url"} & set(event["data"])


async def test_each_sender_may_send_ten_files_a_minute(
    hub_server: HubServer, clients: Clients, manual_clock: HandClock
) -> None:
    shopper, ada, conversation_id = await a_chat(clients)
    for n in range(10):
        await shopper.send_file(png(), f"{n}.png", client_id=f"f{n}")
    status, answer = await upload(
        hub_server, conversation_id, png(), visitor(shopper), site=hub_server.site_key
    )
    assert (status, answer["error"]["code"]) == (429, "rate_limited")
    # The agent's budget is their own.
    await ada.send_file(conversation_id, PDF, "quote.pdf")
    await manual_clock.advance(6.1)
    await shopper.send_file(png(), "later.png", client_id="later")
    assert len(attachments(await ada.get_events(conversation_id))) == 12
