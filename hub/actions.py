"""Actions: the only way state changes. Each checks, writes to the store, then tells people.

Edges (socket.io handlers, REST views, the CLI) parse and authenticate, then call one action.
An action raises a :class:`hub.errors.HubError` before writing anything when the request is
refused, so a refused request changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hub import schemas
from hub.auth import new_token, token_hash, verify_password
from hub.core import routing
from hub.core.identity import normalize_email, plan_identify, verify_user_hash
from hub.errors import (
    Forbidden,
    IdentityInvalid,
    IdentityRequired,
    Invalid,
    NotFound,
    OfferExpired,
    Unauthorized,
)
from hub.state import Hub, conversation_room, customer_room
from hub.store import queries

log = logging.getLogger(__name__)

SYSTEM = None  # events without an author are the hub's own


@dataclass
class Visitor:
    """A connected customer socket: who it is and what it may see."""

    sid: str
    site: dict[str, Any]
    customer_id: str
    customer_name: str | None
    token_hash: str
    verified: bool
    conversation_id: str | None
    extra_rooms: set[str] = field(default_factory=set)

    @property
    def author(self) -> dict[str, Any]:
        return {"role": "customer", "id": self.customer_id, "name": self.customer_name}


@dataclass
class AgentSession:
    sid: str
    agent: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.agent["id"])

    @property
    def is_supervisor(self) -> bool:
        return self.agent["role"] in ("supervisor", "admin")

    @property
    def author(self) -> dict[str, Any]:
        return {"role": "agent", "id": self.id, "name": self.agent["name"]}


# customers: connecting


async def open_visitor(
    hub: Hub, sid: str, site: dict[str, Any], token: str | None
) -> tuple[Visitor, str]:
    """Recognise the browser by its visitor token, or give it a new one."""
    now = hub.clock()
    async with hub.tx() as conn:
        row = None
        if token:
            row = await queries.customer_by_token(conn, site["id"], token_hash(token))
            # A merged visitor's token was moved to the customer it merged into.
        if row is None:
            token = new_token()
            customer_id = await queries.create_customer(conn, site["id"], now)
            await queries.add_visitor_token(conn, site["id"], customer_id, token_hash(token), now)
            row = {"id": customer_id, "name": None}
        assert token is not None
        conv = await queries.conversation_of(conn, site["id"], row["id"])
        verified = await queries.verified_user_id(conn, row["id"]) is not None
    visitor = Visitor(
        sid=sid,
        site=site,
        customer_id=row["id"],
        customer_name=row["name"],
        token_hash=token_hash(token),
        verified=verified,
        conversation_id=conv["id"] if conv else None,
    )
    return visitor, token


def site_channels(site: dict[str, Any]) -> list[str]:
    """The channels a site offers its customers (``hub sites add --video`` adds video)."""
    return list((site.get("settings") or {}).get("channels", ["chat", "callback"]))


def session_payload(hub: Hub, visitor: Visitor, token: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "customer_id": visitor.customer_id,
        "conversation_id": visitor.conversation_id,
        "channels": site_channels(visitor.site),
        "agents_online": any(
            hub.router.has_online_agent(visitor.site["id"], c, frozenset())
            for c in ("chat", "video")
        ),
        "identity_required": visitor.site.get("identity_mode") == "required",
        "verified": visitor.verified,
    }
    if token is not None:
        out["visitor_token"] = token
    return out


async def rooms_for(hub: Hub, visitor: Visitor) -> list[str]:
    rooms = [customer_room(visitor.customer_id)]
    if visitor.conversation_id:
        rooms.append(conversation_room(visitor.conversation_id))
    return rooms


# customers: identify


async def identify(hub: Hub, visitor: Visitor, p: schemas.Identify) -> dict[str, Any]:
    site = visitor.site
    if p.user_id is not None or p.user_hash is not None:
        if p.user_id is None or p.user_hash is None:
            raise IdentityInvalid("user_id and user_hash go together")
        if not verify_user_hash(site["secret"], p.user_id, p.user_hash):
            raise IdentityInvalid("user_hash is not the site's signature of user_id")
    now = hub.clock()
    old_customer = visitor.customer_id
    old_conversation = visitor.conversation_id
    merged_event = None
    async with hub.tx() as conn:
        target = visitor.customer_id
        if p.user_id is not None:
            current_uid = await queries.verified_user_id(conn, visitor.customer_id)
            owner = await queries.owner_of_user_id(conn, site["id"], p.user_id)
            plan = plan_identify(visitor.customer_id, current_uid, owner, p.user_id)
            target = plan.target or await queries.create_customer(conn, site["id"], now)
            if plan.attach:
                await queries.add_identifier(
                    conn,
                    site_id=site["id"],
                    customer_id=target,
                    kind="user_id",
                    value=p.user_id,
                    verified=True,
                    now=now,
                )
            if plan.merge_from is not None:
                merged_event = await _merge(conn, hub, site["id"], plan.merge_from, target, now)
            elif target != visitor.customer_id:
                # Switching to another verified customer on this device: the token follows.
                await queries.rebind_token(conn, visitor.token_hash, target)
        for kind, value in (("email", p.email), ("phone", p.phone)):
            if value:
                value = normalize_email(value) if kind == "email" else value
                await queries.add_identifier(
                    conn,
                    site_id=site["id"],
                    customer_id=target,
                    kind=kind,
                    value=value,
                    verified=False,
                    now=now,
                )
        if p.name:
            await queries.set_customer(conn, target, name=p.name)
        row = await queries.customer(conn, target)
        conv = await queries.conversation_of(conn, site["id"], target)
        verified = await queries.verified_user_id(conn, target) is not None
    assert row is not None
    visitor.customer_id = target
    visitor.customer_name = row["name"]
    visitor.verified = verified
    visitor.conversation_id = conv["id"] if conv else None
    if target != old_customer or visitor.conversation_id != old_conversation:
        await hub.sio.leave_room(visitor.sid, customer_room(old_customer), namespace="/customer")
        if old_conversation:
            await hub.sio.leave_room(
                visitor.sid, conversation_room(old_conversation), namespace="/customer"
            )
        for room in await rooms_for(hub, visitor):
            await hub.sio.enter_room(visitor.sid, room, namespace="/customer")
        if visitor.conversation_id:
            await hub.customer_join(target, visitor.conversation_id)
    for meta in hub.router.meta.values():
        if meta.customer_id in (old_customer, target):
            meta.customer_id = target
            meta.customer_name = row["name"]
            if (
                old_conversation
                and meta.conversation_id == old_conversation
                and visitor.conversation_id
            ):
                meta.conversation_id = visitor.conversation_id
    if merged_event is not None:
        await hub.publish_event(merged_event)
    return {
        "ok": True,
        "customer_id": target,
        "verified": verified,
        "conversation_id": visitor.conversation_id,
    }


async def _merge(
    conn: AsyncConnection, hub: Hub, site_id: str, source: str, target: str, now: float
) -> dict[str, Any] | None:
    """Move a visitor's history into the verified customer it turned out to be."""
    source_conv = await queries.conversation_of(conn, site_id, source)
    target_conv = await queries.conversation_of(conn, site_id, target)
    moved = 0
    conv_id = None
    if source_conv and not target_conv:
        await queries.reassign_conversation(conn, source_conv["id"], target)
        conv_id = source_conv["id"]
        moved = source_conv["last_seq"]
    elif source_conv and target_conv:
        moved = await queries.move_conversation_events(
            conn, source_conv["id"], target_conv["id"], now
        )
        await queries.move_contacts(conn, source_conv["id"], target_conv["id"], target)
        conv_id = target_conv["id"]
        # Agents working on the visitor's contact follow the conversation.
        for c in await queries.active_contact_in(conn, target_conv["id"]):
            if c["agent_id"]:
                await hub.agent_join(c["agent_id"], target_conv["id"])
    await queries.move_identifiers(conn, source, target)
    await queries.set_customer(conn, source, merged_into=target)
    if conv_id is None:
        return None
    row, _ = await queries.append_event(
        conn,
        conversation_id=conv_id,
        type="identity.merged",
        data={"from_customer_id": source, "events_moved": moved},
        now=now,
    )
    return queries.event_payload(row)


# customers: contacts


async def request_contact(hub: Hub, visitor: Visitor, p: schemas.ContactRequest) -> dict[str, Any]:
    site = visitor.site
    if site.get("identity_mode") == "required" and not visitor.verified:
        raise IdentityRequired("this site asks you to sign in before contacting us")
    if p.channel not in site_channels(site):
        raise Invalid(f"channel: this site does not offer {p.channel}")
    if p.channel == "callback" and not p.phone:
        raise Invalid("phone: a callback needs a phone number in E.164 form")
    now = hub.clock()
    published: list[dict[str, Any]] = []
    ended: list[tuple[dict[str, Any], str | None]] = []
    async with hub.tx() as conn:
        conversation_id = visitor.conversation_id
        if conversation_id is None:
            conversation_id = await queries.create_conversation(
                conn, site["id"], visitor.customer_id, now
            )
        sticky_agent = None
        actives = await queries.active_contact_in(conn, conversation_id)
        # A second tap on the same channel is the same request (its text is still posted).
        repeat = next((a for a in actives if a["channel"] == p.channel), None)
        for active in actives if repeat is None else ():
            # Switching channel: the old contact ends, its agent is offered the new one first.
            if active["state"] == "assigned":
                sticky_agent = active["agent_id"]
            ended.append((active, active["agent_id"] if active["state"] == "assigned" else None))
            published.append(
                await _end_contact_row(conn, hub, active, now, reason="channel_switch")
            )
        if p.text:
            row, _ = await queries.append_event(
                conn,
                conversation_id=conversation_id,
                type="message",
                data={"text": p.text, "client_id": None},
                now=now,
                author=visitor.author,
            )
            published.append(queries.event_payload(row))
        if repeat is not None:
            contact_id = repeat["id"]
        else:
            contact_id, contact_row = await _new_contact(
                conn, hub, visitor, p, conversation_id, sticky_agent, now, published
            )
    if visitor.conversation_id != conversation_id:
        visitor.conversation_id = conversation_id
        await hub.customer_join(visitor.customer_id, conversation_id)
    for contact, agent_id in ended:
        await _after_end(hub, contact, agent_id, "channel_switch")
    for event in published:
        await hub.publish_event(event)
    if repeat is not None:
        return {"ok": True, "contact_id": contact_id, "conversation_id": conversation_id}
    if p.channel == "callback":
        await hub.to_customer(
            visitor.customer_id, "callback.updated", _callback_status(contact_row, "scheduled")
        )
        await hub.to_agents(
            "callback.updated", _callback_view(contact_row, visitor.customer_name, "scheduled")
        )
    elif not hub.router.has_online_agent(site["id"], p.channel, frozenset(p.skills)):
        await hub.to_customer(
            visitor.customer_id,
            "contact.no_agent",
            {"contact_id": contact_id, "channel": p.channel, "callback_offered": True},
        )
    contact_row["first_text"] = p.text
    await hub.router.add(contact_row, visitor.customer_name)
    return {"ok": True, "contact_id": contact_id, "conversation_id": conversation_id}


async def _new_contact(
    conn: AsyncConnection,
    hub: Hub,
    visitor: Visitor,
    p: schemas.ContactRequest,
    conversation_id: str,
    sticky_agent: str | None,
    now: float,
    published: list[dict[str, Any]],
) -> tuple[str, dict[str, Any]]:
    site = visitor.site
    contact_row: dict[str, Any] = {
        "site_id": site["id"],
        "conversation_id": conversation_id,
        "customer_id": visitor.customer_id,
        "channel": p.channel,
        "state": "queued",
        "enqueued_at": now,
        "not_before": p.not_before if p.channel == "callback" else None,
        "phone": p.phone if p.channel == "callback" else None,
        "skills": sorted(set(p.skills)),
        "attempts": 0,
        "sticky_agent_id": sticky_agent,
        "sticky_until": now + hub.config.sticky_window_s if sticky_agent else None,
        "created_at": now,
    }
    contact_id = await queries.create_contact(conn, **contact_row)
    contact_row["id"] = contact_id
    await queries.log_contact_event(conn, contact_id, "requested", now, data={"channel": p.channel})
    row, _ = await queries.append_event(
        conn,
        conversation_id=conversation_id,
        type="contact.requested",
        data={"contact_id": contact_id, "channel": p.channel},
        now=now,
        author=visitor.author,
    )
    published.append(queries.event_payload(row))
    if p.phone:
        await queries.add_identifier(
            conn,
            site_id=site["id"],
            customer_id=visitor.customer_id,
            kind="phone",
            value=p.phone,
            verified=False,
            now=now,
        )
    return contact_id, contact_row


def _callback_view(
    contact: dict[str, Any], customer_name: str | None, status: str
) -> dict[str, Any]:
    """What agents see of a callback: the shared list in the console."""
    return {
        **_callback_status(contact, status, contact.get("outcome")),
        "phone": contact.get("phone"),
        "customer": {"id": contact["customer_id"], "name": customer_name},
        "conversation_id": contact["conversation_id"],
    }


def _callback_status(
    contact: dict[str, Any], status: str, outcome: str | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "contact_id": contact["id"],
        "status": status,
        "attempts": contact.get("attempts") or 0,
    }
    if contact.get("not_before"):
        out["next_attempt_at"] = contact["not_before"]
    if outcome:
        out["outcome"] = outcome
    return out


async def cancel_contact(hub: Hub, visitor: Visitor, p: schemas.ContactRef) -> dict[str, Any]:
    now = hub.clock()
    async with hub.tx() as conn:
        contact = await queries.contact(conn, p.contact_id)
        if contact is None or contact["customer_id"] != visitor.customer_id:
            raise NotFound("no such contact")
        if contact["state"] == "ended":
            return {"ok": True}
        agent_id = contact["agent_id"] if contact["state"] == "assigned" else None
        event = await _end_contact_row(conn, hub, contact, now, reason="cancelled")
    await hub.publish_event(event)
    await _after_end(hub, contact, agent_id, "cancelled")
    return {"ok": True}


async def _end_contact_row(
    conn: AsyncConnection,
    hub: Hub,
    contact: dict[str, Any],
    now: float,
    *,
    reason: str,
    resolved: bool | None = None,
    wrapup_reason: str | None = None,
    outcome: str | None = None,
) -> dict[str, Any]:
    await queries.set_contact(
        conn,
        contact["id"],
        state="ended",
        ended_at=now,
        end_reason=reason,
        resolved=resolved,
        reason=wrapup_reason,
        outcome=outcome or contact.get("outcome"),
    )
    await queries.log_contact_event(
        conn, contact["id"], "ended", now, contact.get("agent_id"), {"reason": reason}
    )
    row, _ = await queries.append_event(
        conn,
        conversation_id=contact["conversation_id"],
        type="contact.ended",
        data={"contact_id": contact["id"], "channel": contact["channel"], "reason": reason},
        now=now,
    )
    if contact["state"] == "assigned" and contact.get("assigned_at"):
        hub.router.record_handle_time(contact["channel"], now - contact["assigned_at"])
    return queries.event_payload(row)


async def _after_end(hub: Hub, contact: dict[str, Any], agent_id: str | None, reason: str) -> None:
    payload = {"contact_id": contact["id"], "reason": reason}
    await hub.to_customer(contact["customer_id"], "contact.ended", payload)
    if agent_id:
        await hub.to_agent(agent_id, "contact.ended", payload)
        await hub.agent_leave(agent_id, contact["conversation_id"])
    hub.mayday.forget(contact["id"])
    await hub.router.remove(contact["id"])
    if agent_id:
        await hub.router.agent_changed(agent_id)


# customers: timeline


async def send_message(
    hub: Hub,
    conversation_id: str,
    author: dict[str, Any],
    client_id: str,
    text: str,
    *,
    type: str = "message",
    visibility: str = "all",
) -> dict[str, Any]:
    """Store a message once per (author, client_id), then publish it; ack with its seq."""
    key = f"{author['role']}:{author['id']}:{client_id}"
    row, new = await hub.writer.append(
        conversation_id=conversation_id,
        type=type,
        data={"text": text, "client_id": client_id},
        now=hub.clock(),
        author=author,
        visibility=visibility,
        client_key=key,
    )
    if new:
        hub.metrics.messages.labels(author["role"]).inc()
        await hub.publish_event(queries.event_payload(row))
    return {"ok": True, "seq": row["seq"]}


async def customer_message(hub: Hub, visitor: Visitor, p: schemas.MessageSend) -> dict[str, Any]:
    await _check_customer_conversation(hub, visitor, p.conversation_id)
    return await send_message(hub, p.conversation_id, visitor.author, p.client_id, p.text)


async def _check_customer_conversation(hub: Hub, visitor: Visitor, conversation_id: str) -> None:
    if conversation_id == visitor.conversation_id:
        return
    async with hub.db.connect() as conn:
        conv = await queries.conversation(conn, conversation_id)
    # The same answer whether it does not exist or is someone else's: nothing leaks.
    if conv is None or conv["customer_id"] != visitor.customer_id:
        raise Forbidden("this conversation is not yours")


async def customer_history(hub: Hub, visitor: Visitor, p: schemas.History) -> dict[str, Any]:
    await _check_customer_conversation(hub, visitor, p.conversation_id)
    async with hub.db.connect() as conn:
        events = await queries.list_events(
            conn, p.conversation_id, p.after_seq, include_private=False
        )
    return {"ok": True, "events": events}


async def customer_typing(hub: Hub, visitor: Visitor, p: schemas.Typing) -> dict[str, Any]:
    await _check_customer_conversation(hub, visitor, p.conversation_id)
    await hub.sio.emit(
        "typing",
        {"conversation_id": p.conversation_id, "role": "customer", "typing": p.typing},
        room=conversation_room(p.conversation_id),
        namespace="/agent",
    )
    return {"ok": True}


async def customer_page(hub: Hub, visitor: Visitor, p: schemas.Page) -> dict[str, Any]:
    page = {"url": p.url, "title": p.title, "ts": hub.clock()}
    async with hub.tx() as conn:
        await queries.set_customer(conn, visitor.customer_id, page=page)
    if visitor.conversation_id:
        await hub.sio.emit(
            "customer.page",
            {
                "customer_id": visitor.customer_id,
                "conversation_id": visitor.conversation_id,
                "page": page,
            },
            room=conversation_room(visitor.conversation_id),
            namespace="/agent",
        )
    return {"ok": True}


# agents


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


async def presence(hub: Hub, session: AgentSession, p: schemas.Presence) -> dict[str, Any]:
    await hub.router.set_presence(session.id, p.status)
    return {"ok": True}


async def accept_offer(hub: Hub, session: AgentSession, p: schemas.ContactRef) -> dict[str, Any]:
    try:
        hub.router.accept(p.contact_id, session.id)
    except routing.OfferGone:
        raise OfferExpired("this offer is no longer yours") from None
    now = hub.clock()
    meta = hub.router.meta[p.contact_id]
    agent_public = {"id": session.id, "name": session.agent["name"]}
    async with hub.tx() as conn:
        contact = await queries.contact(conn, p.contact_id)
        assert contact is not None
        await queries.set_contact(
            conn, p.contact_id, state="assigned", agent_id=session.id, assigned_at=now
        )
        await queries.log_contact_event(conn, p.contact_id, "accepted", now, session.id)
        row, _ = await queries.append_event(
            conn,
            conversation_id=contact["conversation_id"],
            type="contact.assigned",
            data={"contact_id": p.contact_id, "channel": contact["channel"], "agent": agent_public},
            now=now,
        )
        profile = await customer_profile(conn, contact["customer_id"])
    waited_ms = int(max(0.0, now - meta.created_at) * 1000)
    hub.metrics.wait_seconds.labels(contact["channel"]).observe(waited_ms / 1000)
    hub.metrics.offer_outcomes.labels("accepted").inc()
    await hub.agent_join(session.id, contact["conversation_id"])
    await hub.publish_event(queries.event_payload(row))
    await hub.to_customer(
        contact["customer_id"],
        "contact.assigned",
        {
            "contact_id": p.contact_id,
            "channel": contact["channel"],
            "agent": agent_public,
            "waited_ms": waited_ms,
        },
    )
    if contact["channel"] == "video":
        await hub.mayday.joined(p.contact_id, session.id, contact["customer_id"])
    await hub.router.agent_changed(session.id)
    hub.router.kick()
    return {"ok": True, "conversation_id": contact["conversation_id"], "customer": profile}


async def decline_offer(hub: Hub, session: AgentSession, p: schemas.ContactRef) -> dict[str, Any]:
    try:
        await hub.router.decline(p.contact_id, session.id)
    except routing.OfferGone:
        raise OfferExpired("this offer is no longer yours") from None
    async with hub.tx() as conn:
        await queries.set_contact(conn, p.contact_id, state="queued", agent_id=None)
        await queries.log_contact_event(conn, p.contact_id, "declined", hub.clock(), session.id)
    await hub.router.run()  # offer it to the next agent at once
    return {"ok": True}


async def _assigned_contact(
    conn: AsyncConnection, session: AgentSession, contact_id: str
) -> dict[str, Any]:
    contact = await queries.contact(conn, contact_id)
    if contact is None:
        raise NotFound("no such contact")
    if contact["state"] != "assigned" or (
        contact["agent_id"] != session.id and not session.is_supervisor
    ):
        raise Forbidden("this contact is not assigned to you")
    return contact


WRAPUP_WINDOW_S = 15 * 60


async def end_contact(hub: Hub, session: AgentSession, p: schemas.ContactEnd) -> dict[str, Any]:
    now = hub.clock()
    async with hub.tx() as conn:
        contact = await queries.contact(conn, p.contact_id)
        if (
            contact is not None
            and contact["state"] == "ended"
            and contact["agent_id"] == session.id
            and now - (contact["ended_at"] or 0) < WRAPUP_WINDOW_S
        ):
            # The customer (or a channel switch, or a callback outcome) ended it first: the
            # agent's wrap-up is still recorded, once, within the window.
            await queries.set_contact(conn, p.contact_id, resolved=p.resolved, reason=p.reason)
            await queries.log_contact_event(
                conn,
                p.contact_id,
                "wrapup",
                now,
                session.id,
                {"resolved": p.resolved, "reason": p.reason},
            )
            return {"ok": True, "already_ended": True}
        contact = await _assigned_contact(conn, session, p.contact_id)
        event = await _end_contact_row(
            conn, hub, contact, now, reason="ended", resolved=p.resolved, wrapup_reason=p.reason
        )
    await hub.publish_event(event)
    await _after_end(hub, contact, contact["agent_id"], "ended")
    return {"ok": True}


async def callback_outcome(
    hub: Hub, session: AgentSession, p: schemas.CallbackOutcome
) -> dict[str, Any]:
    cfg = hub.config
    now = hub.clock()
    async with hub.tx() as conn:
        contact = await _assigned_contact(conn, session, p.contact_id)
        if contact["channel"] != "callback":
            raise Invalid("contact_id: this contact is not a callback")
        attempts = (contact["attempts"] or 0) + 1
        await queries.log_contact_event(
            conn,
            contact["id"],
            "outcome",
            now,
            session.id,
            {"outcome": p.outcome, "attempt": attempts},
        )
        retry = p.outcome == "no_answer" and attempts < cfg.callback_max_attempts
        contact = {**contact, "attempts": attempts, "outcome": p.outcome}
        row, _ = await queries.append_event(
            conn,
            conversation_id=contact["conversation_id"],
            type="callback.outcome",
            data={
                "contact_id": contact["id"],
                "outcome": p.outcome,
                "attempt": attempts,
                "will_retry": retry,
            },
            now=now,
            author=session.author,
        )
        events = [queries.event_payload(row)]
        if retry:
            not_before = now + cfg.callback_retry_delay_s
            contact["not_before"] = not_before
            await queries.set_contact(
                conn,
                contact["id"],
                state="queued",
                agent_id=None,
                attempts=attempts,
                not_before=not_before,
                outcome=p.outcome,
            )
            await queries.log_contact_event(
                conn, contact["id"], "retry", now, session.id, {"not_before": not_before}
            )
            if contact.get("assigned_at"):
                hub.router.record_handle_time("callback", now - contact["assigned_at"])
        else:
            await queries.set_contact(conn, contact["id"], attempts=attempts)
            events.append(
                await _end_contact_row(
                    conn, hub, contact, now, reason=p.outcome, resolved=None, outcome=p.outcome
                )
            )
    for event in events:
        await hub.publish_event(event)
    meta = hub.router.meta.get(contact["id"])
    name = meta.customer_name if meta is not None else None
    if retry:
        status = _callback_status(contact, "retry", p.outcome)
        await hub.to_agents("callback.updated", _callback_view(contact, name, "retry"))
        await hub.to_customer(contact["customer_id"], "callback.updated", status)
        await hub.agent_leave(session.id, contact["conversation_id"])
        meta = hub.router.meta.get(contact["id"])
        if meta is not None:
            meta.attempts = attempts
        await hub.router.requeue(contact["id"], not_before=contact["not_before"])
        await hub.router.agent_changed(session.id)
    else:
        done = "done" if p.outcome == "reached" else "failed"
        await hub.to_agents("callback.updated", _callback_view(contact, name, done))
        await hub.to_customer(
            contact["customer_id"], "callback.updated", _callback_status(contact, done, p.outcome)
        )
        await _after_end(hub, contact, session.id, p.outcome)
    return {"ok": True}


async def return_to_queue(hub: Hub, contact_id: str, agent_id: str, *, reason: str) -> None:
    """An assigned contact whose agent is gone goes back to the queue at its original place."""
    now = hub.clock()
    async with hub.tx() as conn:
        contact = await queries.contact(conn, contact_id)
        if contact is None or contact["state"] != "assigned" or contact["agent_id"] != agent_id:
            return
        await queries.set_contact(conn, contact_id, state="queued", agent_id=None, assigned_at=None)
        await queries.log_contact_event(
            conn, contact_id, "requeued", now, agent_id, {"reason": reason}
        )
        row, _ = await queries.append_event(
            conn,
            conversation_id=contact["conversation_id"],
            type="contact.requeued",
            data={"contact_id": contact_id, "reason": reason},
            now=now,
        )
    await hub.publish_event(queries.event_payload(row))
    await hub.agent_leave(agent_id, contact["conversation_id"])
    await hub.router.requeue(contact_id)


async def _check_agent_conversation(
    hub: Hub, session: AgentSession, conversation_id: str, *, write: bool
) -> None:
    async with hub.db.connect() as conn:
        if await queries.agent_may_read(conn, session.id, conversation_id):
            return
        if (
            not write
            and session.is_supervisor
            and await queries.conversation(conn, conversation_id)
        ):
            return
    raise Forbidden("this conversation is not assigned to you")


async def agent_message(hub: Hub, session: AgentSession, p: schemas.MessageSend) -> dict[str, Any]:
    await _check_agent_conversation(hub, session, p.conversation_id, write=True)
    return await send_message(hub, p.conversation_id, session.author, p.client_id, p.text)


async def add_note(hub: Hub, session: AgentSession, p: schemas.NoteAdd) -> dict[str, Any]:
    await _check_agent_conversation(hub, session, p.conversation_id, write=True)
    return await send_message(
        hub,
        p.conversation_id,
        session.author,
        p.client_id,
        p.text,
        type="note",
        visibility="agents",
    )


async def agent_history(hub: Hub, session: AgentSession, p: schemas.History) -> dict[str, Any]:
    await _check_agent_conversation(hub, session, p.conversation_id, write=False)
    async with hub.db.connect() as conn:
        events = await queries.list_events(
            conn, p.conversation_id, p.after_seq, include_private=True
        )
    return {"ok": True, "events": events}


async def agent_typing(hub: Hub, session: AgentSession, p: schemas.Typing) -> dict[str, Any]:
    await _check_agent_conversation(hub, session, p.conversation_id, write=True)
    await hub.sio.emit(
        "typing",
        {"conversation_id": p.conversation_id, "role": "agent", "typing": p.typing},
        room=conversation_room(p.conversation_id),
        namespace="/customer",
    )
    return {"ok": True}


async def customer_profile(conn: AsyncConnection, customer_id: str) -> dict[str, Any]:
    row = await queries.customer(conn, customer_id)
    if row is None:
        raise NotFound("no such customer")
    return {
        "id": row["id"],
        "name": row["name"],
        "page": row["page"],
        "identifiers": await queries.identifiers_of(conn, customer_id),
        "conversations": [
            {
                "id": c["id"],
                "last_seq": c["last_seq"],
                "created_at": c["created_at"],
                "updated_at": c["updated_at"],
            }
            for c in await queries.conversations_of(conn, customer_id)
        ],
    }


async def read_customer(hub: Hub, agent: dict[str, Any], customer_id: str) -> dict[str, Any]:
    async with hub.db.connect() as conn:
        if agent["role"] not in (
            "supervisor",
            "admin",
        ) and not await queries.agent_may_read_customer(conn, agent["id"], customer_id):
            raise Forbidden("this customer is not one of your contacts")
        return await customer_profile(conn, customer_id)


async def snapshot(hub: Hub, session: AgentSession) -> dict[str, Any]:
    """Everything the console shows, at once; live events keep it current afterwards."""
    router = hub.router
    view = router.agent_view(session.id)
    async with hub.db.connect() as conn:
        contacts = []
        for c in await queries.contacts_of_agent(conn, session.id):
            contacts.append(
                {
                    "contact": _contact_view(c),
                    "customer": await customer_profile(conn, c["customer_id"]),
                    "events": await queries.list_events(
                        conn, c["conversation_id"], 0, include_private=True
                    ),
                }
            )
        callbacks = []
        for c in await queries.open_callbacks(conn):
            customer = await queries.customer(conn, c["customer_id"])
            name = customer["name"] if customer else None
            callbacks.append(
                {**_contact_view(c), "customer": {"id": c["customer_id"], "name": name}}
            )
        # Agents serve every site: each contact and offer names its site, whose lists apply.
        sites = {s["id"]: _site_view(s) for s in await queries.all_sites(conn)}
    offer = router.engine.offer_of(session.id)
    offers = []
    if offer is not None and offer.contact_id in router.meta:
        offers.append(router.offer_payload(offer, hub.clock()))
    # The top-level lists predate per-site lists; kept for older clients: the first site's.
    first_site = next(iter(sites.values()), {})
    out: dict[str, Any] = {
        "ok": True,
        "agent": {
            "id": session.id,
            "name": session.agent["name"],
            "role": session.agent["role"],
            "status": view["status"],
            "auto_answer": bool(session.agent["auto_answer"]),
        },
        "contacts": contacts,
        "offers": offers,
        "callbacks": callbacks,
        "sites": sites,
        "canned_responses": first_site.get("canned_responses", []),
        "contact_reasons": first_site.get("contact_reasons", []),
    }
    if session.is_supervisor:
        out["queue"] = router.queue_summary()
        async with hub.db.connect() as conn:
            agents = await queries.all_agents(conn)
        out["agents"] = [{**router.agent_view(a["id"]), "name": a["name"]} for a in agents]
    return out


def _site_view(site: dict[str, Any]) -> dict[str, Any]:
    settings = site["settings"] or {}
    return {
        "name": site["name"],
        "canned_responses": settings.get("canned_responses", []),
        "contact_reasons": settings.get("contact_reasons", []),
    }


def _contact_view(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": c["id"],
        "site_id": c["site_id"],
        "channel": c["channel"],
        "state": c["state"],
        "conversation_id": c["conversation_id"],
        "customer_id": c["customer_id"],
        "enqueued_at": c["enqueued_at"],
        "agent_id": c["agent_id"],
        "phone": c["phone"],
        "attempts": c["attempts"],
        "next_attempt_at": c["not_before"],
        "assigned_at": c["assigned_at"],
    }
