"""Group commit for timeline appends: concurrent sends share one transaction.

Every ``message.send`` must be durable before it is acknowledged. Committing each one alone
costs a transaction per message; under load the writer instead takes everything that queued up
while the previous batch was committing and stores it in one transaction with a handful of
statements. At low load a batch is a single append, so latency does not suffer.

A batch goes to the database in one hop on the writer's own connection
(:mod:`hub.store.appenders`), holding the process's write gate (:func:`hub.store.db.write_gate`)
so that no action's write transaction runs between its statements.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from hub.store.appenders import Appender
from hub.store.timeline import NewEvent

log = logging.getLogger(__name__)

# How long shutdown waits for work under way before it cancels it.
DRAIN_S = 5.0

MAX_BATCH = 256


@dataclass
class Append:
    """One queued append and the future its sender awaits."""

    event: NewEvent
    done: asyncio.Future[tuple[dict[str, Any], bool]] = field(repr=False)


class EventWriter:
    def __init__(
        self, appender: Appender, gate: contextlib.AbstractAsyncContextManager[Any]
    ) -> None:
        self.appender = appender
        self.gate = gate
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
        await self.appender.close()

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
        event = NewEvent(conversation_id, type, data, now, author, visibility, client_key)
        item = Append(event, asyncio.get_running_loop().create_future())
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
                results = await self._write([item.event for item in batch])
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

    async def _write(self, events: list[NewEvent]) -> list[tuple[dict[str, Any], bool]]:
        async with self.gate:
            # Shielded: a cancel must not leave the writer's connection inside a transaction
            # (the hop finishes, then the cancel is seen).
            return await asyncio.shield(self.appender.write(events))

    async def _single(self, item: Append) -> None:
        try:
            (result,) = await self._write([item.event])
        except Exception as exc:
            if not item.done.done():
                item.done.set_exception(exc)
        else:
            if not item.done.done():
                item.done.set_result(result)
