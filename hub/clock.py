"""The one clock the router and actions read: the system's, or one a test moves by hand."""

from __future__ import annotations

import asyncio
import contextlib
import time


class SystemClock:
    """Wall-clock seconds since the epoch (what the store records)."""

    def __call__(self) -> float:
        return time.time()

    async def wait(self, wake: asyncio.Event, deadline: float | None) -> None:
        """Return when ``wake`` is set or the clock reaches ``deadline`` (None: no deadline)."""
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that arrives
        # as the event is set, and whoever stops the waiter would then wait for it forever.
        delay = None if deadline is None else max(0.0, deadline - self())
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await wake.wait()


class ManualClock:
    """Time that only moves when told to: tests advance it instead of sleeping.

    Whoever waits on this clock (the router) is woken by every :meth:`advance`, looks at the
    new time and does what became due, exactly as it would when a real timeout ran out.
    """

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self._waiters: set[asyncio.Event] = set()
        # Notified whenever a waiter starts waiting again.
        self._parked = asyncio.Condition()

    def __call__(self) -> float:
        return self.now

    async def parked(self, count: int = 1, *, settle_s: float = 10.0) -> None:
        """Return once ``count`` waiters are waiting (the router has started and is idle)."""
        async with asyncio.timeout(settle_s), self._parked:
            await self._parked.wait_for(lambda: len(self._waiters) >= count)

    async def advance(self, seconds: float, *, settle_s: float = 10.0) -> None:
        """Move time on, and return once every waiter has done what became due.

        A woken waiter (the router) runs its step (offers expire, graces end, callbacks come
        due), then waits again; this returns when all of them are waiting again, so a test
        can assert at once. ``settle_s`` of real time bounds that.
        """
        if seconds < 0:
            raise ValueError("time does not go backwards")
        self.now += seconds
        woken = list(self._waiters)
        for wake in woken:
            wake.set()
        async with asyncio.timeout(settle_s), self._parked:
            await self._parked.wait_for(
                lambda: all(not wake.is_set() and wake in self._waiters for wake in woken)
            )

    async def wait(self, wake: asyncio.Event, deadline: float | None) -> None:
        """Return when ``wake`` is set or :meth:`advance` reaches ``deadline``."""
        if deadline is not None and deadline <= self.now:
            return
        self._waiters.add(wake)
        async with self._parked:
            self._parked.notify_all()
        try:
            # Every advance wakes the waiter, which then looks at the new time: like a waiter
            # on the system clock woken early, it does what is due and waits again.
            await wake.wait()
        finally:
            self._waiters.discard(wake)


Clock = SystemClock | ManualClock
