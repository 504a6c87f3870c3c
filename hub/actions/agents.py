"""Agents: signing in and out, tokens, presence, and consoles connecting and leaving."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable
from typing import Any

from hub import types
from hub.actions import perform
from hub.actions import status as agent_status
from hub.actions.context import Hub
from hub.core.credentials import new_token, token_hash, verify_password
from hub.core.identity import normalize_email
from hub.core.ratelimit import FailureWindow
from hub.errors import Forbidden, Invalid, NotFound, RateLimited, Unauthorized
from hub.live import agent_from_row
from hub.notify import AGENT_NS, AGENTS, SUPERVISORS, agent_room, conversation_room
from hub.store import queries
from hub.types import AgentSession

# The last event a socket gets when its token stops being valid, before it is disconnected.
SESSION_ENDED = "session.ended"


def _login_failures(hub: Hub) -> tuple[FailureWindow, FailureWindow]:
    """The failed logins per account and per client address, made at the first login."""
    if hub.live.login_failures is None:
        cfg = hub.config
        hub.live.login_failures = (
            FailureWindow(cfg.login_account_limit, cfg.login_window_s),
            FailureWindow(cfg.login_address_limit, cfg.login_window_s),
        )
    return hub.live.login_failures


async def _check(hub: Hub, email: str, password: str) -> dict[str, Any] | None:
    """The agent whose password this is, or None; at most ``login_concurrency`` at once.

    A burst of logins waits for a slot in the loop, where waiting costs nothing: the agent's
    row is read in the slot too, so a burst does not queue a read per login ahead of every
    chat's reads. argon2 runs in a thread, so the loop never waits for it. An unknown email is
    checked against a dummy hash (``verify_password`` with None): it takes as long, and waits
    for a slot alike, so the time of an answer tells nothing.
    """
    if hub.live.login_slots is None:
        hub.live.login_slots = asyncio.Semaphore(hub.config.login_concurrency)
    async with hub.live.login_slots:
        async with hub.db.connect() as conn:
            agent = await queries.agent_by_email(conn, email)
        hashed = agent["password_hash"] if agent else None
        right = await asyncio.to_thread(verify_password, hashed, password)
    return agent if right and agent is not None and agent["disabled_at"] is None else None


async def login(hub: Hub, email: str, password: str, address: str | None = None) -> dict[str, Any]:
    """A token for the right password of an enabled agent.

    Throttled (DESIGN §11): after too many failures for the account or from the address within
    the window, the login is refused with ``rate_limited`` before the password is even looked
    at. A disabled agent, an unknown email and a wrong password get the same refusal.
    """
    email = normalize_email(email)
    now = hub.clock()
    accounts, addresses = _login_failures(hub)
    waits = [accounts.retry_after(email, now)]
    if address:
        waits.append(addresses.retry_after(address, now))
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        raise RateLimited(
            # Whole seconds, rounded up; the clock's last digits are noise near 1.8e9 s.
            "too many failed logins; try again later",
            retry_after_s=max(1, math.ceil(round(wait, 3))),
        )
    # For the account, counted as a failure until the password proves right, before anything
    # awaits: guesses at one account sent in parallel cannot all pass the check while the
    # first ones are being looked at. For the address, only a wrong answer counts: a team
    # behind one address signing in together at the start of a shift is not an attack.
    accounts.fail(email, now)
    agent = await _check(hub, email, password)
    if agent is None:
        if address:
            addresses.fail(address, now)
        raise Unauthorized("wrong email or password")
    accounts.reset(email)
    token = new_token()
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
    """The enabled agent holding ``token`` (unexpired, not revoked), with its expiry."""
    if not token or not isinstance(token, str) or len(token) > 200:
        raise Unauthorized("a valid agent token is required")
    async with hub.db.connect() as conn:
        agent = await queries.agent_by_token(conn, token_hash(token), hub.clock())
    if agent is None:
        raise Unauthorized("the token is unknown or expired; log in again")
    return agent


async def session_for_token(hub: Hub, sid: str, token: str | None) -> AgentSession:
    """The session of a console socket that authenticates with ``token``."""
    agent = await agent_for_token(hub, token)
    assert isinstance(token, str)
    return AgentSession(
        sid=sid,
        agent=agent,
        token_hash=token_hash(token),
        expires_at=float(agent["token_expires_at"]),
    )


async def logout(hub: Hub, token: str | None) -> dict[str, Any]:
    """Revoke the token; the sockets opened with it end at once (``logged_out``)."""
    await agent_for_token(hub, token)
    assert isinstance(token, str)
    digest = token_hash(token)
    async with hub.tx() as conn:
        await queries.revoke_token(conn, digest)
    ended = [s for s in hub.live.agent_sessions.values() if s.token_hash == digest]
    await end_sessions(hub, ended, "logged_out")
    return {"ok": True}


async def end_sessions(hub: Hub, sessions: Iterable[AgentSession], reason: str) -> None:
    """Tell each socket ``session.ended {"reason"}``, then disconnect it.

    The disconnect runs the edge's handler, so the agent's last socket gone starts the grace
    period as any closed console does.
    """
    for session in list(sessions):
        if hub.live.agent_sessions.pop(session.sid, None) is None:
            continue  # already ended
        await hub.notify.end_socket(AGENT_NS, session.sid, SESSION_ENDED, {"reason": reason})


def sessions_due(hub: Hub) -> float | None:
    """When the router must next look at the agents' sockets (a token's expiry, or the next
    look in the store for revocations); None without agent sockets."""
    live = hub.live
    if not live.agent_sessions:
        return None
    first_expiry = min(s.expires_at for s in live.agent_sessions.values())
    return min(first_expiry, live.sessions_checked_at + hub.config.session_check_s)


async def check_sessions(hub: Hub) -> None:
    """End the sockets whose token expired (``expired``) and, every ``session_check_s``, those
    whose token was revoked by another process, such as ``hub agents set --disable`` or
    ``--password`` (``revoked``); at the same look the connected agents' skills, sites and
    auto-answer are read again, so ``hub agents set --sites`` routes at once. Run by the
    router, on the hub's clock."""
    live, now = hub.live, hub.clock()
    await end_sessions(
        hub, [s for s in live.agent_sessions.values() if s.expires_at <= now], "expired"
    )
    if now < live.sessions_checked_at + hub.config.session_check_s:
        return
    live.sessions_checked_at = now
    sessions = list(live.agent_sessions.values())
    if not sessions:
        return
    async with hub.db.connect() as conn:
        valid = await queries.valid_tokens(conn, (s.token_hash for s in sessions), now)
        rows = await queries.agents_by_ids(conn, {s.id for s in sessions})
    await end_sessions(hub, [s for s in sessions if s.token_hash not in valid], "revoked")
    await refresh_agents(hub, rows)


async def refresh_agents(hub: Hub, rows: Iterable[dict[str, Any]]) -> None:
    """Give the engine what changed in these agents' rows (skills, sites, capacity,
    auto-answer) while they are connected; what they may be offered is looked at again.

    Their sockets' sessions take the rows too, so that what a session reports of its agent
    (a new name on their messages, auto-answer in a fresh snapshot) is current."""
    engine, changed = hub.live.engine, []
    sessions: dict[str, list[AgentSession]] = {}
    for session in hub.live.agent_sessions.values():
        sessions.setdefault(session.id, []).append(session)
    for row in rows:
        for session in sessions.get(row["id"], ()):
            session.agent = {**session.agent, **row}
        known = engine.agents.get(row["id"])
        if known is None or not hub.live.agent_sids.get(row["id"]):
            continue
        fresh = agent_from_row(row)
        if (known.skills, known.sites, known.capacity, known.auto_answer) != (
            fresh.skills,
            fresh.sites,
            fresh.capacity,
            fresh.auto_answer,
        ):
            engine.upsert_agent(fresh)
            changed.append(row["id"])
    if changed:
        await perform.step(hub)
        for agent_id in changed:
            await perform.agent_changed(hub, agent_id)


async def presence(hub: Hub, session: AgentSession, p: types.Presence) -> dict[str, Any]:
    """The agent sets their own status, with a reason if they like."""
    await set_status(hub, session.id, p.status, p.reason)
    return {"ok": True}


async def presence_of(hub: Hub, session: AgentSession, p: types.AgentPresence) -> dict[str, Any]:
    """A supervisor sets another agent's status (``agent.presence``). The agent is told by a
    ``presence`` event naming who set it; the supervisors see it in ``agent.updated``.

    Only a connected agent has a status to set: one whose consoles are all closed is
    ``offline`` until they sign in (``invalid``).
    """
    if not session.is_supervisor:
        raise Forbidden("only supervisors and admins set another agent's status")
    if p.agent_id not in hub.live.engine.agents:
        raise NotFound("no such agent")
    if not hub.live.agent_sids.get(p.agent_id):
        raise Invalid("that agent is offline: their console is not open")
    by = {"id": session.id, "name": session.agent["name"]}
    await set_status(hub, p.agent_id, p.status, p.reason, by)
    payload: dict[str, Any] = {"status": p.status, "set_by": by}
    if p.reason is not None:
        payload["reason"] = p.reason
    await hub.notify.to_agent(p.agent_id, "presence", payload)
    return {"ok": True}


async def set_status(
    hub: Hub,
    agent_id: str,
    status: types.Status,
    reason: str | None = None,
    set_by: dict[str, str] | None = None,
) -> None:
    """One road for a status change: the engine, the log, the supervisors, routing again."""
    now = hub.clock()
    await perform.perform(hub, hub.live.engine.set_presence(agent_id, status, now))
    await agent_status.record(hub, agent_id, status, now, reason, set_by)
    await perform.agent_changed(hub, agent_id)
    await perform.step(hub)


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
    first = not live.agent_sids.get(session.id)  # no other console of theirs is open
    live.agent_sids.setdefault(session.id, set()).add(session.sid)
    live.agent_sessions[session.sid] = session
    if live.wakes_at is None or session.expires_at < live.wakes_at:
        hub.wake_router()  # the router must wake when this socket's token expires
    # Always from the row just read: skills or auto-answer changed by `hub agents set` apply
    # from the agent's next connect (the engine keeps its live state).
    engine.upsert_agent(agent_from_row(agent))
    now = hub.clock()
    await perform.perform(hub, engine.set_connected(session.id, True, now))
    if first:
        # An agent signing in is not yet taking contacts: they say so themselves. The same
        # console back within the grace period (a reload, a network blip) resumes its status.
        status, reason, token, until = live.resume_status.pop(session.id, ("away", None, "", now))
        if token != session.token_hash or now > until:
            status, reason = "away", None
        await perform.perform(hub, engine.set_presence(session.id, status, now))
        await agent_status.record(hub, session.id, status, now, reason)
    await perform.step(hub)
    await perform.agent_changed(hub, session.id)
    return str(engine.agents[session.id].status)


async def disconnect(hub: Hub, session: AgentSession) -> None:
    """A console closed. The agent's last one gone: offers withdrawn, the grace period starts."""
    hub.live.agent_sessions.pop(session.sid, None)
    sids = hub.live.agent_sids.get(session.id, set())
    sids.discard(session.sid)
    if sids:
        return
    hub.live.agent_sids.pop(session.id, None)
    engine, now = hub.live.engine, hub.clock()
    await perform.perform(hub, engine.set_connected(session.id, False, now))
    # Gone is offline. The same console back within the grace period resumes its status
    # (see connect); anyone else, or later, starts away.
    day = hub.live.agent_days.get(session.id)
    hub.live.resume_status[session.id] = (
        engine.agents[session.id].status,
        day.reason if day else None,
        session.token_hash,
        now + hub.config.agent_grace_s,
    )
    await perform.perform(hub, engine.set_presence(session.id, "offline", now))
    await agent_status.record(hub, session.id, "offline", now)
    await perform.step(hub)
    await perform.agent_changed(hub, session.id)
