"""Agents: signing in, tokens, presence, and consoles connecting and leaving."""

from __future__ import annotations

from typing import Any

from hub import types
from hub.actions import perform
from hub.actions.context import Hub
from hub.core.credentials import new_token, token_hash, verify_password
from hub.core.identity import normalize_email
from hub.errors import Unauthorized
from hub.live import agent_from_row
from hub.notify import AGENT_NS, AGENTS, SUPERVISORS, agent_room, conversation_room
from hub.store import queries
from hub.types import AgentSession


async def login(hub: Hub, email: str, password: str) -> dict[str, Any]:
    async with hub.db.connect() as conn:
        agent = await queries.agent_by_email(conn, normalize_email(email))
    if not verify_password(agent["password_hash"] if agent else None, password) or agent is None:
        raise Unauthorized("wrong email or password")
    token = new_token()
    now = hub.clock()
    async with hub.tx() as conn:
        await queries.drop_expired_tokens(conn, now)
        await queries.add_agent_token(
            conn, agent["id"], token_hash(token), now, now + hub.config.token_ttl_s
        )
    return {
        "token": token,
        "expires_in_s": int(hub.config.token_ttl_s),
        "agent": {"id": agent["id"], "name": agent["name"], "role": agent["role"]},
    }


async def agent_for_token(hub: Hub, token: str | None) -> dict[str, Any]:
    if not token or not isinstance(token, str) or len(token) > 200:
        raise Unauthorized("a valid agent token is required")
    async with hub.db.connect() as conn:
        agent = await queries.agent_by_token(conn, token_hash(token), hub.clock())
    if agent is None:
        raise Unauthorized("the token is unknown or expired; log in again")
    return agent


async def presence(hub: Hub, session: AgentSession, p: types.Presence) -> dict[str, Any]:
    engine = hub.live.engine
    await perform.perform(hub, engine.set_presence(session.id, p.status, hub.clock()))
    await perform.agent_changed(hub, session.id)
    await perform.step(hub)
    return {"ok": True}


async def connect(hub: Hub, session: AgentSession) -> str:
    """A console opened: it follows the agent's rooms and conversations; returns the presence.

    Contacts still assigned to the agent (a reload within the grace period) stay theirs.
    """
    live, engine = hub.live, hub.live.engine
    agent = session.agent
    rooms = [agent_room(session.id), AGENTS]
    if session.is_supervisor:
        rooms.append(SUPERVISORS)
    for contact_id in live.assigned_to(session.id):
        meta = live.meta.get(contact_id)
        if meta is not None:
            rooms.append(conversation_room(meta.conversation_id))
    await hub.notify.enter(AGENT_NS, session.sid, rooms)
    live.agent_sids.setdefault(session.id, set()).add(session.sid)
    if session.id not in engine.agents:
        engine.upsert_agent(agent_from_row(agent))
    now = hub.clock()
    await perform.perform(hub, engine.set_connected(session.id, True, now))
    if engine.agents[session.id].status == "offline":
        # A console that just connected is not yet taking contacts: it says so itself.
        await perform.perform(hub, engine.set_presence(session.id, "away", now))
    await perform.step(hub)
    await perform.agent_changed(hub, session.id)
    return str(live.agent_view(session.id)["status"])


async def disconnect(hub: Hub, session: AgentSession) -> None:
    """A console closed. The agent's last one gone: offers withdrawn, the grace period starts."""
    sids = hub.live.agent_sids.get(session.id, set())
    sids.discard(session.sid)
    if sids:
        return
    hub.live.agent_sids.pop(session.id, None)
    await perform.perform(hub, hub.live.engine.set_connected(session.id, False, hub.clock()))
    await perform.step(hub)
    await perform.agent_changed(hub, session.id)
