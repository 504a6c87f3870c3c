"""Whether this process can serve: its database answers (and in cluster mode, Redis)."""

from __future__ import annotations

from typing import Any

from hub.actions.context import Hub
from hub.store import queries


async def check(hub: Hub) -> None:
    """Raises when the database does not answer (the REST edge turns that into a 500)."""
    async with hub.db.connect() as conn:
        await queries.ping(conn)


async def answer(hub: Hub) -> dict[str, Any]:
    """``GET /healthz``: raises when the database does not answer; a node that cannot reach
    Redis still answers (its own sockets are served), and says so."""
    await check(hub)
    out: dict[str, Any] = {"ok": True, "status": "ok"}
    if hub.config.cluster:
        out["node"] = hub.config.node_id
        out["redis"] = "ok" if await hub.bus.ping() else "down"
    return out
