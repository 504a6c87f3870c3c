"""The REST API as a shop's backend or a console calls it: one request, its status and body."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.kit.wire import login

__all__ = ["login", "request"]


async def request(
    url: str, method: str, path: str, token: str | None = None, **kw: Any
) -> tuple[int, Any]:
    """``method path`` on the hub at ``url``, with the agent's bearer token if given: the status
    and the JSON body (None when the answer is not JSON)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(kw.pop("headers", {}))
    async with aiohttp.ClientSession() as http:
        async with http.request(method, f"{url}{path}", headers=headers, **kw) as r:
            if r.content_type != "application/json":
                await r.read()
                return r.status, None
            return r.status, await r.json()
