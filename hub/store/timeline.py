"""The timeline: appending events, the one place a ``seq`` is assigned, and reading them back.

Every conversation's events are numbered 1, 2, 3... by ``conversations.last_seq``; a seq is
never reused. :func:`take_seqs` is the only code that advances it: the writer's group commit,
single appends inside an action's transaction and the move of a merged visitor's history all
go through it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.store.schema import conversations, events

Row = dict[str, Any]


@dataclass
class NewEvent:
    """One event to append. A ``client_key`` makes the append idempotent (a retried send)."""

    conversation_id: str
    type: str
    data: Mapping[str, Any]
    now: float
    author: Mapping[str, Any] | None = None
    visibility: str = "all"
    client_key: str | None = None


async def take_seqs(conn: AsyncConnection, conversation_id: str, count: int, now: float) -> int:
    """Reserve ``count`` seqs of the conversation; returns the first one."""
    last = (
        await conn.execute(
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(last_seq=conversations.c.last_seq + count, updated_at=now)
            .returning(conversations.c.last_seq)
        )
    ).scalar_one()
    return int(last) - count + 1


async def append(conn: AsyncConnection, batch: list[NewEvent]) -> list[tuple[Row, bool]]:
    """Append a batch in a few statements: find retries, take seqs per conversation, insert.

    Returns each event as stored and whether it is new; a repeated ``client_key`` returns the
    event first stored under it, so a retried send is acknowledged with the same ``seq``.
    """
    keyed = [item for item in batch if item.client_key is not None]
    existing: dict[tuple[str, str], Row] = {}
    if keyed:
        # Both columns of the unique index (conversation_id, client_key): point lookups, never
        # a scan of the timeline. The pairs found are a superset; only exact pairs count below.
        rows = await conn.execute(
            select(events).where(
                events.c.conversation_id.in_({i.conversation_id for i in keyed}),
                events.c.client_key.in_({i.client_key for i in keyed}),
            )
        )
        for r in rows:
            existing[(r.conversation_id, r.client_key)] = dict(r._mapping)

    fresh: dict[tuple[str, str], Row] = {}
    per_conversation: dict[str, list[Row]] = defaultdict(list)
    results: list[tuple[Row, bool] | None] = []
    for n, item in enumerate(batch):
        # An append without a client key is its own; the index only keeps the batch apart.
        key = (item.conversation_id, item.client_key or f"\0{n}")
        if key in existing:
            results.append((existing[key], False))
            continue
        if key in fresh:  # the same send twice in one batch
            results.append(None)
            continue
        row: Row = {
            "conversation_id": item.conversation_id,
            "seq": 0,
            "type": item.type,
            "ts": item.now,
            "author_role": item.author["role"] if item.author else None,
            "author_id": item.author["id"] if item.author else None,
            "author_name": item.author.get("name") if item.author else None,
            "data": dict(item.data),
            "visibility": item.visibility,
            "client_key": item.client_key,
        }
        fresh[key] = row
        per_conversation[item.conversation_id].append(row)
        results.append((row, True))

    for conversation_id, new_rows in per_conversation.items():
        first = await take_seqs(
            conn, conversation_id, len(new_rows), max(r["ts"] for r in new_rows)
        )
        for offset, row in enumerate(new_rows):
            row["seq"] = first + offset
    if fresh:
        # A concurrent send with the same client_key fails here on the unique constraint; the
        # caller retries its transaction and then finds the stored event.
        await conn.execute(insert(events), list(fresh.values()))
    out: list[tuple[Row, bool]] = []
    for n, (item, result) in enumerate(zip(batch, results, strict=True)):
        key = (item.conversation_id, item.client_key or f"\0{n}")
        out.append(result if result is not None else (fresh[key], False))
    return out


async def append_event(
    conn: AsyncConnection,
    *,
    conversation_id: str,
    type: str,
    data: Mapping[str, Any],
    now: float,
    author: Mapping[str, Any] | None = None,
    visibility: str = "all",
    client_key: str | None = None,
) -> tuple[Row, bool]:
    """Append one event inside the caller's transaction; returns it and whether it is new."""
    item = NewEvent(conversation_id, type, data, now, author, visibility, client_key)
    (result,) = await append(conn, [item])
    return result


def event_payload(row: Mapping[str, Any]) -> Row:
    """The wire form of a timeline event (docs/protocol.md, ``event``)."""
    out: Row = {
        "conversation_id": row["conversation_id"],
        "seq": row["seq"],
        "type": row["type"],
        "ts": row["ts"],
        "data": row["data"],
    }
    if row["author_role"] is not None:
        out["author"] = {
            "role": row["author_role"],
            "id": row["author_id"],
            "name": row["author_name"],
        }
    if row.get("visibility", "all") != "all":
        out["visibility"] = row["visibility"]
    return out


async def list_events(
    conn: AsyncConnection,
    conversation_id: str,
    after_seq: int,
    *,
    include_private: bool,
    limit: int = 1000,
) -> list[Row]:
    query = select(events).where(
        events.c.conversation_id == conversation_id, events.c.seq > after_seq
    )
    if not include_private:
        query = query.where(events.c.visibility == "all")
    rows = await conn.execute(query.order_by(events.c.seq).limit(limit))
    return [event_payload(dict(r._mapping)) for r in rows]


async def move_conversation_events(
    conn: AsyncConnection, source_id: str, target_id: str, now: float
) -> int:
    """Append every event of ``source_id`` to ``target_id`` with new seqs, in their order.

    Seqs are never reused within a conversation, so moved events get fresh ones after the
    target's last; each keeps its original time stamp and author.
    """
    rows = [
        dict(r._mapping)
        for r in await conn.execute(
            select(events).where(events.c.conversation_id == source_id).order_by(events.c.seq)
        )
    ]
    if not rows:
        return 0
    first = await take_seqs(conn, target_id, len(rows), now)
    await conn.execute(events.delete().where(events.c.conversation_id == source_id))
    for offset, row in enumerate(rows):
        row["conversation_id"] = target_id
        row["seq"] = first + offset
    await conn.execute(insert(events), rows)
    return len(rows)
