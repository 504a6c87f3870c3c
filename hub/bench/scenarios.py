"""The bench's scenario table (DESIGN §12): name → the coroutine that measures it.

Each scenario is a module of its own that shares :mod:`hub.bench.common` and never imports this
table back. The video scenario's module is imported when it runs: it loads aiortc and PyAV.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from hub.bench.chat import chat
from hub.bench.common import Context, Payload
from hub.bench.logins import logins
from hub.bench.memory import memory
from hub.bench.reports import reports
from hub.bench.routing import routing
from hub.bench.scale import scale
from hub.bench.soak import soak


async def video(ctx: Context) -> Payload:
    # aiortc and PyAV load only when the video scenario runs.
    from hub.bench.video import video as measure

    return await measure(ctx)


SCENARIOS: dict[str, Callable[[Context], Awaitable[Payload]]] = {
    "routing": routing,
    "chat": chat,
    "memory": memory,
    "video": video,
    "scale": scale,
    "soak": soak,
    "reports": reports,
    "logins": logins,
}

QUICK = ["routing", "chat", "memory", "video"]
"""What ``all`` runs: the scenarios of every change. ``scale`` and ``soak`` take many minutes
and ``reports`` seeds 100,000 contacts: they run when named, as does ``logins`` (a check of
issue 12's flood rather than a figure of every change)."""
