"""The team in the console: supervisors see every agent, live; admins change them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hub import types
from hub.actions import admin, agents, perform
from hub.actions.context import Hub
from hub.errors import Conflict, Forbidden, Invalid, NotFound
from hub.store import queries

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

SUPERVISING = ("supervisor", "admin")


def check_supervisor(actor: Mapping[str, Any]) -> None:
    if actor["role"] not in SUPERVISING:
        raise Forbidden("the team is for supervisors and admins")


def check_admin(actor: Mapping[str, Any]) -> None:
    if actor["role"] != "admin":
        raise Forbidden("only an admin may change an agent")


def check_change(actor: Mapping[str, Any], agent_id: str, p: types.AgentChange) -> None:
    """An admin never disables or demotes themselves: the one making the change stays an
    enabled admin, so a hub cannot lose its last admin by a click in the console."""
    if agent_id != actor["id"]:
        return
    if p.disabled:
        raise Conflict("you may not disable yourself; another admin can")
    if p.role is not None and p.role != "admin":
        raise Conflict("you may not give up your own admin role; another admin can")


def member(hub: Hub, row: Mapping[str, Any], site_keys: Mapping[str, str]) -> dict[str, Any]:
    """An agent as the team view shows them: the listing of ``hub agents list`` (never the
    password hash) with their presence and load in this process now."""
    live = hub.live.agent_view(row["id"], hub.clock())
    return {**admin.agent_listing(row, site_keys), "status": live["status"], "load": live["load"]}


async def _site_keys(conn: AsyncConnection) -> dict[str, str]:
    return {row["id"]: row["key"] for row in await queries.all_sites(conn)}


async def team(hub: Hub, actor: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /api/v1/agents``: every agent, enabled or not, by email."""
    check_supervisor(actor)
    async with hub.db.connect() as conn:
        keys = await _site_keys(conn)
        rows = await queries.all_agents(conn)
    return {"agents": [member(hub, row, keys) for row in rows]}


async def change(
    hub: Hub, actor: Mapping[str, Any], agent_id: str, p: types.AgentChange
) -> dict[str, Any]:
    """``PATCH /api/v1/agents/{id}``: an admin changes what is given of an agent.

    The running hub applies it at once: a disabled agent's (or one with a new role) sockets
    end now (``session.ended {"reason": "revoked"}``), new skills, sites and auto-answer reach
    the engine now, and the supervisors get ``agent.updated`` with the whole listing.
    """
    check_admin(actor)
    check_change(actor, agent_id, p)
    changes = p.model_dump(exclude_unset=True)
    async with hub.tx() as conn:
        row = await queries.agent(conn, agent_id)
        if row is None:
            raise NotFound("no agent with this id")
        try:
            done = await admin.change_agent(conn, row, now=hub.clock(), **changes)
        except ValueError as exc:
            raise Invalid(str(exc)) from None
        fresh = await queries.agents_by_ids(conn, [agent_id])
        keys = await _site_keys(conn)
    if done["revoked"]:
        sessions = [s for s in hub.live.agent_sessions.values() if s.id == agent_id]
        await agents.end_sessions(hub, sessions, "revoked")
    await agents.refresh_agents(hub, fresh)
    view = member(hub, fresh[0], keys)
    await perform.agent_changed(hub, agent_id, view)
    return {"ok": True, "agent": view, "revoked": done["revoked"]}
