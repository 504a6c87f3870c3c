"""Who the customer is: a shop's signed user id, claimed email and phone, merging visitors."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hub import types
from hub.actions import perform, visitors
from hub.actions.context import Hub
from hub.actions.visitors import rooms_for
from hub.core.identity import normalize_email, plan_identify, verify_user_hash
from hub.errors import IdentityInvalid
from hub.notify import CUSTOMER_NS, conversation_room, customer_room
from hub.store import queries
from hub.store.timeline import append_event, event_payload, move_conversation_events
from hub.types import Visitor


async def identify(hub: Hub, visitor: Visitor, p: types.Identify) -> dict[str, Any]:
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
        await visitors.store_visitor(conn, visitor, now)
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
    visitors.stored(visitor)
    perform.customer_rebound(hub, visitor.sid, old_customer, target)
    visitor.customer_id = target
    visitor.customer_name = row["name"]
    visitor.verified = verified
    visitor.conversation_id = conv["id"] if conv else None
    if target != old_customer or visitor.conversation_id != old_conversation:
        left = [customer_room(old_customer)]
        if old_conversation:
            left.append(conversation_room(old_conversation))
        await hub.notify.leave(CUSTOMER_NS, visitor.sid, left)
        await hub.notify.enter(CUSTOMER_NS, visitor.sid, rooms_for(visitor))
        if visitor.conversation_id:
            await hub.notify.customer_join(target, visitor.conversation_id)
    for meta in hub.live.meta.values():
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
        await hub.notify.publish_event(merged_event)
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
        moved = await move_conversation_events(conn, source_conv["id"], target_conv["id"], now)
        await queries.move_contacts(conn, source_conv["id"], target_conv["id"], target)
        conv_id = target_conv["id"]
        # Agents working on the visitor's contact follow the conversation.
        for c in await queries.active_contact_in(conn, target_conv["id"]):
            if c["agent_id"]:
                await hub.notify.agent_join(c["agent_id"], target_conv["id"])
    await queries.move_identifiers(conn, source, target)
    await queries.set_customer(conn, source, merged_into=target)
    if conv_id is None:
        return None
    row, _ = await append_event(
        conn,
        conversation_id=conv_id,
        type="identity.merged",
        data={"from_customer_id": source, "events_moved": moved},
        now=now,
    )
    return event_payload(row)
