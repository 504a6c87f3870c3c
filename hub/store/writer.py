"""Group commit for timeline appends: concurrent sends share one transaction.

Every ``message.send`` must be durable before it is acknowledged. Committing each one alone
costs a transaction per message; under load the writer instead takes everything that queued up
while the previous batch was committing and stores it in one transaction with a handful of
statements. At low load a batch is a single append, so latency does not suffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.store.schema import conversations, events

log = logging.getLogger(__name__)

# How long shutdown waits for work under way before it cancels it.
DRAIN_S = 5.0

MAX_BATCH = 256


@dataclass
class Append:
    conversation_id: str
    type: str
    data: dict[str, Any]
    now: float
    author: dict[str, Any] | None
    visibility: str
    client_key: str
    done: asyncio.Future[tuple[dict[str, Any], bool]] = field(repr=False, init=False)


class EventWriter:
    def __init__(self, db: AsyncEngine) -> None:
        self.db = db
        # ``None`` in the queue asks the writer to stop once what came before it is written.
        self._queue: asyncio.Queue[Append | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="event-writer")

    async def stop(self) -> None:
        """Write what was queued, then stop.

        The writer is never cancelled inside a transaction: a cancel there abandons the
        driver's connection half-used, and the garbage collector finds it later.
        """
        self._stopping = True
        if self._task is not None:
            self._queue.put_nowait(None)
            done, _ = await asyncio.wait({self._task}, timeout=DRAIN_S)
            if not done:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item is not None and not item.done.done():
                item.done.set_exception(ConnectionError("the hub is shutting down"))

    async def append(
        self,
        *,
        conversation_id: str,
        type: str,
        data: dict[str, Any],
        now: float,
        author: dict[str, Any] | None,
        client_key: str,
        visibility: str = "all",
    ) -> tuple[dict[str, Any], bool]:
        """Store one event (once per ``client_key``); returns it and whether it is new."""
        if self._stopping:
            raise ConnectionError("the hub is shutting down")
        item = Append(conversation_id, type, data, now, author, visibility, client_key)
        item.done = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(item)
        return await item.done

    async def _run(self) -> None:
        stop = False
        while not stop:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stop = True
                    break
                batch.append(item)
            try:
                async with self.db.begin() as conn:
                    results = await append_batch(conn, batch)
            except asyncio.CancelledError:
                for item in batch:
                    if not item.done.done():
                        item.done.set_exception(ConnectionError("the hub is shutting down"))
                raise
            except Exception as exc:
                # One bad append must not fail the others: retry them one by one.
                if len(batch) > 1:
                    log.warning(
                        "batch of %d appends failed (%s); retrying one by one", len(batch), exc
                    )
                    for item in batch:
                        await self._single(item)
                    continue
                for item in batch:
                    if not item.done.done():
                        item.done.set_exception(exc)
                continue
            for item, result in zip(batch, results, strict=True):
                if not item.done.done():
                    item.done.set_result(result)

    async def _single(self, item: Append) -> None:
        try:
            async with self.db.begin() as conn:
                (result,) = await append_batch(conn, [item])
        except Exception as exc:
            if not item.done.done():
                item.done.set_exception(exc)
        else:
            if not item.done.done():
                item.done.set_result(result)


async def append_batch(
    conn: AsyncConnection, batch: list[Append]
) -> list[tuple[dict[str, Any], bool]]:
    """Append a batch in a few statements: find retries, take seqs per conversation, insert."""
    # Both columns of the unique index (conversation_id, client_key): point lookups, never a
    # scan of the timeline. The pairs found are a superset; only exact pairs count below.
    conversation_ids = {item.conversation_id for item in batch}
    keys = {item.client_key for item in batch}
    existing: dict[tuple[str, str], dict[str, Any]] = {}
    rows = await conn.execute(
        select(events).where(
            events.c.conversation_id.in_(conversation_ids), events.c.client_key.in_(keys)
        )
    )
    for r in rows:
        existing[(r.conversation_id, r.client_key)] = dict(r._mapping)

    fresh: dict[tuple[str, str], dict[str, Any]] = {}
    per_conversation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    results: list[tuple[dict[str, Any], bool] | None] = []
    for item in batch:
        key = (item.conversation_id, item.client_key)
        if key in existing:
            results.append((existing[key], False))
            continue
        if key in fresh:  # the same send twice in one batch
            results.append(None)
            continue
        row: dict[str, Any] = {
            "conversation_id": item.conversation_id,
            "seq": 0,
            "type": item.type,
            "ts": item.now,
            "author_role": item.author["role"] if item.author else None,
            "author_id": item.author["id"] if item.author else None,
            "author_name": item.author.get("name") if item.author else None,
            "data": item.data,
            "visibility": item.visibility,
            "client_key": item.client_key,
        }
        fresh[key] = row
        per_conversation[item.conversation_id].append(row)
        results.append((row, True))

    for conversation_id, new_rows in per_conversation.items():
        last = (
            await conn.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .values(
                    last_seq=conversations.c.last_seq + len(new_rows),
                    updated_at=max(r["ts"] for r in new_rows),
                )
                .returning(conversations.c.last_seq)
            )
        ).scalar_one()
        for offset, row in enumerate(new_rows):
            row["seq"] = last - len(new_rows) + 1 + offset
    if fresh:
        await conn.execute(insert(events), list(fresh.values()))
    out: list[tuple[dict[str, Any], bool]] = []
    for item, result in zip(batch, results, strict=True):
        out.append(
            result
            if result is not None
            else (fresh[(item.conversation_id, item.client_key)], False)
        )
    return out
