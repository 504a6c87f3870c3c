"""The clock a test can move: waiters wake at every move and have finished when it returns."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from hub.clock import ManualClock, SystemClock


async def test_advance_returns_once_the_waiter_has_done_what_became_due() -> None:
    clock = ManualClock(start=100.0)
    wake = asyncio.Event()
    done: list[float] = []

    async def waiter() -> None:  # the router's loop, in small
        deadline = 130.0
        while True:
            await clock.wait(wake, deadline)
            wake.clear()
            if clock() >= deadline:
                await asyncio.sleep(0.01)  # a step that awaits (a transaction)
                done.append(clock())
                deadline = clock() + 30.0

    task = asyncio.create_task(waiter())
    try:
        await clock.parked()  # the waiter is idle before anything is due
        await clock.advance(29.0)
        assert done == []
        await clock.advance(1.0)
        assert done == [130.0]
        await clock.advance(30.0)
        assert done == [130.0, 160.0]
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_time_does_not_go_backwards() -> None:
    with pytest.raises(ValueError):
        await ManualClock().advance(-1.0)


async def test_the_system_clock_waits_until_the_deadline_or_a_wake() -> None:
    clock = SystemClock()
    wake = asyncio.Event()
    wake.set()
    await asyncio.wait_for(clock.wait(wake, None), 1.0)  # woken: returns at once
    await asyncio.wait_for(clock.wait(asyncio.Event(), clock() + 0.01), 1.0)
