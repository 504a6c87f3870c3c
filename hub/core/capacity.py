"""How much an agent can take: the one capacity rule, used by routing and by the estimates.

An agent has a capacity per channel. Chats share the agent (up to the chat capacity); a video
or a callback takes the agent whole, and nothing is added beside it. ``load`` is what the agent
holds now, with a count for every channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_CAPACITY: dict[str, int] = {"chat": 3, "video": 1, "callback": 1}


def slots(capacity: Mapping[str, int], load: Mapping[Any, int], channel: str) -> tuple[int, int]:
    """``(free, busy)`` serving slots of one agent on ``channel``, given what they hold now."""
    cap = capacity.get(channel, 0)
    if cap <= 0:
        return 0, 0
    whole = load["video"] + load["callback"]
    if channel == "chat":
        busy = cap if whole else min(load["chat"], cap)
    else:
        busy = cap if whole + load["chat"] else 0
    return cap - busy, busy


def fits(capacity: Mapping[str, int], load: Mapping[Any, int], channel: str) -> bool:
    """Whether the agent has room for one more contact of ``channel``: ``slots()[0] > 0``.

    Written out rather than through :func:`slots`: the engine asks this for every candidate
    agent of every waiting contact, and the property test holds the two to the same rule.
    """
    cap = capacity.get(channel, 0)
    if cap <= 0 or load["video"] or load["callback"]:
        return False
    if channel == "chat":
        return bool(load["chat"] < cap)
    return not load["chat"]
