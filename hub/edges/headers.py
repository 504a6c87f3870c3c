"""HTTP security that every response shares: who may read ``/metrics``."""

from __future__ import annotations

import hmac

from aiohttp import web

from hub.edges.http import HUB_KEY, Handler
from hub.errors import Unauthorized


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """With ``HUB_METRICS_TOKEN`` set, ``/metrics`` wants ``Authorization: Bearer <it>``.

    The figures name sites and count refusals: on a public port they are not for anyone.
    Raised here, the refusal is the errors middleware's JSON like any other.
    """
    token = request.app[HUB_KEY].config.metrics_token
    if token and request.path == "/metrics":
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            raise Unauthorized("send Authorization: Bearer <HUB_METRICS_TOKEN>")
    return await handler(request)
