"""Opening the database: URL normalisation, SQLite pragmas, migrations on start."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"


def async_url(url: str) -> str:
    """Map the URLs people write (``sqlite:///hub.db``, ``postgresql://...``) to async drivers."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise SystemExit(f"unsupported database URL {url!r}: use sqlite:/// or postgresql://")


def create_engine(url: str) -> AsyncEngine:
    full = async_url(url)
    if full.startswith("sqlite"):
        # One connection: SQLite has a single writer anyway, and one connection never meets
        # "database is locked" between its own transactions. WAL keeps readers of other
        # processes (backups, the CLI) out of the way.
        engine = create_async_engine(full, pool_size=1, max_overflow=0, pool_timeout=30)
        _sqlite_events(engine)
        return engine
    return create_async_engine(full, pool_size=10, max_overflow=20, pool_pre_ping=True)


def create_read_engine(url: str, db: AsyncEngine) -> AsyncEngine:
    """The engine for long reads (the reports): on SQLite a pool of its own, read-only, so
    that a report never holds the one connection every message waits for; WAL lets its
    readers run beside the writer, each in its own thread, and the driver lets go of the GIL
    while SQLite works, so a report's queries run side by side on several cores. On
    PostgreSQL the hub's own pool (``db``) already does all of that."""
    full = async_url(url)
    if not full.startswith("sqlite"):
        return db
    engine = create_async_engine(full, pool_size=READERS, max_overflow=0, pool_timeout=30)
    _sqlite_events(engine)
    event.listen(engine.sync_engine, "connect", _read_only)
    return engine


# Connections of the read pool (SQLite): the queries one report runs at once.
READERS = 3


def _read_only(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA query_only=ON")
    cur.close()


def create_oneshot_engine(url: str) -> AsyncEngine:
    """An engine for short CLI commands: no pool kept open."""
    full = async_url(url)
    engine = create_async_engine(full, poolclass=NullPool)
    if full.startswith("sqlite"):
        _sqlite_events(engine)
    return engine


# The execution option that marks a transaction as one that writes (``writing``).
WRITES = "lifeline_writes"


def writing(engine: AsyncEngine) -> AsyncEngine:
    """The engine for transactions that write: on SQLite they take the write lock up front.

    A check-then-write action (a merge reads a conversation's events, then moves them) must
    never see another connection commit between its read and its write. ``BEGIN IMMEDIATE``
    makes SQLite give the transaction the database's write lock at its start; the writer's own
    connection (``hub.store.appenders``) does the same. On PostgreSQL the actions lock the rows
    they check (``SELECT ... FOR UPDATE``), so nothing changes there.
    """
    return engine.execution_options(**{WRITES: True})


def write_gate(url: str) -> contextlib.AbstractAsyncContextManager[Any]:
    """What a write transaction of this process holds while it runs.

    On SQLite, one lock for the writer and every action's write transaction: they would
    serialise on the database's write lock anyway, and waiting here costs nothing, while
    waiting in SQLite's busy handler sleeps in steps of milliseconds. On PostgreSQL nothing:
    row locks keep the writes apart there, and they may run side by side.
    """
    if make_url(url).get_backend_name() == "sqlite":
        return asyncio.Lock()
    return contextlib.nullcontext()


def _sqlite_events(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _sqlite_begin)


def _sqlite_begin(conn: Connection) -> None:
    # The driver's own BEGIN is off (``_sqlite_pragmas``); this one says which kind.
    writes = conn.get_execution_options().get(WRITES, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # The driver would begin a deferred transaction by itself before the first write;
    # ``_sqlite_begin`` begins every transaction instead, and writes take the lock up front.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a crash of the process (kill -9) with every committed
    # transaction; only a power cut can lose the last ones. See docs/ARCHITECTURE.md.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _upgrade(connection: Connection) -> None:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration; safe to run from several processes at once."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several hub processes may start together: one migrates, the others wait.
            await conn.execute(text("SELECT pg_advisory_xact_lock(724513001)"))
        await conn.run_sync(_upgrade)
