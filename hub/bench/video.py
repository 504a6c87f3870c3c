"""The Mayday scenario: tap → first frame of the agent's video at the customer, many at once.

Every session is real WebRTC on loopback with aiortc at both ends: an auto-answer agent accepts
the video offer, sends a synthetic 640×360 camera, and the customer's end decodes it. The time
runs from the customer's ``contact.request`` to the first decoded frame.
"""

from __future__ import annotations

import asyncio
import fractions
import sys
from typing import Any

from aiortc import VideoStreamTrack
from av import VideoFrame

from hub.bench.common import PASSWORD, Context, bounded, close_all, percentile
from hub.sdk import AgentClient, CustomerClient
from hub.sdk.video import AgentPeer, CustomerPeer

Payload = dict[str, Any]
WIDTH, HEIGHT = 640, 360


class Camera(VideoStreamTrack):
    """A moving test picture (a bright bar sweeping across), so every frame costs a real encode."""

    def __init__(self) -> None:
        super().__init__()
        self._n = 0

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame(WIDTH, HEIGHT, "yuv420p")
        x = (self._n * 16) % WIDTH
        for index, plane in enumerate(frame.planes):
            scale = 1 if index == 0 else 2
            row = bytearray([16 if index == 0 else 128]) * plane.line_size
            start, end = x // scale, (x + 48) // scale
            row[start:end] = bytes([235 if index == 0 else 90]) * (end - start)
            plane.update(bytes(row) * (HEIGHT // scale))
        self._n += 1
        frame.pts, frame.time_base = pts, time_base or fractions.Fraction(1, 90000)
        return frame


async def video(ctx: Context) -> Payload:
    sessions = ctx.options.sessions
    ctx.notes["video"] = (
        f"{sessions} sessions at once, auto-answer agents; aiortc at both ends ({WIDTH}×{HEIGHT} "
        "VP8), agents in one process and customers in another, loopback, no ICE servers"
    )
    async with ctx.hub("video", sessions, auto_answer=True) as (server, site_key, emails):
        ctx.stage("video: agents log in", 1)
        # The agents' ends run in a process of their own, as they would on their own machines:
        # sharing one event loop with the customers' ends would measure Python, not the hub.
        agents = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hub.bench.video",
            server.url,
            *emails,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
        )
        customers: list[CustomerClient] = []
        peers: list[CustomerPeer] = []
        try:
            assert agents.stdout is not None
            line = await asyncio.wait_for(agents.stdout.readline(), 120)
            if line.strip() != b"ready":
                raise RuntimeError("the bench's agents did not start")
            ctx.bar.update()
            ctx.stage("video: customers connect", sessions)

            async def connect() -> CustomerClient:
                client = CustomerClient(server.url, site_key)
                await client.connect()
                return client

            customers = await bounded(ctx, [connect() for _ in range(sessions)], 60)
            ctx.stage("video: taps → first frame", sessions)
            results = await asyncio.wait_for(
                asyncio.gather(*(_session(ctx, c, peers) for c in customers)), 120
            )
        finally:
            await asyncio.gather(*(p.close() for p in peers), return_exceptions=True)
            await close_all(customers)
            if agents.returncode is None:
                agents.terminate()
                await agents.wait()
    times = [r for r in results if r is not None]
    return {
        "sessions": sessions,
        "connected": len(times),
        "first_frame_p50_ms": round(percentile(times, 50), 1),
        "first_frame_p95_ms": round(percentile(times, 95), 1),
    }


async def _session(
    ctx: Context, customer: CustomerClient, peers: list[CustomerPeer]
) -> float | None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    contact = await customer.request_contact("video")
    peer = CustomerPeer(customer, contact["contact_id"])
    peers.append(peer)
    try:
        arrived = await asyncio.wait_for(peer.first_frame, 30)
    except TimeoutError:
        return None
    finally:
        ctx.bar.update()
    return (arrived - started) * 1000


async def serve_agents(url: str, emails: list[str]) -> None:
    """Log the agents in, answer every video offer with a camera, until terminated."""
    agents = [await AgentClient.login(url, e, PASSWORD) for e in emails]
    peers: list[AgentPeer] = []

    def answer(agent: AgentClient) -> Any:
        async def on_offer(offer: Payload) -> None:
            if not offer.get("auto_answer"):
                return
            contact_id = offer["contact_id"]
            await agent.accept(contact_id)
            config = await agent.wait_for("rtc.config", lambda c: c["contact_id"] == contact_id, 10)
            peer = AgentPeer(agent, contact_id, Camera(), ice_servers=config["ice_servers"])
            peers.append(peer)
            await peer.start()

        return on_offer

    for agent in agents:
        agent.on("offer", answer(agent))
        await agent.set_presence("available")
    print("ready", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await asyncio.gather(*(p.close() for p in peers), return_exceptions=True)
        await close_all(agents)


if __name__ == "__main__":
    asyncio.run(serve_agents(sys.argv[1], sys.argv[2:]))
