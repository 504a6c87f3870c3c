"""Malformed Engine.IO and socket.io frames: dropped at the edge, their connection closed.

python-socketio and python-engineio log a full traceback for each frame they cannot decode
and keep the connection open, so anyone could fill the hub's log before authenticating (300
frames gave 1 MB in 1.2 s). Here a frame is checked where it enters: an Engine.IO text frame
must start with a packet type a client may send, a socket.io packet must decode and an event
must be a list headed by its name; binary packets, which neither the widget nor the console
sends, are refused. The connection is closed and one line per kind is logged per interval.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import engineio
import socketio
from aiohttp.http_exceptions import HttpProcessingError
from engineio.async_drivers.aiohttp import WebSocket
from socketio import packet

log = logging.getLogger(__name__)

# One log line per kind of malformed frame in this many seconds at most.
LOG_INTERVAL_S = 60.0
# Engine.IO 4 packet types a client sends in a websocket text frame: close, ping, pong,
# message, upgrade, noop (``0``, open, is the server's).
CLIENT_ENGINE_TYPES = frozenset("123456")


class BadFrame(ValueError):
    """A frame the hub does not decode; ``kind`` names the fault for the log."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class FrameLog:
    """Logs a kind once per ``interval_s``, with how many of it were dropped in between."""

    def __init__(
        self,
        interval_s: float = LOG_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
        *,
        what: str = "frame",
    ) -> None:
        self.interval_s = interval_s
        self.clock = clock
        self.what = what
        self._last: dict[str, float] = {}
        self._quiet: dict[str, int] = {}

    def dropped(self, kind: str) -> None:
        now = self.clock()
        last = self._last.get(kind)
        if last is not None and now - last < self.interval_s:
            self._quiet[kind] = self._quiet.get(kind, 0) + 1
            return
        self._last[kind] = now
        since = self._quiet.pop(kind, 0)
        log.warning(
            "closed a connection that sent a malformed %s %s (%d more since the last line)",
            kind,
            self.what,
            since,
        )


class RequestLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """aiohttp's ``aiohttp.server`` log, given to its request handlers (``handler_args``).

    A request aiohttp cannot parse (a header over 8 KB, a request line that is not HTTP) was
    logged with a traceback each time, the offending bytes in it: here it is one line per kind
    per interval, without them. Anything else is logged as aiohttp logs it.
    """

    def __init__(self) -> None:
        super().__init__(logging.getLogger("aiohttp.server"), {})
        self.unreadable = FrameLog(what="HTTP request")

    def exception(self, msg: object, *args: object, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info")
        if isinstance(exc, HttpProcessingError):
            self.unreadable.dropped(type(exc).__name__)
            return
        super().exception(msg, *args, **kwargs)


class HubPacket(packet.Packet):  # type: ignore[misc]
    """A socket.io packet that decodes or raises :class:`BadFrame`, and no binary packets."""

    def decode(self, encoded_packet: Any) -> int:
        if isinstance(encoded_packet, bytes):
            raise BadFrame("binary")
        try:
            attachments = int(super().decode(encoded_packet))
        except (ValueError, TypeError, IndexError, AttributeError):
            raise BadFrame("socket.io") from None
        if attachments or self.packet_type in (packet.BINARY_EVENT, packet.BINARY_ACK):
            raise BadFrame("binary")
        if self.packet_type == packet.EVENT and not (
            isinstance(self.data, list) and self.data and isinstance(self.data[0], str)
        ):
            raise BadFrame("event")
        return 0


class CheckedWebSocket(WebSocket):  # type: ignore[misc]
    """engine.io's aiohttp websocket, closing at the first frame that is not Engine.IO."""

    async def wait(self) -> str | bytes:
        # The handler is the engine.io socket's: once the hub closed that socket (a bad
        # socket.io packet), its receive loop would wait for the client to hang up.
        owner = getattr(self.handler, "__self__", None)
        if owner is not None and owner.closed:
            raise OSError("closed by the hub")
        data: str | bytes = await super().wait()
        if isinstance(data, str) and (not data or data[0] not in CLIENT_ENGINE_TYPES):
            self.server.frame_log.dropped("engine.io")
            # engine.io's receive loop ends the connection on any error from wait().
            raise OSError("not an Engine.IO packet")
        return data


class EngineServer(engineio.AsyncServer):  # type: ignore[misc]
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.frame_log = FrameLog()
        # The driver table is shared by every server of the module: this one gets a copy.
        drivers: dict[str, Any] = getattr(self, "_async")  # noqa: B009 (untyped in engineio)
        self._async = {**drivers, "websocket": CheckedWebSocket}


class Server(socketio.AsyncServer):  # type: ignore[misc]
    """socket.io's server with the checks above; ``serializer`` is always :class:`HubPacket`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(serializer=HubPacket, **kwargs)
        self.frame_log: FrameLog = self.eio.frame_log

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return EngineServer

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        try:
            await super()._handle_eio_message(eio_sid, data)
        except BadFrame as exc:
            self.frame_log.dropped(exc.kind)
            # Not eio.disconnect(), which waits for the close packet to be sent: over long
            # polling that wait needs the client's next GET, and the bad POST hung meanwhile.
            socket = self.eio.sockets.get(eio_sid)
            if socket is not None:
                await socket.close(wait=False, reason=self.eio.reason.SERVER_DISCONNECT)
                self.eio.sockets.pop(eio_sid, None)
