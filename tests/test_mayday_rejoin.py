"""Rejoining a Mayday session after a reload: ``rtc.rejoin`` through the wire.

No WebRTC peer is made: the test checks what the hub sends each side and what it stores.
"""

from __future__ import annotations

from typing import Any

import pytest

from hub.errors import HubError
from hub.sdk import AgentClient, CustomerClient
from tests.kit.clients import sdk_never
from tests.kit.hub import HubServer
from tests.kit.video import OFFER_TIMEOUTS, Video, milestones

pytestmark = pytest.mark.usefixtures("manual_clock")

TURN_SECRET = "turn-secret-for-tests"
TURN_URLS = ("turn:turn.example.com:3478?transport=udp",)


@pytest.fixture
def hub_config() -> dict[str, object]:
    return {
        "offer_timeout_s": OFFER_TIMEOUTS,
        "turn_secret": TURN_SECRET,
        "turn_urls": TURN_URLS,
        "turn_ttl_s": 600,
    }


async def rejoin_configs(video: Video) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``rtc.config`` each side gets after a rejoin."""
    cid = video.contact_id
    for_customer = await video.customer.wait_for(
        "rtc.config", lambda c: c["contact_id"] == cid and c.get("rejoin") is True
    )
    for_agent = await video.agent.wait_for(
        "rtc.config", lambda c: c["contact_id"] == cid and c.get("rejoin") is True
    )
    return for_customer, for_agent


@pytest.mark.parametrize("side", ["customer", "agent"])
async def test_rejoin_sends_rtc_config_again_to_both_and_is_stored(
    hub_server: HubServer, video: Video, side: str
) -> None:
    cid = await video.request()
    await video.assign()
    # Drain the snapshot request of the assignment, so the next one is the rejoin's.
    await video.snapshot_asked()

    client = video.customer if side == "customer" else video.agent
    ack = await client.call("rtc.rejoin", {"contact_id": cid})
    assert ack == {"ok": True, "paused": False}

    for_customer, for_agent = await rejoin_configs(video)
    for config in (for_customer, for_agent):
        assert config["from"] == side
        static_and_minted = config["ice_servers"]
        assert [s["urls"] for s in static_and_minted] == [list(TURN_URLS)]
        assert static_and_minted[0]["username"].endswith(":" + cid)
    # The agent's view restarts: sharing state, and a fresh full snapshot of the page.
    state = await video.agent.wait_for("share.state", lambda s: s["contact_id"] == cid)
    assert state["paused"] is False
    assert await video.snapshot_asked()

    facts = await milestones(hub_server, cid)
    assert ("media_rejoined", {"from": side}) in facts


async def test_rejoin_while_paused_asks_for_no_page(video: Video) -> None:
    cid = await video.request()
    await video.assign()
    await video.snapshot_asked()
    await video.customer.call("share.pause", {"contact_id": cid})
    ack = await video.customer.call("rtc.rejoin", {"contact_id": cid})
    assert ack == {"ok": True, "paused": True}
    await rejoin_configs(video)
    state = await video.agent.wait_for("share.state", lambda s: s["paused"] is True)
    assert state["contact_id"] == cid
    assert not await video.snapshot_asked()


async def test_rejoin_refused_from_others_when_not_live_and_when_malformed(
    hub_server: HubServer, video: Video
) -> None:
    cid = await video.request()

    async def code(client: AgentClient | CustomerClient, payload: Any) -> str:
        with pytest.raises(HubError) as refused:
            await client.call("rtc.rejoin", payload)
        return refused.value.code

    # Not yet assigned: there is no session to rejoin.
    assert await code(video.customer, {"contact_id": cid}) == "forbidden"
    await video.assign()

    bob = await AgentClient.login(hub_server.url, "bob@example.com", "bob-password")
    stranger = CustomerClient(hub_server.url, hub_server.site_key)
    try:
        await stranger.connect()
        assert await code(bob, {"contact_id": cid}) == "forbidden"
        assert await code(stranger, {"contact_id": cid}) == "forbidden"
        for bad in ({}, {"contact_id": 7}, {"contact_id": "no spaces allowed"}, "x", None):
            assert await code(video.customer, bad) == "invalid", bad
            assert await code(video.agent, bad) == "invalid", bad
        # Nobody else got a config out of it.
        assert await sdk_never(video.customer, "rtc.config", lambda c: c.get("rejoin"))

        await video.customer.cancel_contact(cid)
        await video.agent.wait_for("contact.ended", lambda e: e["contact_id"] == cid)
        assert await code(video.customer, {"contact_id": cid}) == "not_found"
        assert await code(video.agent, {"contact_id": cid}) == "not_found"
    finally:
        await stranger.close()
        await bob.close()
    assert "media_rejoined" not in [t for t, _ in await milestones(hub_server, cid)]


async def test_a_chat_contact_cannot_be_rejoined(hub_server: HubServer, video: Video) -> None:
    await video.agent.set_presence("available")
    cid = (await video.customer.request_contact("chat", text="hello"))["contact_id"]
    await video.agent.wait_for("offer", lambda o: o["contact_id"] == cid)
    await video.agent.accept(cid)
    with pytest.raises(HubError) as refused:
        await video.agent.call("rtc.rejoin", {"contact_id": cid})
    assert refused.value.code == "forbidden"
