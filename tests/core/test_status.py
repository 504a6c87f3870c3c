"""The time an agent spends in each status today (hub.core.status)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hub.core.status import StatusDay, day_start, replay

UTC = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")


def ts(text: str, zone: ZoneInfo = UTC) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=zone).timestamp()


def test_the_day_starts_at_midnight_in_the_zone() -> None:
    assert day_start(ts("2027-01-15 08:00"), UTC) == ts("2027-01-15 00:00")
    # 00:30 in Paris is still the evening before in UTC.
    assert day_start(ts("2027-01-15 00:30", PARIS), PARIS) == ts("2027-01-15 00:00", PARIS)
    # The day of a clock change is 23 hours long; it still starts at midnight.
    assert day_start(ts("2027-03-28 12:00", PARIS), PARIS) == ts("2027-03-28 00:00", PARIS)


def test_each_change_closes_the_period_before_it() -> None:
    day = StatusDay()
    day.change("away", ts("2027-01-15 09:00"), UTC)
    day.change("available", ts("2027-01-15 09:01"), UTC)
    day.change("break", ts("2027-01-15 11:01"), UTC, reason="lunch")
    view = day.view()
    assert view["status_since"] == ts("2027-01-15 11:01") and view["status_reason"] == "lunch"
    assert view["today"] == {
        "since": ts("2027-01-15 00:00"),
        "seconds": {"available": 7200.0, "away": 60.0, "break": 0.0, "offline": 0.0},
    }


def test_a_status_across_midnight_counts_only_from_midnight() -> None:
    day = StatusDay()
    day.change("available", ts("2027-01-14 23:00"), UTC)
    day.change("offline", ts("2027-01-15 01:00"), UTC)
    assert day.day == ts("2027-01-15 00:00")
    assert day.seconds["available"] == 3600.0
    # A day with no change since yesterday starts from zero at its midnight.
    day.roll(ts("2027-01-16 08:00"), UTC)
    assert day.seconds == {"available": 0.0, "away": 0.0, "break": 0.0, "offline": 0.0}


def test_a_day_is_rebuilt_from_its_changes() -> None:
    changes = [
        (ts("2027-01-14 22:00"), "away", None),  # yesterday's last: the status at midnight
        (ts("2027-01-15 08:00"), "available", None),
        (ts("2027-01-15 08:30"), "break", "coffee"),
    ]
    day = replay(changes, ts("2027-01-15 09:00"), UTC)  # type: ignore[arg-type]
    assert day.status == "break" and day.reason == "coffee"
    assert day.seconds["away"] == 8 * 3600.0 and day.seconds["available"] == 1800.0
