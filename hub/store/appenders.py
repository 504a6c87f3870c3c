"""The writer's own connection: each batch of appends in one hop to the database.

Through SQLAlchemy's async engine a batch costs a thread hop (aiosqlite) or a round trip
(asyncpg) per statement: begin, look up client keys, take seqs, insert, commit. Here it is one:

* SQLite: a plain ``sqlite3`` connection on a thread of its own runs ``BEGIN IMMEDIATE``, the
  statements and ``COMMIT`` in one call from the event loop.
* PostgreSQL: one statement (data-modifying CTEs) on a dedicated asyncpg connection, committed
  by itself: one round trip per batch.

Both work out the batch with :class:`hub.store.timeline.AppendPlan`, as an action's own
append does; only the statements are written here, by hand, because SQLAlchemy's async layer is
exactly the cost being removed.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import asyncpg
from sqlalchemy.engine import make_url

from hub.store.timeline import AppendPlan, Key, NewEvent, Row, follow_moves, keyed_lookup

Results = list[tuple[Row, bool]]

COLUMNS = (
    "conversation_id",
    "seq",
    "type",
    "ts",
    "author_role",
    "author_id",
    "author_name",
    "data",
    "visibility",
    "client_key",
)


class Appender(Protocol):
    async def write(self, batch: list[NewEvent]) -> Results: ...

    async def close(self) -> None: ...


def open_appender(url: str) -> Appender:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise SystemExit("SQLite needs a file: the writer has a connection of its own")
        return SqliteAppender(parsed.database)
    return PostgresAppender(url)


def _stored(values: tuple[Any, ...]) -> Row:
    row = dict(zip(COLUMNS, values, strict=True))
    if isinstance(row["data"], str):
        row["data"] = json.loads(row["data"])
    return row


class SqliteAppender:
    """One ``sqlite3`` connection, used only from its own thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-writer")
        self._conn: sqlite3.Connection | None = None

    async def write(self, batch: list[NewEvent]) -> Results:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._write, batch)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=True)

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            # isolation_level=None: the statements below say where the transaction begins.
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
            # The same settings as the engine's connection (hub.store.db).
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
            self._conn = conn
        return self._conn

    def _write(self, batch: list[NewEvent]) -> Results:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            results = self._append(conn, batch)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return results

    @staticmethod
    def _append(conn: sqlite3.Connection, batch: list[NewEvent]) -> Results:
        ids = sorted({item.conversation_id for item in batch})
        moves = conn.execute(
            f"SELECT id, moved_to FROM conversations WHERE id IN ({_marks(ids)})", ids
        )
        batch = follow_moves(batch, dict(moves.fetchall()))
        existing: dict[Key, Row] = {}
        conversation_ids, client_keys = keyed_lookup(batch)
        if client_keys:
            cids, keys = sorted(conversation_ids), sorted(client_keys)
            found = conn.execute(
                f"SELECT {', '.join(COLUMNS)} FROM events WHERE conversation_id IN"
                f" ({_marks(cids)}) AND client_key IN ({_marks(keys)})",
                [*cids, *keys],
            )
            for values in found:
                row = _stored(values)
                existing[(row["conversation_id"], row["client_key"])] = row
        plan = AppendPlan(batch, existing)
        firsts = {}
        for conversation_id, count, ts in plan.seqs_wanted():
            (last,) = conn.execute(
                "UPDATE conversations SET last_seq = last_seq + ?, updated_at = ?"
                " WHERE id = ? RETURNING last_seq",
                (count, ts, conversation_id),
            ).fetchone()
            firsts[conversation_id] = last - count + 1
        fresh = plan.number(firsts)
        conn.executemany(
            f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({_marks(COLUMNS)})",
            [_values(row) for row in fresh],
        )
        return plan.results()


def _marks(items: Any) -> str:
    return ", ".join("?" for _ in items)


def _values(row: Row) -> tuple[Any, ...]:
    return tuple(json.dumps(row[c]) if c == "data" else row[c] for c in COLUMNS)


# One statement does the whole batch. $1..$9 are parallel arrays, one element per append in
# the batch's order (``n``). ``locked`` takes the conversations' row locks first and, under READ
# COMMITTED, returns their newest ``moved_to`` even when it had to wait for a merge to commit.
# ``bumped`` takes the seqs; ``inserted`` stores the fresh rows. The result is each fresh
# append's ``n`` and seq, and each retried one's stored row.
PG_APPEND = """
WITH input AS (
    SELECT * FROM unnest(
        $1::text[], $2::text[], $3::float8[], $4::text[], $5::text[], $6::text[],
        $7::text[], $8::text[], $9::text[]
    ) WITH ORDINALITY AS i(
        conversation_id, type, ts, author_role, author_id, author_name, data, visibility,
        client_key, n
    )
),
locked AS (
    SELECT c.id, c.moved_to FROM conversations c
    WHERE c.id IN (SELECT conversation_id FROM input UNION SELECT moved_to FROM conversations
                   WHERE id IN (SELECT conversation_id FROM input) AND moved_to IS NOT NULL)
    ORDER BY c.id FOR UPDATE
),
routed AS (
    SELECT i.n, coalesce(l.moved_to, i.conversation_id) AS conversation_id, i.type, i.ts,
           i.author_role, i.author_id, i.author_name, i.data, i.visibility, i.client_key
    FROM input i JOIN locked l ON l.id = i.conversation_id
),
existing AS (
    SELECT r.n, e.conversation_id, e.seq, e.type, e.ts, e.author_role, e.author_id,
           e.author_name, e.data::text AS data, e.visibility, e.client_key
    FROM routed r JOIN events e
      ON e.conversation_id = r.conversation_id AND e.client_key = r.client_key
),
fresh AS (
    SELECT DISTINCT ON (r.conversation_id, coalesce(r.client_key, '#' || r.n)) r.*
    FROM routed r WHERE r.n NOT IN (SELECT n FROM existing)
    ORDER BY r.conversation_id, coalesce(r.client_key, '#' || r.n), r.n
),
numbered AS (
    SELECT f.*, row_number() OVER (PARTITION BY f.conversation_id ORDER BY f.n) AS k,
           count(*) OVER (PARTITION BY f.conversation_id) AS total
    FROM fresh f
),
bumped AS (
    UPDATE conversations c
    SET last_seq = c.last_seq + w.total, updated_at = greatest(c.updated_at, w.ts)
    FROM (SELECT conversation_id, count(*) AS total, max(ts) AS ts
          FROM fresh GROUP BY conversation_id) w
    WHERE c.id = w.conversation_id
    RETURNING c.id, c.last_seq
),
inserted AS (
    INSERT INTO events (conversation_id, seq, type, ts, author_role, author_id, author_name,
                        data, visibility, client_key)
    SELECT m.conversation_id, b.last_seq - m.total + m.k, m.type, m.ts, m.author_role,
           m.author_id, m.author_name, m.data::json, m.visibility, m.client_key
    FROM numbered m JOIN bumped b ON b.id = m.conversation_id
    RETURNING 1
)
SELECT 'moved' AS kind, i.n, l.moved_to AS conversation_id, NULL::int AS seq, NULL AS type,
       NULL::float8 AS ts, NULL AS author_role, NULL AS author_id, NULL AS author_name,
       NULL AS data, NULL AS visibility, NULL AS client_key
FROM input i JOIN locked l ON l.id = i.conversation_id
UNION ALL
SELECT 'fresh', m.n, m.conversation_id, b.last_seq - m.total + m.k, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL
FROM numbered m JOIN bumped b ON b.id = m.conversation_id
UNION ALL
SELECT 'existing', x.n, x.conversation_id, x.seq, x.type, x.ts, x.author_role, x.author_id,
       x.author_name, x.data, x.visibility, x.client_key
FROM existing x
"""


class PostgresAppender:
    """A dedicated asyncpg connection; each batch is :data:`PG_APPEND`, its own transaction."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self._dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn: asyncpg.Connection | None = None
        self._opening = asyncio.Lock()

    async def _connection(self) -> asyncpg.Connection:
        async with self._opening:
            if self._conn is None or self._conn.is_closed():
                self._conn = await asyncpg.connect(self._dsn)
            return self._conn

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def write(self, batch: list[NewEvent]) -> Results:
        conn = await self._connection()
        columns: list[list[Any]] = [[] for _ in range(9)]
        for item in batch:
            author = item.author or {}
            for column, value in zip(
                columns,
                (
                    item.conversation_id,
                    item.type,
                    item.now,
                    author.get("role"),
                    author.get("id"),
                    author.get("name"),
                    json.dumps(dict(item.data)),
                    item.visibility,
                    item.client_key,
                ),
                strict=True,
            ):
                column.append(value)
        rows = await conn.fetch(PG_APPEND, *columns)
        moved: dict[str, str | None] = {}
        existing: dict[Key, Row] = {}
        seqs: dict[int, int] = {}
        for r in rows:
            n = int(r["n"]) - 1
            if r["kind"] == "moved":
                moved[batch[n].conversation_id] = r["conversation_id"]
            elif r["kind"] == "fresh":
                seqs[n] = r["seq"]
            else:
                row = _stored(tuple(r[c] for c in COLUMNS))
                existing[(row["conversation_id"], row["client_key"])] = row
        # The statement did the work; the plan, made the same way, says what each append got.
        plan = AppendPlan(follow_moves(batch, moved), existing)
        for key, row in plan.fresh.items():
            row["seq"] = seqs[plan.origin[key]]
        return plan.results()
