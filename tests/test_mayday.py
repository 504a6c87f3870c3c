"""Mayday end to end in Python: aiortc at both ends, signalling and drawing through the hub."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from typing import Any

import pytest
from aiortc import VideoStreamTrack
from sqlalchemy import select

from hub.errors import HubError
from hub.sdk import AgentClient, CustomerClient
from hub.sdk.video import AgentPeer, CustomerPeer
from hub.store.schema import contact_events
from tests.kit.hub import HubServer

ARROW = {
    "id": "s1",
    "tool": "arrow",
    "color": "#ff3b30",
    "points": [[120.0, 340.5], [260.0, 300.0]],
    "surface": "page",
}


OFFER_TIMEOUTS = {"chat": 5.0, "video": 5.0, "callback": 5.0}
STUN = {"urls": ["stun:stun.example.com:3478"]}
TURN_SECRET = "turn-secret-for-tests"
TURN_URLS = ("turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349")
TURN_TTL = 600


@pytest.fixture
def hub_config() -> dict[str, object]:
    return {"offer_timeout_s": OFFER_TIMEOUTS}


async def start_session(
    hub_server: HubServer,
) -> tuple[AgentClient, CustomerClient, str, AgentPeer, CustomerPeer]:
    await hub_server.add_agent("may@example.com", "may-password", name="May", auto_answer=True)
    agent = await AgentClient.login(hub_server.url, "may@example.com", "may-password")
    await agent.set_presence("available")
    customer = CustomerClient(hub_server.url, hub_server.site_key)
    await customer.connect()

    contact = await customer.request_contact("video")
    contact_id = contact["contact_id"]
    # The customer's end listens for the offer from the moment it taps.
    customer_peer = CustomerPeer(customer, contact_id, screen=VideoStreamTrack())
    offer = await agent.wait_for("offer", lambda o: o["contact_id"] == contact_id)
    assert offer["channel"] == "video" and offer["auto_answer"] is True
    await agent.accept(contact_id)
    config = await agent.wait_for("rtc.config", lambda c: c["contact_id"] == contact_id)
    assert config["ice_servers"] == []
    assert (await customer.wait_for("rtc.config"))["contact_id"] == contact_id
    agent_peer = AgentPeer(agent, contact_id, VideoStreamTrack(), ice_servers=config["ice_servers"])
    await agent_peer.start()
    return agent, customer, contact_id, agent_peer, customer_peer


async def test_tap_to_first_agent_frame_strokes_pause_and_end(hub_server: HubServer) -> None:
    agent, customer, contact_id, agent_peer, customer_peer = await start_session(hub_server)
    try:
        # The customer sees the agent; the agent sees the customer's screen.
        await asyncio.wait_for(customer_peer.first_frame, 15)
        await asyncio.wait_for(agent_peer.first_screen_frame, 15)
        state = await agent.wait_for("rtc.state", lambda s: s["state"] == "first_frame", timeout=5)
        assert state["from"] == "customer"

        # An arrow drawn by the agent reaches the customer as a timeline event.
        ack = await agent.call("annotation.draw", {"contact_id": contact_id, "stroke": ARROW})
        drawn = await customer.wait_for("event", lambda e: e["type"] == "annotation")
        assert drawn["seq"] == ack["seq"]
        assert drawn["data"]["stroke"]["points"] == ARROW["points"]
        assert drawn["data"]["stroke"]["tool"] == "arrow"
        await agent.call("annotation.clear", {"contact_id": contact_id})
        await customer.wait_for("event", lambda e: e["type"] == "annotation.clear")

        # Pausing: the agent is told, and the page no longer leaves the hub.
        await customer.call("share.pause", {"contact_id": contact_id})
        assert (await agent.wait_for("share.state", lambda s: s["paused"]))[
            "contact_id"
        ] == contact_id
        page = [{"type": 3, "data": {"source": 0}, "timestamp": 1}]
        paused = await customer.call("cobrowse.events", {"contact_id": contact_id, "events": page})
        assert paused == {"ok": True, "paused": True}
        await customer.call("share.resume", {"contact_id": contact_id})
        await agent.wait_for("share.state", lambda s: not s["paused"])
        sent = await customer.call("cobrowse.events", {"contact_id": contact_id, "events": page})
        assert sent["delivered"] is True
        relayed = await agent.wait_for("cobrowse.events", lambda b: b["events"] == page)
        assert relayed["contact_id"] == contact_id

        # The customer ends the session; both sides are told.
        await customer.cancel_contact(contact_id)
        assert (await agent.wait_for("contact.ended"))["contact_id"] == contact_id
        async with hub_server.hub.db.connect() as conn:
            rows = await conn.execute(
                select(contact_events.c.type).where(contact_events.c.contact_id == contact_id)
            )
            milestones = [r[0] for r in rows]
        for milestone in (
            "requested",
            "offered",
            "accepted",
            "media_connected",
            "first_frame",
            "share_paused",
            "ended",
        ):
            assert milestone in milestones
    finally:
        await agent_peer.close()
        await customer_peer.close()
        await customer.close()
        await agent.close()


async def test_strokes_refused_from_others_and_when_malformed(hub_server: HubServer) -> None:
    agent, customer, contact_id, agent_peer, customer_peer = await start_session(hub_server)
    bob = await AgentClient.login(hub_server.url, "bob@example.com", "bob-password")
    try:
        with pytest.raises(HubError) as refused:
            await bob.call("annotation.draw", {"contact_id": contact_id, "stroke": ARROW})
        assert refused.value.code == "forbidden"
        with pytest.raises(HubError) as refused:
            await bob.call("rtc.signal", {"contact_id": contact_id, "candidate": None})
        assert refused.value.code == "forbidden"
        bad_strokes = [
            {**ARROW, "tool": "spray"},
            {**ARROW, "color": "red"},
            {**ARROW, "points": []},
            {**ARROW, "points": [[1, 2, 3]]},
            {**ARROW, "points": [["a", 2]]},
            {**ARROW, "surface": "video"},  # video points are fractions of the picture
            {**ARROW, "points": [[0.5, 0.5]] * 2001},
        ]
        for stroke in bad_strokes:
            with pytest.raises(HubError) as refused:
                await agent.call("annotation.draw", {"contact_id": contact_id, "stroke": stroke})
            assert refused.value.code == "invalid", stroke
        # A stranger's socket cannot feed the agent a page.
        stranger = CustomerClient(hub_server.url, hub_server.site_key)
        await stranger.connect()
        with pytest.raises(HubError) as refused:
            await stranger.call(
                "cobrowse.events", {"contact_id": contact_id, "events": [{"type": 2}]}
            )
        assert refused.value.code == "forbidden"
        await stranger.close()
        history = await customer.history()
        assert not [e for e in history if e["type"].startswith("annotation")]
    finally:
        await agent_peer.close()
        await customer_peer.close()
        await bob.close()
        await customer.close()
        await agent.close()


async def rtc_configs(hub_server: HubServer) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Assign one video contact; what the agent and the customer get in ``rtc.config``."""
    await hub_server.add_agent("may@example.com", "may-password", name="May")
    agent = await AgentClient.login(hub_server.url, "may@example.com", "may-password")
    customer = CustomerClient(hub_server.url, hub_server.site_key)
    try:
        await agent.set_presence("available")
        await customer.connect()
        contact_id = (await customer.request_contact("video"))["contact_id"]
        await agent.wait_for("offer", lambda o: o["contact_id"] == contact_id)
        await agent.accept(contact_id)
        for_agent = await agent.wait_for("rtc.config", lambda c: c["contact_id"] == contact_id)
        for_customer = await customer.wait_for("rtc.config")
        return contact_id, for_agent, for_customer
    finally:
        await customer.close()
        await agent.close()


@pytest.mark.parametrize(
    "hub_config", [{"offer_timeout_s": OFFER_TIMEOUTS, "ice_servers": (STUN,)}]
)
async def test_rtc_config_without_turn_is_the_static_list(hub_server: HubServer) -> None:
    contact_id, for_agent, for_customer = await rtc_configs(hub_server)
    assert for_agent == for_customer == {"contact_id": contact_id, "ice_servers": [STUN]}


@pytest.mark.parametrize(
    "hub_config",
    [
        {
            "offer_timeout_s": OFFER_TIMEOUTS,
            "ice_servers": (STUN,),
            "turn_secret": TURN_SECRET,
            "turn_urls": TURN_URLS,
            "turn_ttl_s": TURN_TTL,
        }
    ],
)
async def test_rtc_config_carries_short_lived_turn_credentials(hub_server: HubServer) -> None:
    contact_id, for_agent, for_customer = await rtc_configs(hub_server)
    for config in (for_agent, for_customer):
        assert config["contact_id"] == contact_id
        static, minted = config["ice_servers"]
        assert static == STUN
        assert set(minted) == {"urls", "username", "credential"}
        assert minted["urls"] == list(TURN_URLS)
        expiry, user = minted["username"].split(":", 1)
        assert user == contact_id
        assert abs(int(expiry) - (time.time() + TURN_TTL)) < 5
        # What coturn computes from its static-auth-secret to check the password.
        expected = hmac.new(TURN_SECRET.encode(), minted["username"].encode(), hashlib.sha1)
        assert minted["credential"] == base64.b64encode(expected.digest()).decode()
