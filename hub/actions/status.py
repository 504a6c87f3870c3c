"""Agent statuses: every change kept in the store, and the time in each status today."""

from __future__ import annotations

from typing import Any

from hub.actions.context import Hub
from hub.core.model import Presence
from hub.core.status import StatusDay, day_start, replay
from hub.store import queries


async def record(
    hub: Hub,
    agent_id: str,
    status: Presence,
    now: float,
    reason: str | None = None,
    set_by: dict[str, str] | None = None,
) -> None:
    """The agent's status became ``status`` at ``now``: its day and its log say so.

    The same status again with the same reason changes nothing (a second tab connecting).
    """
    live = hub.live
    day = live.agent_days.get(agent_id)
    if day is None:
        day = live.agent_days[agent_id] = StatusDay()
    if day.since is not None and (day.status, day.reason) == (status, reason):
        return
    day.change(status, now, live.zone, reason, set_by)
    async with hub.tx() as conn:
        await queries.log_agent_status(
            conn, agent_id, status, now, reason, set_by["id"] if set_by else None
        )


async def restore(hub: Hub, conn: Any, agent_ids: list[str]) -> None:
    """Rebuild every agent's day from the log after a restart.

    Nobody is connected yet: an agent whose last status was not ``offline`` (the hub stopped
    under them) is offline from now, and the log says so.
    """
    live, now = hub.live, hub.clock()
    changes: dict[str, list[tuple[float, Presence, str | None]]] = {a: [] for a in agent_ids}
    for row in await queries.agent_status_changes(conn, day_start(now, live.zone)):
        changes.setdefault(row["agent_id"], []).append((row["at"], row["status"], row["reason"]))
    for agent_id, rows in changes.items():
        day = live.agent_days[agent_id] = replay(rows, now, live.zone)
        if rows and day.status != "offline":
            day.change("offline", now, live.zone)
            await queries.log_agent_status(conn, agent_id, "offline", now)
