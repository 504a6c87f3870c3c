"""Screen view in apps: ``CustomerClient.request_video`` with aiortc at both ends.

The app hands the SDK a video track of what it shows; the agent sees those very frames, draws
on them, and the app gets the strokes through its callback. Pause, resume and end as in the
widget.
"""

from __future__ import annotations

import asyncio
import fractions
from typing import Any

import pytest
from aiortc import VideoStreamTrack
from av import VideoFrame

from hub.sdk import AgentClient, CustomerClient
from hub.sdk.video import AgentPeer
from tests.kit.clients import sdk_round_trip
from tests.kit.hub import HubServer

WIDTH, HEIGHT = 320, 240
APP_LUMA = 200  # the app's screen is a flat, bright picture: easy to recognise at the agent


class AppScreen(VideoStreamTrack):
    """What an app would supply: frames it renders itself (here a flat grey of APP_LUMA)."""

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame(WIDTH, HEIGHT, "yuv420p")
        for index, plane in enumerate(frame.planes):
            plane.update(bytes([APP_LUMA if index == 0 else 128]) * plane.buffer_size)
        frame.pts, frame.time_base = pts, time_base or fractions.Fraction(1, 90000)
        return frame


def mean_luma(frame: VideoFrame) -> float:
    plane = frame.planes[0]
    rows = [bytes(plane)[r * plane.line_size : r * plane.line_size + frame.width] for r in (0, 60)]
    return sum(sum(row) for row in rows) / sum(len(row) for row in rows)


STROKE = {
    "id": "v1",
    "tool": "arrow",
    "color": "#0a84ff",
    "points": [[0.25, 0.5], [0.6, 0.45]],
    "surface": "video",
}


@pytest.fixture
def hub_config() -> dict[str, object]:
    return {"offer_timeout_s": {"chat": 5.0, "video": 5.0, "callback": 5.0}}


async def test_app_shares_its_frames_receives_strokes_pauses_and_ends(
    hub_server: HubServer,
) -> None:
    await hub_server.add_agent("may@example.com", "may-password", name="May", auto_answer=True)
    agent = await AgentClient.login(hub_server.url, "may@example.com", "may-password")
    await agent.set_presence("available")
    customer = CustomerClient(hub_server.url, hub_server.site_key)
    await customer.connect()
    screen_frames: list[float] = []
    agent_peer: AgentPeer | None = None

    async def answer(offer: dict[str, Any]) -> None:
        # What the console does for an auto-answer agent: accept, then offer media.
        nonlocal agent_peer
        await agent.accept(offer["contact_id"])
        config = await agent.wait_for("rtc.config")
        agent_peer = AgentPeer(
            agent,
            offer["contact_id"],
            VideoStreamTrack(),
            ice_servers=config["ice_servers"],
            on_screen_frame=lambda frame: screen_frames.append(mean_luma(frame)),
        )
        await agent_peer.start()

    agent.on("offer", answer)
    strokes: list[dict[str, Any]] = []
    cleared = asyncio.Event()
    laser: list[tuple[float, float] | None] = []
    session = await customer.request_video(
        screen=AppScreen(), on_stroke=strokes.append, on_clear=cleared.set, on_laser=laser.append
    )
    try:
        assert session.contact_id is not None
        await session.first_frame(timeout=20)
        assert agent_peer is not None
        await asyncio.wait_for(agent_peer.first_screen_frame, 15)
        # The agent sees the app's own picture, not a placeholder.
        assert abs(screen_frames[-1] - APP_LUMA) < 12, screen_frames[-1]

        # The live laser reaches the app as fractions of its picture, then its end.
        for x, y in ((0.25, 0.5), (0.3, 0.55)):
            await agent.call("laser.move", {"contact_id": session.contact_id, "x": x, "y": y})
        await agent.call("laser.end", {"contact_id": session.contact_id})
        await sdk_round_trip(customer)
        assert laser == [(0.25, 0.5), (0.3, 0.55), None]

        await agent.call("annotation.draw", {"contact_id": session.contact_id, "stroke": STROKE})
        await agent.call("annotation.clear", {"contact_id": session.contact_id})
        await asyncio.wait_for(cleared.wait(), 5)
        assert strokes == [STROKE]

        await session.pause()
        state = await agent.wait_for("share.state", lambda s: s["paused"])
        assert state["contact_id"] == session.contact_id
        await session.resume()
        await agent.wait_for("share.state", lambda s: not s["paused"])

        await session.end()
        ended = await agent.wait_for("contact.ended")
        assert ended["contact_id"] == session.contact_id
        assert session.peer is not None and session.peer.pc.connectionState == "closed"
    finally:
        await session.close()
        if agent_peer is not None:
            await agent_peer.close()
        await customer.close()
        await agent.close()


async def test_a_session_ended_by_the_agent_is_torn_down(hub_server: HubServer) -> None:
    await hub_server.add_agent("may@example.com", "may-password", name="May")
    agent = await AgentClient.login(hub_server.url, "may@example.com", "may-password")
    await agent.set_presence("available")
    customer = CustomerClient(hub_server.url, hub_server.site_key)
    await customer.connect()
    session = await customer.request_video(screen=AppScreen())
    try:
        offer = await agent.wait_for("offer", lambda o: o["contact_id"] == session.contact_id)
        await agent.accept(offer["contact_id"])
        peer = await session.connected(timeout=10)
        await agent.end_contact(offer["contact_id"])
        await asyncio.wait_for(session.ended.wait(), 5)
        assert session.end_reason == "ended"
        for _ in range(50):
            if peer.pc.connectionState == "closed":
                break
            await asyncio.sleep(0.05)
        assert peer.pc.connectionState == "closed"
    finally:
        await session.close()
        await customer.close()
        await agent.close()


async def test_the_app_rejoins_its_session_after_a_lost_connection(
    hub_server: HubServer,
) -> None:
    await hub_server.add_agent("may@example.com", "may-password", name="May")
    agent = await AgentClient.login(hub_server.url, "may@example.com", "may-password")
    await agent.set_presence("available")
    customer = CustomerClient(hub_server.url, hub_server.site_key)
    await customer.connect()
    screen_frames: list[float] = []
    peers: list[AgentPeer] = []

    async def offer_media(config: dict[str, Any]) -> None:
        # What the console does on every rtc.config: on a rejoin, a fresh peer and offer.
        if peers:
            await peers[-1].close()
        peer = AgentPeer(
            agent,
            config["contact_id"],
            VideoStreamTrack(),
            ice_servers=config["ice_servers"],
            on_screen_frame=lambda frame: screen_frames.append(mean_luma(frame)),
        )
        peers.append(peer)
        await peer.start()

    agent.on("rtc.config", offer_media)
    session = await customer.request_video(screen=AppScreen())
    try:
        contact_id = session.contact_id
        await agent.accept((await agent.wait_for("offer"))["contact_id"])
        await session.first_frame(timeout=20)
        first = session.peer
        assert first is not None
        await agent.wait_for("rtc.state", lambda s: s["state"] == "connected")

        await customer._simulate_drop()  # the app's network goes away and comes back
        rejoin = await agent.wait_for("rtc.config", lambda c: c.get("rejoin") is True, timeout=15)
        assert rejoin["contact_id"] == contact_id and rejoin["from"] == "customer"
        state = await agent.wait_for("rtc.state", lambda s: s["state"] == "connected", timeout=15)
        assert state["contact_id"] == contact_id

        # A new peer connection on the same contact, and the media flows both ways again.
        second = session.peer
        assert second is not None and second is not first
        assert first.pc.connectionState == "closed"
        await asyncio.wait_for(second.first_frame, 15)
        assert len(peers) == 2
        await asyncio.wait_for(peers[1].first_screen_frame, 15)
        assert abs(screen_frames[-1] - APP_LUMA) < 12, screen_frames[-1]
        assert session.contact_id == contact_id and not session.ended.is_set()
        with pytest.raises(TimeoutError):
            await agent.wait_for("offer", timeout=0)  # no new contact was offered
    finally:
        await session.close()
        for peer in peers:
            await peer.close()
        await customer.close()
        await agent.close()


async def test_a_paused_share_stays_paused_across_a_rejoin(hub_server: HubServer) -> None:
    await hub_server.add_agent("may@example.com", "may-password", name="May")
    agent = await AgentClient.login(hub_server.url, "may@example.com", "may-password")
    await agent.set_presence("available")
    customer = CustomerClient(hub_server.url, hub_server.site_key)
    await customer.connect()
    peers: list[AgentPeer] = []

    async def offer_media(config: dict[str, Any]) -> None:
        if peers:
            await peers[-1].close()
        peers.append(AgentPeer(agent, config["contact_id"], VideoStreamTrack()))
        await peers[-1].start()

    agent.on("rtc.config", offer_media)
    screen = AppScreen()
    session = await customer.request_video(screen=screen)
    try:
        await agent.accept((await agent.wait_for("offer"))["contact_id"])
        await session.first_frame(timeout=20)
        await session.pause()
        await customer._simulate_drop()
        await agent.wait_for("rtc.config", lambda c: c.get("rejoin") is True, timeout=15)
        await agent.wait_for("rtc.state", lambda s: s["state"] == "connected", timeout=15)
        await agent.wait_for("rtc.state", lambda s: s["state"] == "connected", timeout=15)
        # The new connection answers with the screen's m-line but no track on it: nothing of
        # the app's picture leaves it until the app resumes.
        peer = session.peer
        assert peer is not None and len(peers) == 2
        assert peer.pc.getTransceivers()[2].sender.track is None
        await session.resume()
        assert peer.pc.getTransceivers()[2].sender.track is screen
        await asyncio.wait_for(peers[1].first_screen_frame, 15)
    finally:
        await session.close()
        for p in peers:
            await p.close()
        await customer.close()
        await agent.close()
