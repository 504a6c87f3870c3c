"""How long a waiting customer will wait: queue maths on serving slots and handle times."""

from __future__ import annotations

import math
from collections.abc import Sequence

# Until real handle times are known, estimates start from these (seconds).
DEFAULT_HANDLE_S: dict[str, float] = {"chat": 240.0, "video": 300.0, "callback": 300.0}
# Estimates follow the last this many handle times of a channel.
HANDLE_WINDOW = 50


def average_handle_s(channel: str, recent: Sequence[float]) -> float:
    if not recent:
        return DEFAULT_HANDLE_S.get(channel, 240.0)
    return sum(recent) / len(recent)


def estimate_wait_s(
    position: int, free_servers: int, busy_servers: int, avg_handle_s: float
) -> float:
    """Expected wait in seconds for the customer at ``position`` (1-based) in line.

    Servers are serving slots (an agent with chat capacity 3 counts as 3). The first
    ``free_servers`` positions are served at once, so they wait 0. Every other customer waits for
    the ``position - free_servers`` customers up to and including them to be absorbed by all the
    slots, each slot freeing once per ``avg_handle_s``::

        wait = max(0, position - free_servers) / (free_servers + busy_servers) * avg_handle_s

    With no slot at all the wait is unbounded: ``math.inf`` (the caller says "nobody online").
    """
    ahead = position - free_servers
    if ahead <= 0:
        return 0.0
    servers = free_servers + busy_servers
    if servers <= 0:
        return math.inf
    return ahead / servers * max(avg_handle_s, 0.0)


def wire_wait_s(wait: float) -> int | None:
    """The estimate as the protocol sends it: whole seconds, ``None`` when nobody can serve."""
    return None if math.isinf(wait) else round(wait)
