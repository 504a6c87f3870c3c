"""Limits by who asks, not by socket: a visitor's budget across its sockets, sockets per address,
and the cache of sites that keeps no misses."""

from __future__ import annotations

import pytest
import socketio

from tests.kit.hub import HandClock, HubServer
from tests.kit.wire import Wire, customer

pytestmark = pytest.mark.usefixtures("manual_clock")


@pytest.mark.parametrize("hub_config", [{"rate_limit_per_s": 5, "rate_limit_burst": 6}])
async def test_a_visitors_sockets_share_one_budget(
    hub_server: HubServer, manual_clock: HandClock
) -> None:
    first = await customer(hub_server.url, hub_server.site_key)
    token = first.received["session"][0]["visitor_token"]
    ack = await first.call("contact.request", {"channel": "chat", "text": "hi"})
    conv = ack["conversation_id"]
    # The same visitor on two more sockets (more tabs, or one client multiplying itself).
    tabs = [first, await customer(hub_server.url, hub_server.site_key, token)]
    tabs.append(await customer(hub_server.url, hub_server.site_key, token))
    results = []
    for i in range(9):
        tab = tabs[i % 3]
        results.append(
            await tab.call(
                "message.send", {"conversation_id": conv, "client_id": f"m{i}", "text": f"m{i}"}
            )
        )
    # Six tokens in all: the request took one, five messages pass whichever tab sent them.
    assert [r["ok"] for r in results] == [True] * 5 + [False] * 4
    assert {r["error"]["code"] for r in results[5:]} == {"rate_limited"}
    # Another visitor has a budget of its own.
    other = await customer(hub_server.url, hub_server.site_key)
    assert (await other.call("identify", {"name": "Other"}))["ok"]
    # Its sockets closing and a new one opening do not give the visitor a fresh budget
    # while one of them is still open.
    await tabs[1].close()
    again = await customer(hub_server.url, hub_server.site_key, token)
    refused = await again.call(
        "message.send", {"conversation_id": conv, "client_id": "m9", "text": "m9"}
    )
    assert refused["ok"] is False and refused["error"]["code"] == "rate_limited"
    await manual_clock.advance(0.25)
    assert (
        await again.call("message.send", {"conversation_id": conv, "client_id": "mA", "text": "a"})
    )["ok"]
    for w in (first, tabs[2], other, again):
        await w.close()


@pytest.mark.parametrize("hub_config", [{"max_connections_per_address": 3}])
async def test_an_address_holds_a_bounded_number_of_customer_sockets(
    hub_server: HubServer,
) -> None:
    held = [await customer(hub_server.url, hub_server.site_key) for _ in range(3)]
    extra = Wire(hub_server.url, "/customer")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await extra.connect({"site_key": hub_server.site_key, "visitor_token": None})
    await extra.close()
    # A socket closed gives its place back.
    await held.pop().close()
    await held[0].round_trip()
    held.append(await customer(hub_server.url, hub_server.site_key))
    for w in held:
        await w.close()


async def test_an_unknown_site_is_not_remembered(hub_server: HubServer) -> None:
    unknown = Wire(hub_server.url, "/customer")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await unknown.connect({"site_key": "opening-soon", "visitor_token": None})
    await unknown.close()
    for i in range(20):
        made_up = Wire(hub_server.url, "/customer")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await made_up.connect({"site_key": f"made-up-{i}", "visitor_token": None})
        await made_up.close()
    assert not any(k.startswith("made-up-") for k in hub_server.hub.live.sites)
    # Added a moment later (the clock has not moved), it is known at once.
    await hub_server.add_site("opening-soon")
    shopper = await customer(hub_server.url, "opening-soon")
    assert shopper.received["session"][0]["customer_id"]
    await shopper.close()
