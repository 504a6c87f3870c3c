"""The timeline: appending events, the one place a ``seq`` is assigned, and reading them back.

Every conversation's events are numbered 1, 2, 3... by ``conversations.last_seq``; a seq is
never reused. :func:`take_seqs` is the only code that advances it: the writer's group commit,
single appends inside an action's transaction and the move of a merged visitor's history all
go through it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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


Key = tuple[str, str]


def _key(item: NewEvent, n: int) -> Key:
    # An append without a client key is its own; the index only keeps the batch apart.
    return (item.conversation_id, item.client_key or f"\0{n}")


def follow_moves(batch: list[NewEvent], moved_to: Mapping[str, str | None]) -> list[NewEvent]:
    """Point appends at the conversation each one's was merged into, if it was.

    ``moved_to`` has every conversation of the batch (its ``moved_to`` column); one that is
    missing does not exist, and its append fails rather than create a timeline of nothing.
    """
    out = []
    for item in batch:
        if item.conversation_id not in moved_to:
            raise LookupError(f"no conversation {item.conversation_id}")
        target = moved_to[item.conversation_id]
        out.append(item if target is None else replace(item, conversation_id=target))
    return out


@dataclass
class AppendPlan:
    """A batch of appends worked out against what is stored; the store only numbers and inserts.

    Both drivers (an action's transaction here, the writer's own connection in
    :mod:`hub.store.appenders`) run the same three steps: look up the batch's client keys,
    take seqs per conversation, insert what is fresh. Only the statements differ.
    """

    batch: list[NewEvent]
    existing: dict[Key, Row]
    fresh: dict[Key, Row] = field(default_factory=dict)
    per_conversation: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    # The position in the batch of the append that made each fresh row.
    origin: dict[Key, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for n, item in enumerate(self.batch):
            key = _key(item, n)
            if key in self.existing or key in self.fresh:  # a retry, or the same send twice
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
            self.fresh[key] = row
            self.origin[key] = n
            self.per_conversation[item.conversation_id].append(row)

    def seqs_wanted(self) -> list[tuple[str, int, float]]:
        """(conversation, how many seqs, the newest time stamp) for each one appended to."""
        return [
            (conversation_id, len(rows), max(r["ts"] for r in rows))
            for conversation_id, rows in self.per_conversation.items()
        ]

    def number(self, firsts: Mapping[str, int]) -> list[Row]:
        """Give the fresh rows their seqs from each conversation's first; returns them."""
        for conversation_id, rows in self.per_conversation.items():
            for offset, row in enumerate(rows):
                row["seq"] = firsts[conversation_id] + offset
        return list(self.fresh.values())

    def results(self) -> list[tuple[Row, bool]]:
        """Each append as stored and whether it is new; a repeat gets the first one's row."""
        out: list[tuple[Row, bool]] = []
        seen: set[Key] = set()
        for n, item in enumerate(self.batch):
            key = _key(item, n)
            if key in self.existing:
                out.append((self.existing[key], False))
            else:
                out.append((self.fresh[key], key not in seen))
                seen.add(key)
        return out


def keyed_lookup(batch: list[NewEvent]) -> tuple[set[str], set[str]]:
    """The conversations and client keys whose stored events a batch must look up.

    Both columns of the unique index (conversation_id, client_key): point lookups, never a
    scan of the timeline. The pairs found are a superset; only exact pairs count.
    """
    keyed = [item for item in batch if item.client_key is not None]
    return {i.conversation_id for i in keyed}, {i.client_key for i in keyed if i.client_key}


async def append(conn: AsyncConnection, batch: list[NewEvent]) -> list[tuple[Row, bool]]:
    """Append a batch in a few statements inside the caller's transaction.

    Returns each event as stored and whether it is new; a repeated ``client_key`` returns the
    event first stored under it, so a retried send is acknowledged with the same ``seq``.
    """
    moves = await conn.execute(
        select(conversations.c.id, conversations.c.moved_to).where(
            conversations.c.id.in_({i.conversation_id for i in batch})
        )
    )
    batch = follow_moves(batch, {r.id: r.moved_to for r in moves})
    existing: dict[Key, Row] = {}
    conversation_ids, client_keys = keyed_lookup(batch)
    if client_keys:
        rows = await conn.execute(
            select(events).where(
                events.c.conversation_id.in_(conversation_ids),
                events.c.client_key.in_(client_keys),
            )
        )
        for r in rows:
            existing[(r.conversation_id, r.client_key)] = dict(r._mapping)
    plan = AppendPlan(batch, existing)
    firsts = {
        conversation_id: await take_seqs(conn, conversation_id, count, ts)
        for conversation_id, count, ts in plan.seqs_wanted()
    }
    fresh = plan.number(firsts)
    if fresh:
        # A concurrent send with the same client_key fails here on the unique constraint; the
        # caller retries its transaction and then finds the stored event.
        await conn.execute(insert(events), fresh)
    return plan.results()


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
    target's last; each keeps its original time stamp and author. From now on an append to
    ``source_id`` lands in ``target_id`` (``moved_to``): a message sent to the old conversation
    while the merge ran is not left behind in a timeline nobody reads.

    Both rows are locked first, in id order: on PostgreSQL the writer's append to the source
    waits for this transaction and then sees ``moved_to``; on SQLite the transaction holds the
    database's write lock from its start (``hub.store.db``).
    """
    await conn.execute(
        select(conversations.c.id)
        .where(conversations.c.id.in_((source_id, target_id)))
        .order_by(conversations.c.id)
        .with_for_update()
    )
    await conn.execute(
        update(conversations)
        .where((conversations.c.id == source_id) | (conversations.c.moved_to == source_id))
        .values(moved_to=target_id)
    )
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
