"""Raw python-socketio clients for tests that speak the wire protocol directly."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import aiohttp
import socketio


class Wire:
    """A socket.io client that records every event it receives, for asserting on."""

    def __init__(self, url: str, namespace: str) -> None:
        self.url = url
        self.ns = namespace
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: dict[str, list[Any]] = defaultdict(list)
        self._arrived = asyncio.Condition()

        @self.sio.on("*", namespace=namespace)
        async def any_event(event: str, data: Any = None) -> None:
            async with self._arrived:
                self.received[event].append(data)
                self._arrived.notify_all()

    async def connect(self, auth: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        await self.sio.connect(
            self.url,
            namespaces=[self.ns],
            auth=auth,
            transports=["websocket"],
            headers=headers or {},
            wait_timeout=5,
        )

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.sio.call(event, data, namespace=self.ns, timeout=10)

    async def next(self, event: str, pred: Any = None, timeout: float = 5.0) -> Any:  # noqa: ASYNC109
        """The first received ``event`` matching ``pred``, waiting for it if need be."""

        def find() -> Any:
            for item in self.received[event]:
                if pred is None or pred(item):
                    return item
            return None

        async with self._arrived:
            found = find()
            if found is None:  # timeout=0: only what has arrived
                await asyncio.wait_for(self._arrived.wait_for(lambda: find() is not None), timeout)
                found = find()
            return found

    async def until(self, cond: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``cond()`` holds, looking again whenever something arrives."""
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(cond), timeout)

    async def round_trip(self) -> None:
        """One call answered on this socket: whatever the hub sent before it has now arrived.

        Server-to-client messages on one socket keep their order, so after this a test can
        assert that something was not sent, without watching the socket for a while. The call
        is an event the hub does not know (it answers ``unknown_event`` and changes nothing).
        """
        ack = await self.call("kit.round_trip")
        assert ack["error"]["code"] == "unknown_event", ack

    async def quiet(self, event: str, pred: Any = None) -> None:
        """Assert that no ``event`` matching ``pred`` has arrived (after a round trip)."""
        await self.round_trip()
        got = [x for x in self.received[event] if pred is None or pred(x)]
        assert got == [], f"unexpected {event}: {got}"

    async def close(self) -> None:
        await self.sio.disconnect()


async def customer(url: str, site_key: str, token: str | None = None, **kw: Any) -> Wire:
    w = Wire(url, "/customer")
    await w.connect({"site_key": site_key, "visitor_token": token}, **kw)
    await w.next("session")
    return w


async def login(url: str, email: str, password: str) -> str:
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{url}/api/v1/auth/login", json={"email": email, "password": password}
        ) as r:
            assert r.status == 200, await r.text()
            return str((await r.json())["token"])


async def agent(url: str, email: str, password: str, *, available: bool = True) -> Wire:
    w = Wire(url, "/agent")
    await w.connect({"token": await login(url, email, password)})
    if available:
        assert (await w.call("presence", {"status": "available"}))["ok"]
    return w
