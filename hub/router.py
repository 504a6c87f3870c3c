"""The router: the one loop that runs the routing engine when something it waits for is due.

Actions change the engine's inputs and step it themselves (an offer must not wait for a task
switch); the router wakes at the engine's next deadline (an offer that expires, a disconnected
agent's grace, a callback's time) and hands what became due to :mod:`hub.actions.perform`. It
reads one injectable clock, so a test moves time instead of sleeping. It never touches the store
itself; it also wakes when an agent socket's token expires, or when it is time to look for
revoked tokens, and has :func:`hub.actions.agents.check_sessions` end those sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from hub.actions import agents, perform
from hub.actions.context import Hub

log = logging.getLogger(__name__)

# How long shutdown waits for the step under way before it cancels it.
DRAIN_S = 5.0


class Router:
    """``routing=False`` (``HUB_ROUTER=off``, a cluster's other nodes) keeps only the agents'
    sockets' deadlines: the engine is neither restored from the store nor stepped here, so
    two nodes never offer the same waiting contacts (docs/cluster.md)."""

    def __init__(self, hub: Hub, *, routing: bool = True) -> None:
        self.hub = hub
        self.routing = routing
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        if self.routing:
            await perform.restore(self.hub)
        self._task = asyncio.create_task(self._run(), name="router")

    async def stop(self) -> None:
        """Finish the step under way, then stop.

        The loop is asked to stop rather than cancelled: a cancel inside a step would land in
        the middle of a transaction.
        """
        self._stopping = True
        self.hub.wake_router()
        if self._task is None:
            return
        _done, late = await asyncio.wait({self._task}, timeout=DRAIN_S)
        for task in late:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        hub, live = self.hub, self.hub.live
        while not self._stopping:
            deadline = live.engine.next_deadline(hub.clock()) if self.routing else None
            # The agents' sockets have deadlines too: a token that expires, the next look for
            # tokens revoked by another process.
            sessions_due = agents.sessions_due(hub)
            if sessions_due is not None and (deadline is None or sessions_due < deadline):
                deadline = sessions_due
            live.wakes_at = deadline
            # Wake early when something changed; otherwise at the next deadline.
            await hub.clock.wait(live.wake, deadline)
            live.wake.clear()
            if self._stopping:
                return
            try:
                if self.routing:
                    await perform.step(hub)
                await agents.check_sessions(hub)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("routing step failed; retrying in a second")
                await hub.clock.wait(asyncio.Event(), hub.clock() + 1.0)
