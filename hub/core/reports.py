"""The arithmetic of reports (DESIGN §9, docs/reports.md): figures with nothing to measure
are ``None``, never 0, so that "no contact waited" is not read as "every contact waited 0 s".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

CHANNELS = ("chat", "video", "callback")
# DESIGN §9: video 90 % answered within 15 s, chat 80 % within 30 s, callback 80 % within 300 s.
DEFAULT_SERVICE_LEVELS: dict[str, dict[str, float]] = {
    "video": {"target_pct": 90.0, "threshold_s": 15.0},
    "chat": {"target_pct": 80.0, "threshold_s": 30.0},
    "callback": {"target_pct": 80.0, "threshold_s": 300.0},
}


def parse_service_levels(raw: str) -> dict[str, dict[str, float]]:
    """``video=90/15,chat=80/30``: percent answered within seconds, per channel.

    ValueError names the first part that is not ``CHANNEL=PERCENT/SECONDS`` with a percent
    above 0 and below 100 and a number of seconds above 0 (at most a day).
    """
    out: dict[str, dict[str, float]] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        channel, eq, target = part.partition("=")
        pct_text, slash, seconds_text = target.partition("/")
        channel = channel.strip()
        if not eq or not slash or channel not in CHANNELS:
            raise ValueError(f"{part!r}: write CHANNEL=PERCENT/SECONDS, e.g. chat=80/30")
        try:
            target_pct, threshold_s = float(pct_text), float(seconds_text)
        except ValueError:
            raise ValueError(f"{part!r}: the percent and the seconds are numbers") from None
        if not 0 < target_pct < 100 or not 0 < threshold_s <= 86400:
            raise ValueError(f"{part!r}: a percent above 0 and below 100, seconds above 0")
        if channel in out:
            raise ValueError(f"{channel} is given twice")
        out[channel] = {"target_pct": target_pct, "threshold_s": threshold_s}
    if not out:
        raise ValueError("no service level given")
    return out


def service_levels(settings: Mapping[str, Any] | None) -> dict[str, dict[str, float]]:
    """A site's targets: those it set, the defaults for the rest."""
    own = (settings or {}).get("service_level") or {}
    return {c: {**DEFAULT_SERVICE_LEVELS[c], **(own.get(c) or {})} for c in CHANNELS}


def pct(part: float, whole: float) -> float | None:
    """``part`` as a percentage of ``whole``; ``None`` when there is no whole."""
    if whole <= 0:
        return None
    return 100.0 * part / whole


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``p`` % of the values
    at or below it (so p90 of ten waits is the ninth smallest). ``None`` for no values."""
    if not values:
        nearest_rank(0, p)  # still refuses a p out of range
        return None
    return sorted(values)[nearest_rank(len(values), p) - 1]


def nearest_rank(n: int, p: float) -> int:
    """The 1-based rank of the nearest-rank ``p`` percentile of ``n`` values: ⌈p/100 · n⌉,
    at least 1 (0 when there are no values). The database reads the value at this rank."""
    if not 0 < p <= 100:
        raise ValueError("p must be above 0 and at most 100")
    if n <= 0:
        return 0
    return max(1, math.ceil(p / 100 * n - 1e-9))


def service_level(handled_within: int, offered: int, short_abandons: int) -> float | None:
    """Handled within the threshold ÷ (offered − short abandons), in percent.

    A short abandon (the customer left within a few seconds) is neither a success nor a
    failure of the service: it leaves the denominator.
    """
    return pct(handled_within, offered - short_abandons)
