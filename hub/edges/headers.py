"""HTTP security that responses share: the console's Content-Security-Policy and who may read
``/metrics``."""

from __future__ import annotations

import hmac
import re

from aiohttp import web

from hub.actions import visitors
from hub.edges.http import HUB_KEY
from hub.edges.openapi import Handler
from hub.errors import Unauthorized

# A CSP source must be a plain origin: a declared origin holding a space or a quote would
# otherwise add directives of its own.
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")

CONSOLE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def console_policy(host: str, site_origins: list[str]) -> str:
    """The console's CSP: its own files; images, styles and fonts also from the shops' pages.

    The Mayday replay (rrweb, in a sandboxed frame without scripts) rebuilds the shopper's
    page inside the console, with its inline styles; anything else it names is dropped by the
    replay itself (web/console/src/replay-urls.js) and, failing that, by this policy.
    """
    shops = " ".join(o for o in site_origins if ORIGIN.match(o))
    media = f"'self' data: {shops}".strip()
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"img-src {media} blob:",
            f"style-src {media} 'unsafe-inline'",
            f"font-src {media}",
            f"connect-src 'self' ws://{host} wss://{host}",
            "media-src 'self' blob:",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@web.middleware
async def console_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """``/console/`` and its files: a strict CSP, no sniffing, no referrer, never in a frame."""
    response = await handler(request)
    if request.path == "/console" or request.path.startswith("/console/"):
        response.headers.update(CONSOLE_HEADERS)
        if response.content_type == "text/html":
            origins = await visitors.declared_origins(request.app[HUB_KEY])
            response.headers["Content-Security-Policy"] = console_policy(request.host, origins)
    return response


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
