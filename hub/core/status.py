"""An agent's status over the day: when it last changed and the time spent in each one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from hub.core.model import PRESENCES, Presence

# A reason given with a status: free text or a code such as "lunch" or "missed_offers".
MAX_REASON_CHARS = 80


def day_start(now: float, zone: ZoneInfo) -> float:
    """The epoch seconds of the last midnight in ``zone`` at ``now``."""
    local = datetime.fromtimestamp(now, zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone)
    return midnight.timestamp()


def zero() -> dict[str, float]:
    return dict.fromkeys(PRESENCES, 0.0)


@dataclass
class StatusDay:
    """One agent's current status and the seconds spent in each status since ``day``.

    ``seconds`` counts the periods that ended (the current one runs from ``since``), so the
    view does not change while time passes: a console adds ``now - max(since, day)`` to the
    current status itself.
    """

    status: Presence = "offline"
    since: float | None = None  # None: no change seen yet (offline since before this hub)
    reason: str | None = None
    set_by: dict[str, str] | None = None  # {"id", "name"} of a supervisor who set it
    day: float = 0.0
    seconds: dict[str, float] = field(default_factory=zero)

    def change(
        self,
        status: Presence,
        at: float,
        zone: ZoneInfo,
        reason: str | None = None,
        set_by: dict[str, str] | None = None,
    ) -> None:
        """Close the current period at ``at`` and open one in ``status``."""
        self.roll(at, zone)
        if self.since is not None:
            self.seconds[self.status] += max(0.0, at - max(self.since, self.day))
        self.status, self.since, self.reason, self.set_by = status, at, reason, set_by

    def roll(self, now: float, zone: ZoneInfo) -> None:
        """A new day since the last look: its counts start at zero at midnight."""
        today = day_start(now, zone)
        if today != self.day:
            self.day = today
            self.seconds = zero()

    def view(self) -> dict[str, object]:
        return {
            "status_since": self.since,
            "status_reason": self.reason,
            "status_set_by": self.set_by,
            "today": {
                "since": self.day,
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            },
        }


def replay(
    changes: list[tuple[float, Presence, str | None]], now: float, zone: ZoneInfo
) -> StatusDay:
    """The day of an agent rebuilt from its stored changes (oldest first), at ``now``."""
    day = StatusDay()
    day.roll(now, zone)
    for at, status, reason in changes:
        if at < day.day:
            day.status, day.since, day.reason = status, at, reason
            continue
        day.change(status, at, zone, reason)
    return day
