"""A raw Engine.IO client: socket.io packets written by hand, for what no client library sends."""

from __future__ import annotations

import json
from typing import Any

import aiohttp


class RawSocket:
    """One websocket to ``/socket.io/``, speaking Engine.IO 4 text frames.

    The kit's socket.io clients encode with the hub's own codec when both run in one process
    (python-socketio keeps it on a class), so a bare ``NaN`` or a broken packet can only be
    sent like this.
    """

    def __init__(self, url: str) -> None:
        self.url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self._http: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._acks = 0

    async def open(self, headers: dict[str, str] | None = None) -> RawSocket:
        self._http = aiohttp.ClientSession()
        self.ws = await self._http.ws_connect(self.url, headers=headers or {})
        opened = await self.receive()
        assert opened is not None and opened.startswith("0"), opened
        return self

    async def join(self, namespace: str, auth: dict[str, Any]) -> None:
        """Connect to ``namespace`` (a socket.io CONNECT packet) and wait until it is done."""
        await self.send(f"40{namespace},{json.dumps(auth)}")
        while True:
            frame = await self.receive()
            assert frame is not None, "closed while joining"
            if frame.startswith(f"40{namespace},") or frame.startswith(f"44{namespace},"):
                assert frame.startswith("40"), frame
                return

    async def send(self, frame: str | bytes) -> None:
        assert self.ws is not None
        if isinstance(frame, bytes):
            await self.ws.send_bytes(frame)
        else:
            await self.ws.send_str(frame)

    async def receive(self, timeout: float = 5.0) -> str | None:  # noqa: ASYNC109
        """The next text frame (pings answered on the way), or None once the hub closed it."""
        assert self.ws is not None
        while True:
            msg = await self.ws.receive(timeout=timeout)
            if msg.type != aiohttp.WSMsgType.TEXT:
                return None
            if msg.data == "2":
                await self.ws.send_str("3")
                continue
            return str(msg.data)

    async def call(self, namespace: str, body: str) -> Any:
        """Emit ``42<namespace>,<id>[<body>]``, the body as written, and return its ack."""
        self._acks += 1
        ack_id = self._acks
        await self.send(f"42{namespace},{ack_id}[{body}]")
        prefix = f"43{namespace},{ack_id}"
        while True:
            frame = await self.receive()
            assert frame is not None, "closed before the ack"
            if frame.startswith(prefix):
                return json.loads(frame[len(prefix) :])[0]

    async def closed(self, timeout: float = 5.0) -> bool:  # noqa: ASYNC109
        """Whether the hub closes this socket (whatever it sends first is skipped)."""
        try:
            while await self.receive(timeout) is not None:
                pass
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._http is not None:
            await self._http.close()
