"""Whether this process can serve: its database answers."""

from __future__ import annotations

from hub.actions.context import Hub
from hub.store import queries


async def check(hub: Hub) -> None:
    """Raises when the database does not answer (the REST edge turns that into a 500)."""
    async with hub.db.connect() as conn:
        await queries.ping(conn)
