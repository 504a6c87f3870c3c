"""A shop's webhook receiver: a real aiohttp server on a free port that records every request
and answers what the test tells it (a failure first, then success), for hub.outbox to post to."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from standardwebhooks.webhooks import Webhook

from tests.kit.hub import free_port


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    """``statuses``: the answers to give, one per request, then 200 for ever."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    _runner: web.AppRunner | None = None

    async def start(self, path: str = "/hooks/lifeline") -> None:
        app = web.Application()
        app.router.add_post(path, self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}{path}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        status = self.statuses.pop(0) if self.statuses else 200
        headers = {k.lower(): v for k, v in request.headers.items()}
        got = Received(headers, await request.read(), status)
        async with self._arrived:
            self.received.append(got)
            self._arrived.notify_all()
        return web.json_response({"ok": 200 <= status < 300}, status=status)

    async def until(self, cond: Callable[[list[Received]], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until ``cond(received)`` holds, looking again at each request."""
        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(lambda: cond(self.received))

    def of_type(self, type: str) -> list[Received]:
        return [r for r in self.received if r.json["type"] == type]


def expected_signature(secret: str, got: Received) -> str:
    """The signature the Standard Webhooks reference library makes for this request."""
    ts = datetime.fromtimestamp(int(got.headers["webhook-timestamp"]), UTC)
    return str(Webhook(secret).sign(got.id, ts, got.body.decode()))


def check_signed(secret: str, got: Received) -> None:
    """The request is signed as the specification says: same id in body and header, and a
    ``v1`` signature equal to the reference library's."""
    assert got.headers["content-type"].startswith("application/json")
    assert got.json["id"] == got.id
    assert got.headers["webhook-signature"] == expected_signature(secret, got)
    # And the signature is the base64 of an HMAC-SHA256 digest (32 bytes).
    version, _, digest = got.headers["webhook-signature"].partition(",")
    assert version == "v1" and len(base64.b64decode(digest)) == 32
