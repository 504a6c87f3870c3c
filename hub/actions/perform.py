"""Carry out the routing engine's decisions: store them, tell people, route again.

The router (and every action that changes the engine's inputs) ends by calling :func:`step`;
the engine says what to do, and this module does it. It is the only place that turns routing
decisions into rows and events.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from hub.actions import status
from hub.actions.context import Hub
from hub.actions.ending import end_contact_row
from hub.core import estimates, routing
from hub.core.routing import Abandoned, GraceExpired, Offer, Requeued, Revoke, SetAway
from hub.live import agent_from_row, contact_from_row
from hub.store import queries
from hub.store.timeline import append_event, event_payload

log = logging.getLogger(__name__)


async def restore(hub: Hub) -> None:
    """Rebuild the engine from the store: after a restart nothing waiting is forgotten.

    Agents start disconnected; contacts that were assigned stay with their agent for the
    grace period, then go back to the queue at their original place.
    """
    live, engine = hub.live, hub.live.engine
    now = hub.clock()
    async with hub.db.connect() as conn:
        for site in await queries.all_sites(conn):
            live.site_keys[site["id"]] = site["key"]
        for a in await queries.all_agents(conn):
            engine.upsert_agent(agent_from_row(a))
        for c in await queries.active_contacts(conn):
            customer = await queries.customer(conn, c["customer_id"])
            if c["follow_up_of"]:
                c["follow_up"] = await follow_up_of(conn, c["follow_up_of"])
            live.track(c, customer["name"] if customer else None)
            engine.add_contact(contact_from_row(c))
            if c["state"] == "assigned" and c["agent_id"] in engine.agents:
                engine.assign(c["id"], c["agent_id"], c["assigned_at"] or now)
            else:
                # Nobody is connected yet: a customer who does not come back has left.
                engine.set_abandon(c["id"], now + hub.config.abandon_after_s)
        # Nobody is connected yet: the grace of every agent with a contact starts now.
        for agent_id in list(engine.agents):
            engine.set_connected(agent_id, False, now)
        for channel, seconds in await queries.handle_times(conn):
            live.record_handle_time(channel, seconds)
    async with hub.tx() as conn:
        await status.restore(hub, conn, list(engine.agents))


async def step(hub: Hub) -> None:
    """Offer what can be offered now, expire what is due, and tell waiting customers."""
    engine = hub.live.engine
    await perform(hub, engine.step(hub.clock()))
    await push_positions(hub)
    # The router sleeps until the deadline it saw last; an offer made since (or a callback's
    # not_before) may be due sooner, and would otherwise never expire.
    deadline = engine.next_deadline(hub.clock())
    if deadline is not None and (hub.live.wakes_at is None or deadline < hub.live.wakes_at):
        hub.wake_router()


async def perform(hub: Hub, decisions: list[routing.Decision]) -> None:
    for decision in decisions:
        if isinstance(decision, Offer):
            await _offer(hub, decision)
        elif isinstance(decision, Revoke):
            await _revoke(hub, decision)
        elif isinstance(decision, SetAway):
            await status.record(hub, decision.agent_id, "away", hub.clock(), decision.reason)
            await hub.notify.to_agent(
                decision.agent_id, "presence", {"status": "away", "reason": decision.reason}
            )
            await agent_changed(hub, decision.agent_id)
        elif isinstance(decision, GraceExpired):
            await return_to_queue(
                hub, decision.contact_id, decision.agent_id, reason="agent_disconnected"
            )
        elif isinstance(decision, Requeued):
            hub.live.sent_positions.pop(decision.contact_id, None)
        elif isinstance(decision, Abandoned):
            await _abandoned(hub, decision.contact_id)


async def follow_up_of(conn: Any, ended_id: str) -> dict[str, Any]:
    """What an offer of a follow-up says about the contact it follows and its survey."""
    answer = await queries.survey_of(conn, ended_id)
    survey = None
    if answer is not None:
        survey = {
            "contact_id": ended_id,
            "resolved": answer["resolved"],
            "effort": answer["effort"],
            "comment": answer["comment"],
        }
    return {"of": ended_id, "survey": survey}


async def _abandoned(hub: Hub, contact_id: str) -> None:
    """The engine gave up on a contact whose customer stayed away: it ends as abandoned."""
    now = hub.clock()
    hub.live.forget(contact_id)
    async with hub.tx() as conn:
        contact = await queries.contact(conn, contact_id)
        if contact is None or contact["state"] == "ended":
            return
        await queries.log_contact_event(
            conn, contact_id, "abandoned", now, data={"waited_s": now - contact["enqueued_at"]}
        )
        event = await end_contact_row(conn, hub, contact, now, reason="abandoned")
    hub.metrics.abandons.labels(contact["channel"]).inc()
    await hub.notify.publish_event(event)
    await hub.notify.to_customer(
        contact["customer_id"], "contact.ended", {"contact_id": contact_id, "reason": "abandoned"}
    )


# customers' sockets


def customer_connected(hub: Hub, customer_id: str, sid: str) -> None:
    """A socket of the customer is open: nothing of theirs is abandoned while it is."""
    live = hub.live
    sids = live.customer_sids.setdefault(customer_id, set())
    if not sids:
        live.customer_seen[customer_id] = (True, hub.clock())
    sids.add(sid)
    for contact_id in live.contacts_of.get(customer_id, ()):
        live.engine.set_abandon(contact_id, None)


async def customer_back(hub: Hub, customer_id: str) -> None:
    """The customer's socket has its ``session``: the agents of their contacts are told they
    are here, and a contact passed by while they were away may be offered again."""
    if hub.live.contacts_of.get(customer_id):
        await tell_customer_presence(hub, customer_id)
        await step(hub)


async def tell_customer_presence(hub: Hub, customer_id: str) -> None:
    """``customer.presence`` to the agents in the conversations of the customer's contacts."""
    live = hub.live
    payload = {"customer_id": customer_id, **live.customer_presence(customer_id)}
    rooms = {
        meta.conversation_id
        for contact_id in live.contacts_of.get(customer_id, ())
        if (meta := live.meta.get(contact_id)) is not None
    }
    for conversation_id in sorted(rooms):
        await hub.notify.to_conversation_agents(conversation_id, "customer.presence", payload)


async def customer_disconnected(hub: Hub, customer_id: str, sid: str) -> None:
    """The customer's last socket closed: their waiting chats and videos are not offered
    while they are away, and end if they stay away; their agents are told they left."""
    live = hub.live
    sids = live.customer_sids.get(customer_id)
    if sids is not None:
        sids.discard(sid)
        if sids:
            return
        del live.customer_sids[customer_id]
    now = hub.clock()
    mine = live.contacts_of.get(customer_id, ())
    if mine:
        live.customer_seen[customer_id] = (False, now)
    else:
        live.customer_seen.pop(customer_id, None)
    at = now + hub.config.abandon_after_s
    for contact_id in mine:
        live.engine.set_abandon(contact_id, at)
    await tell_customer_presence(hub, customer_id)
    hub.wake_router()  # it sleeps until the deadline it saw last


def customer_rebound(hub: Hub, sid: str, old: str, new: str) -> None:
    """A socket's visitor became another customer (identify): its contacts follow it."""
    if old == new:
        return
    live = hub.live
    sids = live.customer_sids.get(old)
    if sids is not None:
        sids.discard(sid)
        if not sids:
            del live.customer_sids[old]
            live.customer_seen.pop(old, None)
    moved = live.contacts_of.pop(old, set())
    if moved:
        live.contacts_of.setdefault(new, set()).update(moved)
    customer_connected(hub, new, sid)


async def _offer(hub: Hub, offer: Offer) -> None:
    now = hub.clock()
    payload = hub.live.offer_payload(offer, now)
    # Tell the agent first: the offer is the latency that matters. The fact is stored just
    # after; an offer is not durable state anyway (after a restart the contact simply waits).
    await hub.notify.to_agent(offer.agent_id, "offer", payload)
    hub.metrics.offers.labels(payload["channel"]).inc()
    async with hub.tx() as conn:
        await queries.set_contact(conn, offer.contact_id, state="offered", agent_id=offer.agent_id)
        await queries.log_contact_event(
            conn,
            offer.contact_id,
            "offered",
            now,
            offer.agent_id,
            {"expires_at": offer.expires_at, "auto_answer": offer.auto_answer},
        )


async def _revoke(hub: Hub, revoke: Revoke) -> None:
    await hub.notify.to_agent(
        revoke.agent_id,
        "offer.revoked",
        {"contact_id": revoke.contact_id, "reason": revoke.reason},
    )
    hub.metrics.offer_outcomes.labels(revoke.reason).inc()
    if revoke.reason == "cancelled" and revoke.contact_id not in hub.live.engine.contacts:
        return  # the contact ended; its own action records that
    async with hub.tx() as conn:
        await queries.set_contact(conn, revoke.contact_id, state="queued", agent_id=None)
        if revoke.reason == "expired":
            await queries.count_offer_timeout(conn, revoke.contact_id)
        await queries.log_contact_event(
            conn,
            revoke.contact_id,
            "expired" if revoke.reason == "expired" else "revoked",
            hub.clock(),
            revoke.agent_id,
            {"reason": revoke.reason},
        )


# the engine's inputs


async def enqueue(hub: Hub, row: dict[str, Any], customer_name: str | None) -> None:
    """A new contact joins the line (its row is stored) and is offered at once if it can be."""
    hub.live.track(row, customer_name)
    hub.live.engine.add_contact(contact_from_row(row))
    hub.metrics.contacts.labels(row["channel"]).inc()
    hub.metrics.site_contacts.labels(hub.live.site_label(row["site_id"]), row["channel"]).inc()
    await step(hub)


async def withdraw(hub: Hub, contact_id: str) -> None:
    """A contact ended or was cancelled: withdraw its offer, free its agent, route again."""
    hub.live.forget(contact_id)
    await perform(hub, hub.live.engine.remove_contact(contact_id))
    await step(hub)


async def requeue(hub: Hub, contact_id: str, not_before: float | None = None) -> None:
    await perform(hub, hub.live.engine.requeue(contact_id, hub.clock(), not_before))
    meta = hub.live.meta.get(contact_id)
    if meta is not None and meta.customer_id not in hub.live.customer_sids:
        # Back in line while its customer is away (their agent's console went first).
        hub.live.engine.set_abandon(contact_id, hub.clock() + hub.config.abandon_after_s)
    await step(hub)


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
        row, _ = await append_event(
            conn,
            conversation_id=contact["conversation_id"],
            type="contact.requeued",
            data={"contact_id": contact_id, "reason": reason},
            now=now,
        )
    await hub.notify.publish_event(event_payload(row))
    await hub.notify.agent_leave(agent_id, contact["conversation_id"])
    await requeue(hub, contact_id)


# what waiting customers and supervisors see


async def push_positions(hub: Hub) -> None:
    """Tell each waiting customer whose place or estimate changed, and supervisors the counts.

    Only what moved is looked at: the engine says which places changed since the last push,
    and a kind of contact (channel and skills) is looked at again only when its estimate's
    inputs (free and busy slots, handle time) changed. A customer is sent nothing when what
    they would be told is what they were told last.
    """
    live, engine = hub.live, hub.live.engine
    now = hub.clock()
    places = engine.places
    due = set(engine.line_changes(now))
    due |= live.retell
    live.retell.clear()
    for contact_id in due:
        contact = engine.contacts.get(contact_id)
        if contact is not None and contact_id in live.meta:
            live.waiting_kind(contact_id, (live.meta[contact_id].channel, contact.skills))
    inputs: dict[tuple[str, frozenset[str]], tuple[int, int, float]] = {}
    for kind, members in live.by_kind.items():
        inputs[kind] = live.estimate_inputs(*kind)
        if live.sent_inputs.get(kind) != inputs[kind]:
            live.sent_inputs[kind] = inputs[kind]
            due |= members
    # In line order, so the front of the line hears first.
    for position, contact_id in sorted((places[c], c) for c in due if c in places):
        told = live.kind_of.get(contact_id)
        if told is None:
            continue
        free, busy, handle_s = inputs[told]
        wait = estimates.wire_wait_s(estimates.estimate_wait_s(position, free, busy, handle_s))
        sent = (position, wait)
        if live.sent_positions.get(contact_id) == sent:
            continue
        live.sent_positions[contact_id] = sent
        await hub.notify.to_customer(
            live.meta[contact_id].customer_id,
            "contact.queued",
            {"contact_id": contact_id, "position": position, "estimated_wait_s": wait},
        )
    hub.metrics.waiting.set(len(places))
    # Longest waits tick every second; only counts changing is news worth a push.
    if live.sent_queue is None or engine.line_counts() != live.sent_queue["waiting"]:
        live.sent_queue = live.queue_summary(now)
        await hub.notify.to_supervisors("queue.updated", live.sent_queue)


async def resend_positions(hub: Hub, customer_id: str) -> None:
    """A customer back after a reload is told their place in line again."""
    for contact_id, meta in hub.live.meta.items():
        if meta.customer_id == customer_id:
            hub.live.sent_positions.pop(contact_id, None)
            hub.live.retell.add(contact_id)
    await push_positions(hub)


async def agent_changed(hub: Hub, agent_id: str, listing: Mapping[str, Any] | None = None) -> None:
    """Supervisors get ``agent.updated``: the agent's presence and load, and after an admin's
    change (hub.actions.team) their whole listing too (name, role, skills, sites...). The
    sites' customers hear when the first agent becomes available or the last one stops."""
    await hub.notify.to_supervisors(
        "agent.updated", {**(listing or {}), **hub.live.agent_view(agent_id, hub.clock())}
    )
    await tell_availability(hub)


def site_online(hub: Hub, site_id: str) -> bool:
    """Whether an agent of the site is available for chat or video now: what a customer's
    ``session`` says, and what ``agents.online`` tells them when it changes."""
    engine = hub.live.engine
    return any(engine.has_online_agent(site_id, c, frozenset()) for c in ("chat", "video"))


async def tell_availability(hub: Hub) -> None:
    """``agents.online`` to the customers of every site whose answer changed since they were
    last told (only sites a customer connected to are followed)."""
    told = hub.live.told_online
    for site_id, was in list(told.items()):
        online = site_online(hub, site_id)
        if online != was:
            told[site_id] = online
            await hub.notify.to_site_customers(site_id, "agents.online", {"agents_online": online})
