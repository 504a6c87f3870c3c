"""Transfers and watching: a contact handed to another agent or the queue; a supervisor's view."""

from __future__ import annotations

from typing import Any

from hub import types
from hub.actions import perform
from hub.actions.context import Hub
from hub.actions.customers import customer_profile
from hub.actions.snapshot import contact_view
from hub.actions.timeline import with_links
from hub.core import routing
from hub.core.model import serves
from hub.errors import Conflict, Forbidden, Invalid, NotFound
from hub.live import agent_from_row
from hub.notify import AGENT_NS, conversation_room
from hub.store import queries
from hub.store.timeline import append_event, event_payload, list_events
from hub.types import AgentSession


async def transfer(hub: Hub, session: AgentSession, p: types.ContactTransfer) -> dict[str, Any]:
    """Hand an assigned contact to ``to_agent`` (offered to them first) or back to the queue.

    By its agent, or by a supervisor or admin (a reassign). The contact keeps its place in
    line (its original ``enqueued_at``) and its conversation; the note is a private note for
    the next agent; the timeline gets ``contact.transferred``. The agent who had it leaves
    the conversation's room. A refused transfer changes nothing.
    """
    now = hub.clock()
    engine = hub.live.engine
    published: list[dict[str, Any]] = []
    async with hub.tx() as conn:
        contact = await queries.contact(conn, p.contact_id)
        if contact is None:
            raise NotFound("no such contact")
        if contact["state"] == "ended":
            raise Conflict("this contact has ended", code="contact_ended")
        mine = contact["state"] == "assigned" and contact["agent_id"] == session.id
        if not mine and not session.is_supervisor:
            raise Forbidden("this contact is not assigned to you")
        if contact["state"] != "assigned":
            raise Conflict("this contact is not with an agent", code="not_assigned")
        if contact["channel"] == "video":
            # The live media and the screen view run between the customer and one agent.
            raise Invalid("contact_id: a video contact cannot be transferred")
        old_id: str = contact["agent_id"]
        target = await _target(conn, contact, p.to_agent, old_id)
        old = await queries.agent(conn, old_id)
        old_public = {"id": old_id, "name": old["name"] if old else None}
        to_public = None if target is None else {"id": target["id"], "name": target["name"]}
        if target is not None and target["id"] not in engine.agents:
            engine.upsert_agent(agent_from_row(target))  # added since the hub started
        hold_until = now + hub.config.sticky_window_s if target is not None else None
        skills = None if p.skills is None else frozenset(p.skills)
        try:
            decisions = engine.transfer(
                p.contact_id,
                now,
                to_agent_id=None if target is None else target["id"],
                hold_until=hold_until,
                skills=skills,
            )
        except routing.NotAssigned:
            raise Conflict("this contact is not with an agent", code="not_assigned") from None
        values: dict[str, Any] = {
            "state": "queued",
            "agent_id": None,
            "assigned_at": None,
            "sticky_agent_id": None if target is None else target["id"],
            "sticky_until": hold_until,
        }
        if skills is not None:
            values["skills"] = sorted(skills)
        await queries.set_contact(conn, p.contact_id, **values)
        data: dict[str, Any] = {
            "contact_id": p.contact_id,
            "channel": contact["channel"],
            "from": old_public,
            "to": to_public,
        }
        if skills is not None:
            data["skills"] = sorted(skills)
        await queries.log_contact_event(
            conn, p.contact_id, "transferred", now, session.id, {**data, "note": bool(p.note)}
        )
        if p.note:
            row, _ = await append_event(
                conn,
                conversation_id=contact["conversation_id"],
                type="note",
                data={"text": p.note, "client_id": None},
                now=now,
                author=session.author,
                visibility="agents",
            )
            published.append(event_payload(row))
        row, _ = await append_event(
            conn,
            conversation_id=contact["conversation_id"],
            type="contact.transferred",
            data=data,
            now=now,
            author=session.author,
        )
        published.append(event_payload(row))
    if contact.get("assigned_at"):
        hub.live.record_handle_time(contact["channel"], now - contact["assigned_at"])
    # The agent who had it hears it in the room, then leaves it.
    for event in published:
        await hub.notify.publish_event(event)
    await hub.notify.agent_leave(old_id, contact["conversation_id"])
    await perform.perform(hub, decisions)
    meta = hub.live.meta.get(p.contact_id)
    if meta is not None and meta.customer_id not in hub.live.customer_sids:
        hub.live.engine.set_abandon(p.contact_id, now + hub.config.abandon_after_s)
    await perform.agent_changed(hub, old_id)
    await perform.step(hub)
    return {"ok": True, "contact_id": p.contact_id, "to": to_public}


async def _target(
    conn: Any, contact: dict[str, Any], to_agent: str | None, old_id: str
) -> dict[str, Any] | None:
    """The agent named by a transfer, checked: known, enabled, on the contact's site."""
    if to_agent is None:
        return None
    if to_agent == old_id:
        raise Invalid("to_agent: the contact is already with this agent", code="same_agent")
    target = await queries.agent(conn, to_agent)
    if target is None or target["disabled_at"] is not None:
        raise NotFound("to_agent: no such agent", code="unknown_agent")
    if not serves(agent_from_row(target), contact["site_id"]):
        raise Forbidden(
            "to_agent: this agent does not serve the contact's site", code="not_on_site"
        )
    return target


async def watch(hub: Hub, session: AgentSession, p: types.ContactRef) -> dict[str, Any]:
    """A supervisor or admin follows a contact's conversation live, read-only.

    This socket joins the conversation's room (its events and typing) without the contact
    being theirs: they still write only where assigned. The act is in the contact's log.
    """
    if not session.is_supervisor:
        raise Forbidden("only supervisors and admins watch conversations")
    async with hub.db.connect() as conn:
        contact = await queries.contact(conn, p.contact_id)
        if contact is None:
            raise NotFound("no such contact")
        profile = await customer_profile(conn, contact["customer_id"])
    await hub.notify.enter(AGENT_NS, session.sid, [conversation_room(contact["conversation_id"])])
    async with hub.tx() as conn:
        await queries.log_contact_event(conn, p.contact_id, "watched", hub.clock(), session.id)
    # Read after joining the room: an event stored in between arrives twice, never not at all.
    async with hub.db.connect() as conn:
        events = await list_events(conn, contact["conversation_id"], 0, include_private=True)
    events = with_links(hub, events)
    return {"ok": True, "contact": contact_view(contact), "customer": profile, "events": events}


async def unwatch(hub: Hub, session: AgentSession, p: types.ContactRef) -> dict[str, Any]:
    """Stop following a watched conversation (one the agent holds they keep following)."""
    if not session.is_supervisor:
        raise Forbidden("only supervisors and admins watch conversations")
    async with hub.db.connect() as conn:
        contact = await queries.contact(conn, p.contact_id)
        if contact is None:
            raise NotFound("no such contact")
        holds = await queries.agent_holds(conn, session.id, contact["conversation_id"])
    if not holds:
        await hub.notify.leave(
            AGENT_NS, session.sid, [conversation_room(contact["conversation_id"])]
        )
    async with hub.tx() as conn:
        await queries.log_contact_event(conn, p.contact_id, "unwatched", hub.clock(), session.id)
    return {"ok": True}


async def targets(hub: Hub, session: AgentSession, p: types.ContactRef) -> dict[str, Any]:
    """Who a contact may be transferred to: the enabled agents of its site but its own, with
    their live status (the console's Transfer dialog). For its agent or a supervisor."""
    async with hub.db.connect() as conn:
        contact = await queries.contact(conn, p.contact_id)
        if contact is None:
            raise NotFound("no such contact")
        if contact["agent_id"] != session.id and not session.is_supervisor:
            raise Forbidden("this contact is not assigned to you")
        rows = await queries.all_agents(conn)
    now = hub.clock()
    agents = [
        {
            "id": row["id"],
            "name": row["name"],
            "status": hub.live.agent_view(row["id"], now)["status"],
        }
        for row in rows
        if row["disabled_at"] is None
        and row["id"] != contact["agent_id"]
        and serves(agent_from_row(row), contact["site_id"])
    ]
    return {"ok": True, "agents": sorted(agents, key=lambda a: (a["name"], a["id"]))}


async def live_contacts(hub: Hub, session: AgentSession, _p: types.Empty) -> dict[str, Any]:
    """Supervisors: every contact waiting, offered or with an agent now, oldest first (what
    the live queue lists, each with a Watch button)."""
    if not session.is_supervisor:
        raise Forbidden("only supervisors and admins see every contact")
    live = hub.live
    out = []
    for contact_id, contact in live.engine.contacts.items():
        meta = live.meta.get(contact_id)
        if meta is None:
            continue
        out.append(
            {
                "id": contact_id,
                "site_id": contact.site_id,
                "channel": contact.channel,
                "state": contact.state,
                "conversation_id": meta.conversation_id,
                "customer": {"id": meta.customer_id, "name": meta.customer_name},
                "agent_id": contact.agent_id,
                "enqueued_at": contact.enqueued_at,
            }
        )
    out.sort(key=lambda c: (c["enqueued_at"], c["id"]))
    return {"ok": True, "contacts": out}
