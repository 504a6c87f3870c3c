"""The arithmetic of reports (DESIGN §9, docs/reports.md): figures with nothing to measure
are ``None``, never 0, so that "no contact waited" is not read as "every contact waited 0 s".
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def pct(part: float, whole: float) -> float | None:
    """``part`` as a percentage of ``whole``; ``None`` when there is no whole."""
    if whole <= 0:
        return None
    return 100.0 * part / whole


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``p`` % of the values
    at or below it (so p90 of ten waits is the ninth smallest). ``None`` for no values."""
    if not 0 < p <= 100:
        raise ValueError("p must be above 0 and at most 100")
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(p / 100 * len(ordered) - 1e-9)
    return ordered[max(0, rank - 1)]


def service_level(handled_within: int, offered: int, short_abandons: int) -> float | None:
    """Handled within the threshold ÷ (offered − short abandons), in percent.

    A short abandon (the customer left within a few seconds) is neither a success nor a
    failure of the service: it leaves the denominator.
    """
    return pct(handled_within, offered - short_abandons)
