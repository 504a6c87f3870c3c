"""What the outside probe and the fuzz found (issue 12), each pinned at the edge: non-finite
numbers, links that are not http(s), NUL and bidi overrides, numbers in other digits, a
supervisor's callback outcome, a lone surrogate. Each failed before its fix."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from tests.kit.clients import ADA, Clients, about
from tests.kit.hub import HubServer
from tests.kit.wire import Wire, login

# SQLite is enough: these are the edge's answers, not the store's.
pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.parametrize("seeded_database_url", ["sqlite"], indirect=True),
]

SUE = ("sue@example.com", "sue-password")


async def refused(w: Wire, event: str, payload: Any) -> None:
    ack = await w.sio.call(event, payload, namespace=w.ns, timeout=2)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack


async def raw_ack(server: HubServer, frame: str) -> Any:
    """Send one /customer event as exactly this JSON text, as any page could, and return its ack.

    The socket.io client of the tests would re-encode it with the hub's own codec, which writes
    NaN as null; so this speaks Engine.IO over a websocket itself.
    """
    url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    auth = json.dumps({"site_key": server.site_key, "visitor_token": None})
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        await ws.send_str(f"40/customer,{auth}")
        await ws.send_str(f"42/customer,1{frame}")
        # A short wait: before issue 12's fixes these got no answer at all.
        async with asyncio.timeout(2):
            async for msg in ws:
                assert msg.type == aiohttp.WSMsgType.TEXT, f"the hub closed the socket: {msg}"
                if msg.data == "2":  # Engine.IO's ping
                    await ws.send_str("3")
                elif msg.data.startswith("43/customer,1"):
                    return json.loads(msg.data.removeprefix("43/customer,1"))[0]
    raise AssertionError("no ack")


@pytest.mark.parametrize("number", ["NaN", "Infinity"])
async def test_non_finite_numbers_are_invalid(hub_server: HubServer, number: str) -> None:
    frame = f'["cobrowse.events", {{"contact_id": "c1", "events": [{{"x": {number}}}]}}]'
    ack = await raw_ack(hub_server, frame)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack


async def test_page_url_is_http(clients: Clients) -> None:
    shopper = await clients.customer()
    await refused(shopper, "page", {"url": "javascript:alert(1)"})


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("identify", {"name": "Pat\x00"}),
        ("identify", {"name": "\u202eetaP"}),
        ("contact.request", {"channel": "chat", "text": "invoice\u202efdp.exe"}),
    ],
    ids=["nul-name", "bidi-name", "bidi-text"],
)
async def test_control_characters_are_invalid(
    clients: Clients, event: str, payload: dict[str, Any]
) -> None:
    shopper = await clients.customer()
    await refused(shopper, event, payload)


@pytest.mark.parametrize("after_seq", ["1_0", "\u0661\u0660"], ids=["underscore", "arabic-indic"])
async def test_after_seq_is_ascii_digits(
    hub_server: HubServer, clients: Clients, after_seq: str
) -> None:
    # A conversation Ada may read, so that after_seq is the only thing wrong.
    shopper = await clients.customer()
    ack = await shopper.call("contact.request", {"channel": "chat", "text": "hello"})
    assert ack["ok"], ack
    conversation_id = ack["conversation_id"]
    token = await login(hub_server.url, *ADA)
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"{hub_server.url}/api/v1/conversations/{conversation_id}/events",
            params={"after_seq": after_seq},
            headers={"Authorization": f"Bearer {token}"},
        ) as r,
    ):
        assert r.status == 400, await r.text()
        assert (await r.json())["error"]["code"] == "invalid"


async def test_a_supervisors_outcome_ends_the_callback_for_its_agent(clients: Clients) -> None:
    ada = await clients.ada()
    shopper = await clients.customer()
    ack = await shopper.call("contact.request", {"channel": "callback", "phone": "+33612345678"})
    assert ack["ok"], ack
    contact_id = ack["contact_id"]
    await ada.next("offer", about(contact_id))
    assert (await ada.call("offer.accept", {"contact_id": contact_id}))["ok"]
    sue = await clients.agent(*SUE, available=False)
    done = await sue.call("callback.outcome", {"contact_id": contact_id, "outcome": "reached"})
    assert done["ok"], done
    # The contact was Ada's: she is told it ended and leaves its conversation.
    await ada.next("contact.ended", about(contact_id), timeout=3)


async def test_a_lone_surrogate_is_answered(hub_server: HubServer) -> None:
    # What JSON.stringify writes for a string cut in the middle of an emoji.
    ack = await raw_ack(hub_server, '["identify", {"name": "half an emoji \\ud83d"}]')
    assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack
