"""Reports for supervisors (DESIGN §9, docs/reports.md): computed from stored facts only."""

from __future__ import annotations

from typing import Any

from hub import types
from hub.core.staffing import staffing
from hub.errors import Forbidden, Invalid


def check_supervisor(agent: dict[str, Any]) -> None:
    if agent["role"] not in ("supervisor", "admin"):
        raise Forbidden("reports are for supervisors and admins")


def staffing_forecast(agent: dict[str, Any], q: types.StaffingQuery) -> dict[str, Any]:
    """How many agents a forecast needs (Erlang C, ``hub.core.staffing``)."""
    check_supervisor(agent)
    return staffing_answer(q)


def staffing_answer(q: types.StaffingQuery) -> dict[str, Any]:
    try:
        answer = staffing(
            volume=q.volume,
            interval_s=q.interval_s,
            aht_s=q.aht_s,
            threshold_s=q.threshold_s,
            target_pct=q.target_pct,
            max_occupancy_pct=q.max_occupancy_pct,
            shrinkage_pct=q.shrinkage_pct,
            concurrency=q.concurrency,
        )
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    return answer.as_dict()
