"""Contacts: a request for a person on a channel, cancelled, ended, and callback outcomes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hub import types
from hub.actions import andon, perform, survey, visitors, webhooks
from hub.actions.context import Hub
from hub.actions.ending import end_contact_row
from hub.actions.visitors import site_channels
from hub.core import phones, policy
from hub.errors import Forbidden, IdentityRequired, Invalid, NotFound
from hub.store import queries
from hub.store.timeline import append_event, event_payload
from hub.types import AgentSession, Visitor


async def request_contact(hub: Hub, visitor: Visitor, p: types.ContactRequest) -> dict[str, Any]:
    site = visitor.site
    if policy.needs_identity(site.get("identity_mode") or "optional", p.channel, visitor.verified):
        raise IdentityRequired(
            "this site asks you to sign in before contacting us"
            if site.get("identity_mode") == "required"
            else f"this site asks you to sign in for {p.channel}; chat needs no sign-in"
        )
    if p.channel not in site_channels(site):
        raise Invalid(f"channel: this site does not offer {p.channel}")
    if p.channel == "callback" and not p.phone:
        raise Invalid("phone: a callback needs a phone number in E.164 form")
    now = hub.clock()
    published: list[dict[str, Any]] = []
    ended: list[tuple[dict[str, Any], str | None]] = []
    async with hub.tx() as conn:
        await visitors.store_visitor(conn, visitor, now)
        conversation_id = visitor.conversation_id
        if conversation_id is None:
            # Another tab of the customer may have started it since this socket connected.
            conv = await queries.conversation_of(conn, site["id"], visitor.customer_id)
            conversation_id = conv["id"] if conv else None
        if conversation_id is None:
            conversation_id = await queries.create_conversation(
                conn, site["id"], visitor.customer_id, now
            )
        sticky_agent = None
        actives = await queries.active_contact_in(conn, conversation_id)
        # A second tap on the same channel is the same request (its text is still posted).
        repeat = next((a for a in actives if a["channel"] == p.channel), None)
        for active in actives if repeat is None else ():
            if _kept_beside(active, p.channel):
                continue
            # Switching channel: the old contact ends, its agent is offered the new one first.
            if active["state"] == "assigned":
                sticky_agent = active["agent_id"]
            ended.append((active, active["agent_id"] if active["state"] == "assigned" else None))
            published.append(await end_contact_row(conn, hub, active, now, reason="channel_switch"))
        if p.text:
            row, _ = await append_event(
                conn,
                conversation_id=conversation_id,
                type="message",
                data={"text": p.text, "client_id": None},
                now=now,
                author=visitor.author,
            )
            published.append(event_payload(row))
        if repeat is not None:
            contact_id = repeat["id"]
        else:
            contact_id, contact_row = await _new_contact(
                conn, hub, visitor, p, conversation_id, sticky_agent, now, published
            )
    visitors.stored(visitor)
    if visitor.conversation_id != conversation_id:
        visitor.conversation_id = conversation_id
        await hub.notify.customer_join(visitor.customer_id, conversation_id)
    for contact, agent_id in ended:
        await _after_end(hub, contact, agent_id, "channel_switch")
    for event in published:
        await hub.notify.publish_event(event)
    if repeat is not None:
        return {"ok": True, "contact_id": contact_id, "conversation_id": conversation_id}
    ack: dict[str, Any] = {"ok": True, "contact_id": contact_id, "conversation_id": conversation_id}
    if p.channel == "callback":
        assert p.phone is not None
        ack.update(phone=p.phone, phone_display=phones.display(p.phone, p.country))
        await hub.notify.to_customer(
            visitor.customer_id, "callback.updated", _callback_status(contact_row, "scheduled")
        )
        await hub.notify.to_agents(
            "callback.updated", _callback_view(contact_row, visitor.customer_name, "scheduled")
        )
    elif not hub.live.engine.has_online_agent(site["id"], p.channel, frozenset(p.skills)):
        await hub.notify.to_customer(
            visitor.customer_id,
            "contact.no_agent",
            {"contact_id": contact_id, "channel": p.channel, "callback_offered": True},
        )
    contact_row["first_text"] = p.text
    await perform.enqueue(hub, contact_row, visitor.customer_name)
    return ack


def _kept_beside(active: dict[str, Any], channel: str) -> bool:
    """Whether ``active`` goes on when its customer asks for ``channel``.

    A callback is its own contact: asked during a live chat (or video) with an agent, it is
    queued beside it and the chat goes on until the shopper or the agent ends it. A chat still
    waiting for an agent is replaced by the callback, as any other switch of channel.
    """
    live = active["state"] == "assigned"
    return channel == "callback" and active["channel"] != "callback" and live


async def _new_contact(
    conn: AsyncConnection,
    hub: Hub,
    visitor: Visitor,
    p: types.ContactRequest,
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
        "sticky_until": policy.sticky_until(now, sticky_agent, hub.config.sticky_window_s),
        "created_at": now,
        # A callback booked for later is due then: its wait starts at the booked time.
        "due_at": max(now, p.not_before) if p.channel == "callback" and p.not_before else now,
    }
    contact_id = await queries.create_contact(conn, **contact_row)
    contact_row["id"] = contact_id
    await queries.log_contact_event(conn, contact_id, "requested", now, data={"channel": p.channel})
    await webhooks.enqueue(
        conn, site["id"], "contact.created", webhooks.contact_data(contact_row), now
    )
    row, _ = await append_event(
        conn,
        conversation_id=conversation_id,
        type="contact.requested",
        data={"contact_id": contact_id, "channel": p.channel},
        now=now,
        author=visitor.author,
    )
    published.append(event_payload(row))
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


async def cancel_contact(hub: Hub, visitor: Visitor, p: types.ContactRef) -> dict[str, Any]:
    now = hub.clock()
    async with hub.tx() as conn:
        contact = await queries.contact(conn, p.contact_id)
        if contact is None or contact["customer_id"] != visitor.customer_id:
            raise NotFound("no such contact")
        if contact["state"] == "ended":
            return {"ok": True}
        agent_id = contact["agent_id"] if contact["state"] == "assigned" else None
        event = await end_contact_row(conn, hub, contact, now, reason="cancelled")
    await hub.notify.publish_event(event)
    await _after_end(hub, contact, agent_id, "cancelled")
    return {"ok": True}


async def _after_end(hub: Hub, contact: dict[str, Any], agent_id: str | None, reason: str) -> None:
    payload = {"contact_id": contact["id"], "reason": reason}
    await hub.notify.to_customer(contact["customer_id"], "contact.ended", payload)
    if contact.get("survey_until") is not None:
        await survey.ask(hub, contact)
    if agent_id:
        await hub.notify.to_agent(agent_id, "contact.ended", payload)
        await hub.notify.agent_leave(agent_id, contact["conversation_id"])
    await perform.withdraw(hub, contact["id"])
    if agent_id:
        await perform.agent_changed(hub, agent_id)


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


async def end_contact(hub: Hub, session: AgentSession, p: types.ContactEnd) -> dict[str, Any]:
    now = hub.clock()
    async with hub.tx() as conn:
        contact = await queries.contact(conn, p.contact_id)
        if contact is None:
            raise NotFound("no such contact")
        late = (
            contact["state"] == "ended"
            and contact["agent_id"] == session.id
            and policy.may_wrap_up(now, contact["ended_at"])
        )
        if not late:
            contact = await _assigned_contact(conn, session, p.contact_id)
        if p.reason is not None:
            site = await queries.site_by_id(conn, contact["site_id"])
            assert site is not None
            andon.check_reason(site, p.reason)
        product = p.product or await _page_product(conn, contact["customer_id"])
        if late:
            # The customer (or a channel switch, or a callback outcome) ended it first: the
            # agent's wrap-up is still recorded, once, within the window.
            await queries.set_contact(
                conn, p.contact_id, resolved=p.resolved, reason=p.reason, product=product
            )
            await queries.log_contact_event(
                conn,
                p.contact_id,
                "wrapup",
                now,
                session.id,
                {"resolved": p.resolved, "reason": p.reason, "product": product},
            )
            flag = await andon.after_wrapup(conn, hub, contact["site_id"], product, p.reason)
        else:
            event = await end_contact_row(
                conn,
                hub,
                contact,
                now,
                reason="ended",
                resolved=p.resolved,
                wrapup_reason=p.reason,
                product=product,
            )
            flag = await andon.after_wrapup(conn, hub, contact["site_id"], product, p.reason)
    await andon.announce(hub, flag)
    if late:
        return {"ok": True, "already_ended": True}
    await hub.notify.publish_event(event)
    await _after_end(hub, contact, contact["agent_id"], "ended")
    return {"ok": True}


async def _page_product(conn: AsyncConnection, customer_id: str) -> str | None:
    """The product of the page the customer was on, when the shop's page said."""
    customer = await queries.customer(conn, customer_id)
    page = (customer or {}).get("page") or {}
    product = page.get("product")
    return product if isinstance(product, str) else None


async def callback_outcome(
    hub: Hub, session: AgentSession, p: types.CallbackOutcome
) -> dict[str, Any]:
    cfg = hub.config
    now = hub.clock()
    async with hub.tx() as conn:
        contact = await _assigned_contact(conn, session, p.contact_id)
        if contact["channel"] != "callback":
            raise Invalid("contact_id: this contact is not a callback")
        if p.reason is not None:
            site = await queries.site_by_id(conn, contact["site_id"])
            assert site is not None
            andon.check_reason(site, p.reason)
        # A supervisor may give the outcome for the agent: the contact still ends (or is
        # requeued) as that agent's, who is told and leaves the room.
        owner: str = contact["agent_id"]
        attempts = (contact["attempts"] or 0) + 1
        await queries.log_contact_event(
            conn,
            contact["id"],
            "outcome",
            now,
            session.id,
            {"outcome": p.outcome, "attempt": attempts},
        )
        retry_at = policy.callback_retry_at(
            p.outcome,
            attempts,
            now=now,
            max_attempts=cfg.callback_max_attempts,
            delay_s=cfg.callback_retry_delay_s,
        )
        retry = retry_at is not None
        contact = {**contact, "attempts": attempts, "outcome": p.outcome}
        row, _ = await append_event(
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
        events = [event_payload(row)]
        if retry_at is not None:
            contact["not_before"] = retry_at
            await queries.set_contact(
                conn,
                contact["id"],
                state="queued",
                agent_id=None,
                attempts=attempts,
                not_before=retry_at,
                outcome=p.outcome,
            )
            await queries.log_contact_event(
                conn, contact["id"], "retry", now, session.id, {"not_before": retry_at}
            )
            if contact.get("assigned_at"):
                hub.live.record_handle_time("callback", now - contact["assigned_at"])
        else:
            await queries.set_contact(conn, contact["id"], attempts=attempts)
            events.append(
                await end_contact_row(
                    conn,
                    hub,
                    contact,
                    now,
                    reason=p.outcome,
                    resolved=None,
                    wrapup_reason=p.reason,
                    outcome=p.outcome,
                )
            )
    for event in events:
        await hub.notify.publish_event(event)
    meta = hub.live.meta.get(contact["id"])
    name = meta.customer_name if meta is not None else None
    if retry:
        status = _callback_status(contact, "retry", p.outcome)
        await hub.notify.to_agents("callback.updated", _callback_view(contact, name, "retry"))
        await hub.notify.to_customer(contact["customer_id"], "callback.updated", status)
        await hub.notify.agent_leave(owner, contact["conversation_id"])
        meta = hub.live.meta.get(contact["id"])
        if meta is not None:
            meta.attempts = attempts
        await perform.requeue(hub, contact["id"], not_before=contact["not_before"])
        await perform.agent_changed(hub, owner)
    else:
        done = "done" if p.outcome == "reached" else "failed"
        await hub.notify.to_agents("callback.updated", _callback_view(contact, name, done))
        await hub.notify.to_customer(
            contact["customer_id"], "callback.updated", _callback_status(contact, done, p.outcome)
        )
        await _after_end(hub, contact, owner, p.outcome)
    return {"ok": True}
