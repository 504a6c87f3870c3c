"""The clients' receive API: callbacks and waiters on named events, and the tasks they own."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

Payload = dict[str, Any]
Callback = Callable[[Payload], Awaitable[None] | None]
Predicate = Callable[[Payload], bool]

BUFFER_SIZE = 1000  # unconsumed arrivals kept per event name for wait_for


def _matches(predicate: Predicate | None, item: Payload) -> bool:
    """A predicate that fails on an event of another shape (KeyError...) does not match it."""
    if predicate is None:
        return True
    try:
        return bool(predicate(item))
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        return False


class Receiver:
    """``on``, ``off`` and ``wait_for`` over what ``_dispatch`` is given, in arrival order.

    An async callback runs as a task this object owns; ``_cancel_tasks`` ends them all.
    """

    def __init__(self) -> None:
        self._callbacks: dict[str, list[Callback]] = defaultdict(list)
        self._buffers: dict[str, deque[Payload]] = defaultdict(lambda: deque(maxlen=BUFFER_SIZE))
        self._waiters: dict[str, list[tuple[Predicate | None, asyncio.Future[Payload]]]] = (
            defaultdict(list)
        )
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- owned tasks -----------------------------------------------------------------------------

    def _spawn(self, coro: Awaitable[Any], name: str) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("task %s failed", task.get_name(), exc_info=task.exception())

    async def _cancel_tasks(self) -> None:
        while self._tasks:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.difference_update(tasks)

    def _fail_waiters(self, error: Callable[[], BaseException]) -> None:
        """Raise ``error()`` in every pending ``wait_for`` (a fresh exception for each)."""
        for waiters in self._waiters.values():
            for _, fut in waiters:
                if not fut.done():
                    fut.set_exception(error())

    # -- receive API ----------------------------------------------------------------------------

    def on(self, event: str, callback: Callback) -> None:
        """Call ``callback(payload)`` (sync or async) for every ``event`` received."""
        self._callbacks[event].append(callback)

    def off(self, event: str, callback: Callback) -> None:
        """Stop calling ``callback`` for ``event`` (no error if it was not registered)."""
        with contextlib.suppress(ValueError):
            self._callbacks[event].remove(callback)

    def _dispatch(self, event: str, data: Payload) -> None:
        for callback in self._callbacks.get(event, ()):
            try:
                result = callback(data)
                if inspect.isawaitable(result):
                    self._spawn(result, f"hub-client-on-{event}")
            except Exception:
                log.exception("callback for %r failed", event)
        for i, (predicate, fut) in enumerate(self._waiters.get(event, ())):
            if not fut.done() and _matches(predicate, data):
                fut.set_result(data)
                del self._waiters[event][i]
                return  # consumed by that waiter
        self._buffers[event].append(data)

    async def wait_for(
        self,
        event: str,
        predicate: Predicate | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 (the API promised to tests and apps)
    ) -> Payload:
        """Return the first unconsumed ``event`` matching ``predicate``, waiting if need be.

        Events that arrived before the call count (up to the last BUFFER_SIZE of each name),
        so a test can send, then wait, without racing. Raises TimeoutError.
        """
        buffer = self._buffers[event]
        for item in buffer:
            if _matches(predicate, item):
                buffer.remove(item)
                return item
        fut: asyncio.Future[Payload] = asyncio.get_running_loop().create_future()
        entry = (predicate, fut)
        self._waiters[event].append(entry)
        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            raise TimeoutError(f"no {event!r} within {timeout} s") from None
        finally:
            if entry in self._waiters[event]:
                self._waiters[event].remove(entry)
