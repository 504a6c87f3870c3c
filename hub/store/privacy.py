"""A customer's personal data, gathered for an export or removed for an erasure (DESIGN §11).

What a person said or is called goes; what the reports count stays (a contact's channel, its
times, its reason and product, a survey's answer and effort), attached to an id that no longer
leads to anyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.store import search
from hub.store.schema import (
    contacts,
    conversations,
    customers,
    events,
    identifiers,
    surveys,
    visitor_tokens,
)

Row = dict[str, Any]
# The keys of a timeline event's data that hold what a person wrote or who they are.
# An attachment's ``file`` (its key) goes too: its bytes are deleted with the customer.
PERSONAL = frozenset(
    {"text", "comment", "phone", "name", "email", "url", "title", "user_id", "file"}
)


def redact(data: Mapping[str, Any]) -> dict[str, Any]:
    """An event's data without its personal fields (one level down too), marked erased."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in PERSONAL:
            continue
        if isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k not in PERSONAL}
        out[key] = value
    out["erased"] = True
    return out


async def people(conn: AsyncConnection, customer_id: str) -> list[str]:
    """The customer and every customer merged into them: one person's records."""
    found = [customer_id]
    rows = await conn.execute(select(customers.c.id).where(customers.c.merged_into == customer_id))
    found.extend(r.id for r in rows)
    return found


async def gather(conn: AsyncConnection, ids: list[str]) -> Row:
    """Everything held on these customers, as stored."""

    async def rows(query: Select[Any]) -> list[Row]:
        return [dict(r._mapping) for r in await conn.execute(query)]

    convs = await rows(
        select(conversations)
        .where(conversations.c.customer_id.in_(ids))
        .order_by(conversations.c.created_at)
    )
    return {
        "customers": await rows(select(customers).where(customers.c.id.in_(ids))),
        "identifiers": await rows(
            select(identifiers.c.kind, identifiers.c.value, identifiers.c.verified)
            .where(identifiers.c.customer_id.in_(ids))
            .order_by(identifiers.c.id)
        ),
        "conversations": convs,
        "events": await rows(
            select(events)
            .where(events.c.conversation_id.in_([c["id"] for c in convs]))
            .order_by(events.c.conversation_id, events.c.seq)
        ),
        "contacts": await rows(
            select(contacts).where(contacts.c.customer_id.in_(ids)).order_by(contacts.c.created_at)
        ),
        "surveys": await rows(
            select(surveys).where(surveys.c.customer_id.in_(ids)).order_by(surveys.c.answered_at)
        ),
    }


async def file_keys(conn: AsyncConnection, ids: list[str]) -> list[str]:
    """The keys of the files attached in these customers' conversations (by anyone)."""
    rows = await conn.execute(
        select(events.c.data).where(
            events.c.type == "attachment",
            events.c.conversation_id.in_(
                select(conversations.c.id).where(conversations.c.customer_id.in_(ids))
            ),
        )
    )
    return [r.data["file"] for r in rows if isinstance((r.data or {}).get("file"), str)]


async def erase(conn: AsyncConnection, ids: list[str], now: float) -> list[str]:
    """Remove these customers' personal data; returns their conversations' ids."""
    conv_ids = [
        r.id
        for r in await conn.execute(
            select(conversations.c.id).where(conversations.c.customer_id.in_(ids))
        )
    ]
    await conn.execute(delete(identifiers).where(identifiers.c.customer_id.in_(ids)))
    await conn.execute(delete(visitor_tokens).where(visitor_tokens.c.customer_id.in_(ids)))
    await conn.execute(
        update(customers).where(customers.c.id.in_(ids)).values(name=None, page=None, erased_at=now)
    )
    timeline = await conn.execute(
        select(events.c.conversation_id, events.c.seq, events.c.data, events.c.author_role).where(
            events.c.conversation_id.in_(conv_ids)
        )
    )
    for row in timeline.all():
        values: dict[str, Any] = {"data": redact(row.data or {})}
        if row.author_role == "customer":
            values["author_name"] = None
        await conn.execute(
            update(events)
            .where(events.c.conversation_id == row.conversation_id, events.c.seq == row.seq)
            .values(**values)
        )
    await conn.execute(update(contacts).where(contacts.c.customer_id.in_(ids)).values(phone=None))
    await conn.execute(
        update(surveys)
        .where(
            or_(
                surveys.c.customer_id.in_(ids),
                surveys.c.contact_id.in_(
                    select(contacts.c.id).where(contacts.c.customer_id.in_(ids))
                ),
            )
        )
        .values(comment=None, phone=None)
    )
    await search.forget(conn, conv_ids)
    return conv_ids
