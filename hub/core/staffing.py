"""How many agents a forecast needs: Erlang C, as DESIGN §9 and docs/reports.md define it.

Pure: numbers in, numbers out. The offered traffic is ``A = volume × AHT ÷ interval ÷
concurrency`` erlangs; the answer is the fewest agents ``N > A`` whose service level meets the
target and whose occupancy ``A ÷ N`` stays under the cap, with

* Erlang B by the stable recurrence ``B(0) = 1, B(n) = A·B(n−1) ÷ (n + A·B(n−1))`` (no
  factorials, no powers: exact enough at thousands of agents),
* P(wait) = Erlang C = ``N·B ÷ (N − A·(1 − B))``,
* service level ``1 − P(wait)·e^(−(N−A)·T ÷ AHT)``, ASA ``P(wait)·AHT ÷ (N−A)``,
* scheduled ``⌈N ÷ (1 − shrinkage)⌉``: the agents on the rota so that ``N`` are at their desks.

No library does this small sum in a way we would want to depend on, so it is written here,
checked against the reference case of DESIGN §9 and by property tests.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

# A forecast beyond this many agents is a mistake in the input, not a call centre.
MAX_AGENTS = 100_000


@dataclass(frozen=True)
class Staffing:
    traffic_erlangs: float
    agents: int
    scheduled: int
    service_level_pct: float | None
    p_wait: float | None
    asa_s: float | None
    occupancy_pct: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def erlang_b(agents: int, traffic: float) -> float:
    """The probability that a call finds all ``agents`` busy and is lost (Erlang B)."""
    if agents < 0 or traffic < 0:
        raise ValueError("agents and traffic must not be negative")
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def erlang_c(agents: int, traffic: float) -> float:
    """The probability that a contact waits at all (Erlang C); 1 when ``agents <= traffic``."""
    if agents <= traffic:
        return 1.0
    b = erlang_b(agents, traffic)
    return agents * b / (agents - traffic * (1 - b))


def service_level(agents: int, traffic: float, aht_s: float, threshold_s: float) -> float:
    """The share of contacts answered within ``threshold_s`` with ``agents`` at their desks."""
    if agents <= traffic:
        return 0.0
    return 1 - erlang_c(agents, traffic) * math.exp(-(agents - traffic) * threshold_s / aht_s)


def staffing(
    *,
    volume: float,
    interval_s: float,
    aht_s: float,
    threshold_s: float,
    target_pct: float,
    max_occupancy_pct: float = 85.0,
    shrinkage_pct: float = 30.0,
    concurrency: int = 1,
) -> Staffing:
    """The fewest agents meeting ``target_pct`` within ``threshold_s`` and the occupancy cap.

    ``ValueError`` for inputs that have no answer (a negative volume, a target of 100 %, a
    shrinkage of 100 %...). A volume of zero needs nobody: its figures are ``None``.
    """
    if volume < 0:
        raise ValueError("volume must not be negative")
    if interval_s <= 0 or aht_s <= 0:
        raise ValueError("interval_s and aht_s must be positive")
    if threshold_s < 0:
        raise ValueError("threshold_s must not be negative")
    if not 0 < target_pct < 100:
        raise ValueError("target_pct must be above 0 and below 100")
    if not 0 < max_occupancy_pct <= 100:
        raise ValueError("max_occupancy_pct must be above 0 and at most 100")
    if not 0 <= shrinkage_pct < 100:
        raise ValueError("shrinkage_pct must be at least 0 and below 100")
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    traffic = volume * aht_s / interval_s / concurrency
    if traffic == 0:
        return Staffing(0.0, 0, 0, None, None, None, None)
    # More agents than erlangs are needed: a traffic this large (or one that overflowed to
    # infinity) has no answer, and is refused before it is counted in whole agents.
    if not traffic < MAX_AGENTS:
        raise ValueError(f"more than {MAX_AGENTS} agents: check the volume and the interval")
    # Fewer agents than this are busier than the cap allows, or never catch up (N <= A).
    agents = max(math.floor(traffic) + 1, math.ceil(traffic * 100 / max_occupancy_pct - 1e-9))
    if agents > MAX_AGENTS:
        raise ValueError(f"more than {MAX_AGENTS} agents: check the volume and the interval")
    b = erlang_b(agents, traffic)
    while True:
        # Each further agent costs one step of the recurrence, not a new sum.
        p_wait = agents * b / (agents - traffic * (1 - b))
        level = 1 - p_wait * math.exp(-(agents - traffic) * threshold_s / aht_s)
        if level * 100 >= target_pct:
            break
        agents += 1
        if agents > MAX_AGENTS:
            raise ValueError(f"more than {MAX_AGENTS} agents: check the volume and the interval")
        b = traffic * b / (agents + traffic * b)
    occupancy = traffic / agents
    return Staffing(
        traffic_erlangs=traffic,
        agents=agents,
        # 14 ÷ 0.7 is 20.000000000000004 in floating point: a rounding error is not an agent.
        scheduled=math.ceil(agents / (1 - shrinkage_pct / 100) - 1e-9),
        service_level_pct=level * 100,
        p_wait=p_wait,
        asa_s=p_wait * aht_s / (agents - traffic),
        occupancy_pct=occupancy * 100,
    )
