"""Offers: an agent takes or declines the contact the engine reserved for them."""

from __future__ import annotations

from typing import Any

from hub import types
from hub.actions import mayday, perform, webhooks
from hub.actions.context import Hub
from hub.actions.customers import customer_profile
from hub.core import routing
from hub.errors import OfferExpired
from hub.store import queries
from hub.store.timeline import append_event, event_payload
from hub.types import AgentSession


async def accept_offer(hub: Hub, session: AgentSession, p: types.ContactRef) -> dict[str, Any]:
    now = hub.clock()
    try:
        hub.live.engine.accept(p.contact_id, session.id, now)
    except routing.OfferGone:
        raise OfferExpired("this offer is no longer yours") from None
    hub.live.sent_positions.pop(p.contact_id, None)
    meta = hub.live.meta[p.contact_id]
    agent_public = {"id": session.id, "name": session.agent["name"]}
    async with hub.tx() as conn:
        contact = await queries.contact(conn, p.contact_id)
        assert contact is not None
        await queries.set_contact(
            conn,
            p.contact_id,
            state="assigned",
            agent_id=session.id,
            assigned_at=now,
            first_assigned_at=contact["first_assigned_at"] or now,
        )
        await queries.log_contact_event(conn, p.contact_id, "accepted", now, session.id)
        await webhooks.enqueue(
            conn,
            contact["site_id"],
            "contact.assigned",
            webhooks.contact_data(contact, agent=agent_public),
            now,
        )
        row, _ = await append_event(
            conn,
            conversation_id=contact["conversation_id"],
            type="contact.assigned",
            data={"contact_id": p.contact_id, "channel": contact["channel"], "agent": agent_public},
            now=now,
        )
        profile = await customer_profile(conn, contact["customer_id"])
    waited_ms = int(max(0.0, now - meta.created_at) * 1000)
    hub.metrics.wait_seconds.labels(contact["channel"]).observe(waited_ms / 1000)
    if contact["first_assigned_at"] is None:
        site = hub.live.site_label(contact["site_id"])
        hub.metrics.site_answered.labels(site, contact["channel"]).inc()
        due = contact["due_at"] if contact["due_at"] is not None else contact["enqueued_at"]
        hub.metrics.site_wait.labels(site, contact["channel"]).observe(max(0.0, now - due))
    hub.metrics.offer_outcomes.labels("accepted").inc()
    await hub.notify.agent_join(session.id, contact["conversation_id"])
    await hub.notify.publish_event(event_payload(row))
    await hub.notify.to_customer(
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
        await mayday.joined(hub, p.contact_id, session.id, contact["customer_id"])
    await perform.agent_changed(hub, session.id)
    hub.wake_router()
    profile = {**profile, **hub.live.customer_presence(contact["customer_id"])}
    return {"ok": True, "conversation_id": contact["conversation_id"], "customer": profile}


async def decline_offer(hub: Hub, session: AgentSession, p: types.ContactRef) -> dict[str, Any]:
    # The decline is stored before routing again: routing first would offer the contact to
    # the next agent, and the decline stored after would overwrite that offer.
    try:
        decisions = hub.live.engine.decline(p.contact_id, session.id, hub.clock())
    except routing.OfferGone:
        raise OfferExpired("this offer is no longer yours") from None
    await perform.perform(hub, decisions)
    hub.metrics.offer_outcomes.labels("declined").inc()
    async with hub.tx() as conn:
        await queries.set_contact(conn, p.contact_id, state="queued", agent_id=None)
        await queries.log_contact_event(conn, p.contact_id, "declined", hub.clock(), session.id)
    await perform.step(hub)  # offer it to the next agent at once
    return {"ok": True}
