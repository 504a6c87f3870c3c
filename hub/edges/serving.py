"""How the hub's HTTP server answers a request it cannot even parse.

aiohttp answers a request line or header over 8 KB, or bytes that are not HTTP, with a plain
text 400 quoting the first hundred bytes it was sent. A cross-site link to a very long URL thus
makes the hub reflect what the link put in it. aiohttp has no setting for that answer, so the
hub's runner makes its request handlers give a fixed JSON error instead, in the shape of every
other refusal (``{"ok": false, "error": {...}}``), never quoting the request; the log line is
``frames.RequestLog``'s, one per kind per interval.

``HubRunner`` is what ``hub serve`` and the tests' hub run on.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler

UNREADABLE = json.dumps(
    {"ok": False, "error": {"code": "invalid", "message": "the request could not be read"}}
)
UNREADABLE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


class HubRequestHandler(RequestHandler):
    def handle_error(
        self,
        request: Any,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if not isinstance(exc, HttpProcessingError):
            return super().handle_error(request, status, exc, message)
        self.log_exception("Error handling request", exc_info=exc)
        if request.writer.output_size > 0:
            raise ConnectionError("a response was already under way")
        response = web.Response(
            status=status,
            text=UNREADABLE,
            content_type="application/json",
            headers=UNREADABLE_HEADERS,
        )
        response.force_close()
        return response


class HubWebServer(web.Server):
    """aiohttp's server, with :class:`HubRequestHandler` for each connection."""

    def __call__(self) -> RequestHandler:
        return HubRequestHandler(self, loop=self._loop, **self._kwargs)


class HubRunner(web.AppRunner):
    """An ``AppRunner`` whose connections answer unreadable requests as the hub does."""

    async def _make_server(self) -> web.Server:
        made = await super()._make_server()
        # The same server in every other respect: the application's handler, its request
        # factory and every setting it was made with.
        return HubWebServer(
            made.request_handler,
            request_factory=made.request_factory,
            handler_cancellation=made.handler_cancellation,
            loop=made._loop,
            **made._kwargs,
        )
