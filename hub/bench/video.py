"""The Mayday scenario: tap → first frame of the agent's video at the customer, many at once.

Every session is real WebRTC on loopback with aiortc at both ends: an auto-answer agent accepts
the video offer, sends a synthetic 640×360 camera, and the customer's end decodes it. The time
runs from the customer's ``contact.request`` to the first decoded frame.

Each session is also cut into phases, timed with the monotonic clock that both processes share
(``loop.time()`` is ``time.monotonic()``): the agents' process prints its own timestamps of each
session as a JSON line, and the customers' end adds its own. ``phases_p50_ms`` and
``phases_p95_ms`` are the per-phase percentiles over the sessions that reached a first frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import json
import sys
import time
from typing import Any

from aiortc import RTCSessionDescription, VideoStreamTrack
from av import VideoFrame

from hub.bench.common import PASSWORD, Context, bounded, close_all, percentile
from hub.sdk import AgentClient, CustomerClient
from hub.sdk.video import AgentPeer, CustomerPeer

Payload = dict[str, Any]
WIDTH, HEIGHT = 640, 360

# Each phase runs from the first timestamp to the second; together they cover the tap to the
# first decoded frame. "agent" timestamps come from the agents' process, the others from the
# customers'.
PHASES = [
    ("offer_to_agent", "tap", "agent_offer"),  # routing: the hub offers the contact
    ("accept", "agent_offer", "agent_config"),  # the agent accepts; rtc.config comes back
    ("agent_sdp_offer", "agent_config", "agent_offer_made"),  # createOffer + ICE gathering
    ("offer_relay", "agent_offer_made", "customer_offer"),  # rtc.signal through the hub
    ("customer_sdp_answer", "customer_offer", "customer_answer_made"),  # answer + gathering
    ("answer_relay_and_ice", "customer_answer_made", "customer_ice"),  # relay, ICE checks
    # DTLS handshake; the agent's sender asks its camera for a frame as soon as its end is up.
    ("dtls", "customer_ice", "agent_camera"),
    ("encode_send_decode", "agent_camera", "first_frame"),  # first keyframe out and decoded
]


class Camera(VideoStreamTrack):
    """A moving test picture (a bright bar sweeping across), so every frame costs a real encode."""

    def __init__(self) -> None:
        super().__init__()
        self._n = 0
        self.first_at = 0.0  # when the sender asked for the first frame
        self.started = asyncio.Event()

    async def recv(self) -> VideoFrame:
        if not self.started.is_set():
            self.first_at = time.monotonic()
            self.started.set()
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


class _TimedCustomerPeer(CustomerPeer):
    """The SDK's customer end, with the moments of its own phases written down."""

    def __init__(self, client: CustomerClient, contact_id: str, marks: dict[str, float]) -> None:
        super().__init__(client, contact_id)
        self.marks = marks

        @self.pc.on("iceconnectionstatechange")
        def on_ice() -> None:
            if self.pc.iceConnectionState == "completed":
                marks.setdefault("customer_ice", time.monotonic())

    async def on_description(self, description: RTCSessionDescription) -> None:
        self.marks.setdefault("customer_offer", time.monotonic())
        await super().on_description(description)

    async def _signal(self) -> None:
        self.marks.setdefault("customer_answer_made", time.monotonic())
        await super()._signal()


async def video(ctx: Context) -> Payload:
    sessions = ctx.options.sessions
    ctx.notes["video"] = (
        f"{sessions} sessions at once, auto-answer agents; aiortc at both ends ({WIDTH}×{HEIGHT} "
        "VP8), agents in one process and customers in another, loopback, no ICE servers"
    )
    agent_marks: dict[str, dict[str, float]] = {}
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
        reader: asyncio.Task[None] | None = None
        marked = asyncio.Event()  # set whenever the agents' process prints a session's marks
        try:
            assert agents.stdout is not None
            line = await asyncio.wait_for(agents.stdout.readline(), 120)
            if line.strip() != b"ready":
                raise RuntimeError("the bench's agents did not start")
            reader = asyncio.create_task(_read_marks(agents.stdout, agent_marks, marked))
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
            # The agents' process prints each session's marks once its camera has started.
            async with asyncio.timeout(5):
                while not all(r is None or r[0] in agent_marks for r in results):
                    marked.clear()
                    await marked.wait()
        finally:
            await asyncio.gather(*(p.close() for p in peers), return_exceptions=True)
            await close_all(customers)
            if agents.returncode is None:
                agents.terminate()
                await agents.wait()
            if reader is not None:
                reader.cancel()
                await asyncio.gather(reader, return_exceptions=True)
    done = [r for r in results if r is not None]
    times = [(r[1]["first_frame"] - r[1]["tap"]) * 1000 for r in done]
    phases: dict[str, list[float]] = {name: [] for name, _, _ in PHASES}
    for contact_id, marks in done:
        marks = {**agent_marks.get(contact_id, {}), **marks}
        for name, start, end in PHASES:
            if start in marks and end in marks:
                phases[name].append((marks[end] - marks[start]) * 1000)
    return {
        "sessions": sessions,
        "connected": len(times),
        "first_frame_p50_ms": round(percentile(times, 50), 1),
        "first_frame_p95_ms": round(percentile(times, 95), 1),
        "phases_p50_ms": {k: round(percentile(v, 50), 1) for k, v in phases.items() if v},
        "phases_p95_ms": {k: round(percentile(v, 95), 1) for k, v in phases.items() if v},
    }


async def _read_marks(
    stream: asyncio.StreamReader, into: dict[str, dict[str, float]], marked: asyncio.Event
) -> None:
    while line := await stream.readline():
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            into[record.pop("contact_id")] = record
            marked.set()


async def _session(
    ctx: Context, customer: CustomerClient, peers: list[CustomerPeer]
) -> tuple[str, dict[str, float]] | None:
    marks = {"tap": time.monotonic()}
    contact = await customer.request_contact("video")
    peer = _TimedCustomerPeer(customer, contact["contact_id"], marks)
    peers.append(peer)
    try:
        marks["first_frame"] = await asyncio.wait_for(peer.first_frame, 30)
    except TimeoutError:
        return None
    finally:
        ctx.bar.update()
    return contact["contact_id"], marks


async def serve_agents(url: str, emails: list[str]) -> None:
    """Log the agents in, answer every video offer with a camera, until terminated.

    For each session a JSON line of its timestamps goes to stdout once the camera has started.
    """
    agents = [await AgentClient.login(url, e, PASSWORD) for e in emails]
    peers: list[AgentPeer] = []

    def answer(agent: AgentClient) -> Any:
        async def on_offer(offer: Payload) -> None:
            if not offer.get("auto_answer"):
                return
            marks = {"agent_offer": time.monotonic()}
            contact_id = offer["contact_id"]
            # As the console does (web/console/src/video.js), the session starts on rtc.config,
            # which the hub sends before it acknowledges the accept, not on the acknowledgement.
            accepting = asyncio.ensure_future(agent.accept(contact_id))
            config = await agent.wait_for("rtc.config", lambda c: c["contact_id"] == contact_id, 10)
            marks["agent_config"] = time.monotonic()
            camera = Camera()
            peer = AgentPeer(agent, contact_id, camera, ice_servers=config["ice_servers"])
            peers.append(peer)
            await peer.pc.setLocalDescription(await peer.pc.createOffer())
            marks["agent_offer_made"] = time.monotonic()
            await peer._signal()
            await accepting
            await asyncio.wait_for(camera.started.wait(), 30)
            marks["agent_camera"] = camera.first_at
            print(json.dumps({"contact_id": contact_id, **marks}), flush=True)

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
