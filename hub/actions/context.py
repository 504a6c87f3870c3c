"""What every action works with: one :class:`Hub` per process, made by ``hub.app.create_app``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.bus import Bus, InProcessBus
from hub.clock import Clock
from hub.config import Config
from hub.live import Live
from hub.metrics import Metrics
from hub.notify import Notify
from hub.store.db import writing
from hub.store.files import FileStore
from hub.store.writer import EventWriter

# The mark of a transaction that wrote a webhook delivery (on its connection's ``info``).
OUTBOX_WROTE = "lifeline_outbox_wrote"


@dataclass
class Hub:
    config: Config
    db: AsyncEngine
    writer: EventWriter
    live: Live
    notify: Notify
    metrics: Metrics
    clock: Clock
    # Held by every write transaction of this process and by the writer (hub.store.db).
    gate: AbstractAsyncContextManager[Any] = field(repr=False)
    # Long reads (the reports): on SQLite a read-only pool beside ``db``, else ``db`` itself.
    reads: AsyncEngine = field(repr=False)
    # Attachments' bytes (hub.store.files); None in a hub made without them.
    files: FileStore | None = field(default=None, repr=False)
    # Set when a committed transaction wrote a webhook delivery (hub.outbox waits on it).
    outbox_wake: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    # How events reach the sockets of the other nodes (cluster mode), and whether they answer.
    bus: Bus = field(default_factory=InProcessBus, repr=False)

    def __post_init__(self) -> None:
        self._writing = writing(self.db)

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that writes: it holds the write lock from its first statement.

        One that wrote a webhook delivery wakes the outbox's sender once it has committed
        (``hub.actions.webhooks.enqueue`` marks the connection).
        """
        async with self.gate, self._writing.begin() as conn:
            try:
                yield conn
            finally:
                wrote = conn.info.pop(OUTBOX_WROTE, False)
        if wrote:
            self.outbox_wake.set()

    def wake_router(self) -> None:
        """Ask the router to look at the engine again (something it waits for may be due)."""
        self.live.wake.set()
