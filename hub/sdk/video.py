"""WebRTC ends of a Mayday session for Python apps, tests and the bench, with aiortc.

The agent's offer always has three m-lines, in this order (docs/protocol.md, Mayday):

0. video, agent → customer: the agent's camera;
1. audio, both ways: the agent's microphone, and the customer's once they unmute;
2. video, customer → agent: the customer's screen, when the app shares one.

Signalling goes over the hub (``rtc.signal``); candidates travel inside the descriptions because
aiortc gathers them before it answers, so a session needs one offer and one answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError

log = logging.getLogger(__name__)

Payload = dict[str, Any]


class Signalling(Protocol):
    """What a peer needs of a hub client: ``hub.sdk.CustomerClient`` and ``AgentClient``."""

    def on(self, event: str, callback: Callable[[Payload], Any]) -> None: ...

    def off(self, event: str, callback: Callable[[Payload], Any]) -> None: ...

    async def call(self, event: str, data: Payload) -> Payload: ...


def configuration(ice_servers: list[Payload] | None) -> RTCConfiguration:
    servers = [
        RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
        for s in ice_servers or []
    ]
    return RTCConfiguration(iceServers=servers)


class _Peer:
    role = ""

    def __init__(
        self, client: Signalling, contact_id: str, ice_servers: list[Payload] | None
    ) -> None:
        self.client = client
        self.contact_id = contact_id
        self.pc = RTCPeerConnection(configuration(ice_servers))
        self.connected = asyncio.Event()
        self.failed = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        client.on("rtc.signal", self._on_signal)
        self.pc.on("connectionstatechange", self._on_state)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _on_signal(self, data: Payload) -> None:
        if data.get("contact_id") != self.contact_id or self._closed:
            return
        description = data.get("description")
        if description:
            await self.on_description(
                RTCSessionDescription(sdp=description["sdp"], type=description["type"])
            )

    async def on_description(self, description: RTCSessionDescription) -> None:
        raise NotImplementedError

    async def _on_state(self) -> None:
        state = self.pc.connectionState
        if state == "connected":
            self.connected.set()
            await self._report("connected")
        elif state == "failed":
            self.failed.set()
            await self._report("failed", "ICE or DTLS could not connect")

    async def _report(self, state: str, detail: str | None = None) -> None:
        if self._closed:
            return
        payload: Payload = {"contact_id": self.contact_id, "state": state}
        if detail:
            payload["detail"] = detail
        try:
            await self.client.call("rtc.state", payload)
        except Exception as exc:  # the session may have ended meanwhile
            log.debug("rtc.state %s not reported: %s", state, exc)

    async def _signal(self) -> None:
        local = self.pc.localDescription
        await self.client.call(
            "rtc.signal",
            {"contact_id": self.contact_id, "description": {"type": local.type, "sdp": local.sdp}},
        )

    def _watch_video(
        self,
        track: MediaStreamTrack,
        arrived: asyncio.Future[float],
        on_frame: Callable[[Any], None] | None,
    ) -> None:
        async def consume() -> None:
            loop = asyncio.get_running_loop()
            with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
                while not self._closed:
                    frame = await track.recv()
                    if not arrived.done():
                        arrived.set_result(loop.time())
                        if self.role == "customer":
                            await self._report("first_frame")
                    if on_frame is not None:
                        on_frame(frame)

        self._spawn(consume())

    async def close(self) -> None:
        self._closed = True
        self.client.off("rtc.signal", self._on_signal)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        # Close the connection before waiting for the tasks: it ends the remote tracks, so a
        # task whose cancellation was swallowed on its way (Python 3.11's ``wait_for`` can lose
        # one that races a result) still leaves ``track.recv()`` with MediaStreamError.
        await self.pc.close()
        await asyncio.gather(*tasks, return_exceptions=True)


class AgentPeer(_Peer):
    """The agent's end: sends camera (and microphone), receives the customer's audio and screen."""

    role = "agent"

    def __init__(
        self,
        client: Signalling,
        contact_id: str,
        camera: MediaStreamTrack,
        microphone: MediaStreamTrack | None = None,
        *,
        ice_servers: list[Payload] | None = None,
        on_screen_frame: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(client, contact_id, ice_servers)
        self.first_screen_frame: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._on_screen_frame = on_screen_frame
        self.pc.addTransceiver(camera, direction="sendonly")
        self.pc.addTransceiver(
            microphone or "audio", direction="sendrecv" if microphone else "recvonly"
        )
        self.pc.addTransceiver("video", direction="recvonly")

        @self.pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                self._watch_video(track, self.first_screen_frame, self._on_screen_frame)

    async def start(self) -> None:
        """Make the offer; the customer's answer arrives over ``rtc.signal``."""
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self._signal()

    async def on_description(self, description: RTCSessionDescription) -> None:
        if description.type == "answer":
            await self.pc.setRemoteDescription(description)


class CustomerPeer(_Peer):
    """The customer's end: receives the agent's video and audio, may send a screen and audio.

    ``first_frame`` resolves (with the event loop's time) when the first frame of the agent's
    video is decoded; the hub is told (``rtc.state first_frame``) so the milestone is stored.
    """

    role = "customer"

    def __init__(
        self,
        client: Signalling,
        contact_id: str,
        *,
        screen: MediaStreamTrack | None = None,
        microphone: MediaStreamTrack | None = None,
        ice_servers: list[Payload] | None = None,
        on_agent_frame: Callable[[Any], None] | None = None,
        paused: bool = False,
    ) -> None:
        super().__init__(client, contact_id, ice_servers)
        self.first_frame: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._screen = screen
        # A peer made again while sharing is paused answers with the screen's m-line but
        # sends no frame until the app resumes.
        self.paused = paused
        self._microphone = microphone
        self._on_agent_frame = on_agent_frame
        self._answered = False

        @self.pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video" and not self.first_frame.done():
                self._watch_video(track, self.first_frame, self._on_agent_frame)

    async def on_description(self, description: RTCSessionDescription) -> None:
        if description.type != "offer":
            return
        await self.pc.setRemoteDescription(description)
        if not self._answered:
            transceivers = self.pc.getTransceivers()
            if len(transceivers) >= 2 and self._microphone is not None:
                transceivers[1].sender.replaceTrack(self._microphone)
                transceivers[1].direction = "sendrecv"
            elif len(transceivers) >= 2:
                # Muted until the customer unmutes: nothing is captured or sent.
                transceivers[1].direction = "recvonly"
            if len(transceivers) >= 3:
                if self._screen is not None:
                    transceivers[2].sender.replaceTrack(None if self.paused else self._screen)
                    transceivers[2].direction = "sendonly"
                else:
                    transceivers[2].direction = "inactive"
            transceivers[0].direction = "recvonly"
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        self._answered = True
        await self._signal()


class VideoSession:
    """A Mayday session started from an app: ``await CustomerClient.request_video(...)``.

    The app supplies its screen as an aiortc video track (frames it draws itself) and, if it
    wants, a microphone track; the agent's strokes reach ``on_stroke(stroke)`` and a clear
    reaches ``on_clear()``, with points as fractions (0..1) of the shared picture when the
    stroke's ``surface`` is ``"video"``; the agent's live laser reaches ``on_laser((x, y))``
    (fractions of the picture) while it is down and ``on_laser(None)`` when it is up. The
    peer connection is made when the hub sends ``rtc.config`` on assignment; whatever arrives
    for the contact before the session knows its id (the hub may answer the tap and assign it
    in either order) is kept and replayed.

    After a lost connection the session rejoins (``rtc.rejoin``) as the widget does after a
    reload: the hub sends ``rtc.config`` with ``rejoin`` again, the old peer connection is
    closed and a new one answers the agent's fresh offer, on the same contact.
    """

    def __init__(
        self,
        client: Any,
        *,
        screen: MediaStreamTrack | None = None,
        microphone: MediaStreamTrack | None = None,
        on_stroke: Callable[[Payload], Any] | None = None,
        on_clear: Callable[[], Any] | None = None,
        on_agent_frame: Callable[[Any], None] | None = None,
        on_laser: Callable[[tuple[float, float] | None], Any] | None = None,
    ) -> None:
        self.client = client
        self.contact_id: str | None = None
        self.peer: CustomerPeer | None = None
        self.ended = asyncio.Event()
        self.end_reason: str | None = None
        self._screen = screen
        self._microphone = microphone
        self._on_stroke = on_stroke
        self._on_clear = on_clear
        self._on_agent_frame = on_agent_frame
        self._on_laser = on_laser
        self._ready: asyncio.Future[CustomerPeer] = asyncio.get_running_loop().create_future()
        self._closing: asyncio.Task[None] | None = None  # the peer's teardown, once ended
        self._paused = False
        self._retired: set[asyncio.Task[None]] = set()  # old peers closing after a rejoin
        self._early: dict[str, list[tuple[str, Payload]]] = {}
        self._handlers: list[tuple[str, Callable[[Payload], Any]]] = [
            ("rtc.config", self._on_config),
            ("rtc.signal", self._on_early_signal),
            ("event", self._on_event),
            ("contact.ended", self._on_ended),
            ("connect", self._on_reconnect),
            ("laser.move", self._on_laser_move),
            ("laser.end", self._on_laser_end),
        ]
        for event, handler in self._handlers:
            client.on(event, handler)

    def bind(self, contact_id: str) -> None:
        """Take the contact the hub created for the tap, and what already arrived for it."""
        self.contact_id = contact_id
        early = self._early.pop(contact_id, [])
        self._early.clear()
        for event, data in early:
            if event == "rtc.config":
                self._on_config(data)
            elif event == "contact.ended":
                self._on_ended(data)
        for event, data in early:
            if event == "rtc.signal" and self.peer is not None:
                self.peer._spawn(self.peer._on_signal(data))

    def _mine(self, event: str, data: Payload) -> bool:
        contact_id = data.get("contact_id")
        if self.contact_id is None and isinstance(contact_id, str):
            self._early.setdefault(contact_id, []).append((event, data))
            return False
        return contact_id is not None and contact_id == self.contact_id

    def _on_config(self, data: Payload) -> None:
        if not self._mine("rtc.config", data) or self.ended.is_set():
            return
        old = self.peer
        if old is not None and not data.get("rejoin"):
            return
        # Made synchronously, inside the client's dispatch of rtc.config: the agent's offer,
        # which the hub relays after it, finds the peer already listening. On a rejoin the old
        # peer stops listening at once (its close is awaited in the background).
        if old is not None:
            old.client.off("rtc.signal", old._on_signal)
            old._closed = True
            # aiortc stops the track of every sender it closes: take the app's own tracks off
            # the old connection first, so the new one can send them.
            for transceiver in old.pc.getTransceivers():
                if transceiver.sender.track is not None and transceiver.sender.track in (
                    self._screen,
                    self._microphone,
                ):
                    transceiver.sender.replaceTrack(None)
            task = asyncio.get_running_loop().create_task(old.close())
            self._retired.add(task)
            task.add_done_callback(self._retired.discard)
        self.peer = CustomerPeer(
            self.client,
            data["contact_id"],
            screen=self._screen,
            microphone=self._microphone,
            ice_servers=data.get("ice_servers") or [],
            on_agent_frame=self._on_agent_frame,
            paused=self._paused,
        )
        if not self._ready.done():
            self._ready.set_result(self.peer)

    async def _on_reconnect(self, _data: Payload) -> None:
        """The client connected again: ask the hub to rebuild the media of a live session."""
        if self.peer is None or self.ended.is_set() or self.contact_id is None:
            return
        try:
            ack = await self.client.call("rtc.rejoin", {"contact_id": self.contact_id})
        except Exception as exc:  # the contact may have ended while we were away
            log.info("rtc.rejoin refused: %s", exc)
            return
        self._paused = bool(ack.get("paused"))

    def _on_early_signal(self, data: Payload) -> None:
        self._mine("rtc.signal", data)  # kept only while the contact is not known yet

    def _on_event(self, ev: Payload) -> None:
        data = ev.get("data") or {}
        if self.contact_id is None or data.get("contact_id") != self.contact_id:
            return
        if ev.get("type") == "annotation" and self._on_stroke is not None:
            self._on_stroke(data["stroke"])
        elif ev.get("type") == "annotation.clear" and self._on_clear is not None:
            self._on_clear()

    def _on_laser_move(self, data: Payload) -> None:
        # Fractions (0..1) of the app's picture; the hub checked them.
        if self._on_laser is not None and self._mine("laser.move", data):
            self._on_laser((float(data["x"]), float(data["y"])))

    def _on_laser_end(self, data: Payload) -> None:
        if self._on_laser is not None and self._mine("laser.end", data):
            self._on_laser(None)

    def _on_ended(self, data: Payload) -> None:
        if not self._mine("contact.ended", data) or self.ended.is_set():
            return
        self.end_reason = data.get("reason")
        self.ended.set()
        if not self._ready.done():
            self._ready.cancel()
        if self.peer is not None:
            self._closing = asyncio.get_running_loop().create_task(self.peer.close())

    async def connected(self, timeout: float = 30.0) -> CustomerPeer:  # noqa: ASYNC109
        """Wait until an agent has taken the session and the peer connection exists."""
        async with asyncio.timeout(timeout):
            return await self._ready

    async def first_frame(self, timeout: float = 30.0) -> float:  # noqa: ASYNC109
        """Wait for the first decoded frame of the agent's video; returns the loop's time."""
        async with asyncio.timeout(timeout):
            peer = await self._ready
            return await peer.first_frame

    async def pause(self) -> None:
        """Stop sharing: the agent sees "paused" and the hub keeps and relays nothing."""
        self._paused = True
        if self.peer is not None:
            self.peer.paused = True
        if self._screen is not None and self.peer is not None:
            self._sender().replaceTrack(None)
        await self.client.call("share.pause", {"contact_id": self._contact()})

    async def resume(self) -> None:
        await self.client.call("share.resume", {"contact_id": self._contact()})
        self._paused = False
        if self.peer is not None:
            self.peer.paused = False
        if self._screen is not None and self.peer is not None:
            self._sender().replaceTrack(self._screen)

    async def end(self) -> None:
        """End the session (``contact.cancel``) and tear the peer connection down."""
        if not self.ended.is_set():
            await self.client.call("contact.cancel", {"contact_id": self._contact()})
        await self.close()

    async def close(self) -> None:
        """Stop listening and close the peer connection; the contact is left as it is."""
        for event, handler in self._handlers:
            self.client.off(event, handler)
        if not self._ready.done():
            self._ready.cancel()
        if self._closing is not None:
            await self._closing
        elif self.peer is not None:
            await self.peer.close()
        if self._retired:
            await asyncio.gather(*self._retired, return_exceptions=True)

    def _contact(self) -> str:
        if self.contact_id is None:
            raise RuntimeError("the video contact has not been created yet")
        return self.contact_id

    def _sender(self) -> Any:
        assert self.peer is not None
        return self.peer.pc.getTransceivers()[2].sender
