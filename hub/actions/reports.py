"""Reports for supervisors (DESIGN §9, docs/reports.md): computed from stored facts only."""

from __future__ import annotations

import asyncio
import hmac
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub import types
from hub.actions import andon
from hub.actions.context import Hub
from hub.core.reports import CHANNELS, pct, service_levels
from hub.core.reports import service_level as core_service_level
from hub.core.staffing import staffing
from hub.errors import Forbidden, Invalid, Unauthorized
from hub.store import queries
from hub.store import reports as store

T = TypeVar("T")


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


# The longest period one report covers: a year and a day.
MAX_PERIOD_S = 366 * 86400
DAY_S = 86400


async def period(
    db: AsyncEngine, now: float, q: types.ReportQuery
) -> tuple[dict[str, Any] | None, float, float]:
    """The site (None: all) and the period ``[start, end)`` a report covers; ``invalid`` if
    the site is unknown or the period is empty, backwards or longer than a year."""
    end = q.end if q.end is not None else now
    start = q.start if q.start is not None else end - DAY_S
    if start >= end:
        raise Invalid("from must be before to")
    if end - start > MAX_PERIOD_S:
        raise Invalid("a report covers at most 366 days")
    site = None
    if q.site is not None:
        async with db.connect() as conn:
            site = await queries.site_by_key(conn, q.site)
        if site is None:
            raise Invalid("site: no site with this key")
    return site, start, end


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


async def summary(hub: Hub, agent: dict[str, Any], q: types.ReportQuery) -> dict[str, Any]:
    """The period's figures per channel and for all (DESIGN §9; docs/reports.md)."""
    check_supervisor(agent)
    return await summary_of(hub.reads, hub.clock(), hub.config.short_abandon_s, q)


async def summary_of(
    db: AsyncEngine, now: float, short_abandon_s: float, q: types.ReportQuery
) -> dict[str, Any]:
    """The summary, from a database (the hub's reads, or the command line's).

    Its queries run side by side, each on a connection of its own: a figure may be read a
    moment after another, so a contact that ends while the report is read can already count
    in one and not yet in the next (the next report has it everywhere).
    """
    site, start, end = await period(db, now, q)
    site_id = site["id"] if site else None
    levels = service_levels(site["settings"] if site else None)
    thresholds = {ch: levels[ch]["threshold_s"] for ch in CHANNELS}
    span = store.Period(site_id, start, end)

    async def read(query: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        async with db.connect() as conn:
            return await query(conn)

    groups, (p90, first_frame), (n_orders, units), flags = await asyncio.gather(
        read(lambda conn: store.contact_counts(conn, span, thresholds, short_abandon_s)),
        read(lambda conn: store.ranks(conn, span)),
        read(lambda conn: store.order_totals(conn, span)),
        read(lambda conn: andon.flags_in(conn, site_id, start, end)),
    )
    counts, by_reason = store.add_up(groups)
    reasons = await read(lambda conn: store.top_reasons(conn, span, by_reason))
    sessions = _n(counts.get("video"), "handled")
    connected = _n(counts.get("video"), "media_connected")
    channels = {ch: _figures([counts.get(ch)], p90.get(ch), levels[ch]) for ch in CHANNELS}
    everything = _figures(list(counts.values()), p90.get("all"), None)
    cb = counts.get("callback")
    return {
        "site": site["key"] if site else None,
        "from": iso(start),
        "to": iso(end),
        "all": everything,
        "channels": channels,
        "top_reasons": reasons,
        "orders": n_orders,
        "units": units,
        "contacts_per_order": _ratio(everything["offered"], n_orders),
        "contacts_per_unit": _ratio(everything["offered"], units),
        "callbacks": {
            "requested": _n(cb, "offered"),
            "reached": _n(cb, "reached"),
            "attempts": _n(cb, "attempts"),
            "success_pct": pct(_n(cb, "reached"), _n(cb, "ended")),
        },
        "video": {
            "sessions": sessions,
            "media_connected_pct": pct(connected, sessions),
            "first_frame_p50_ms": first_frame,
        },
        "flags": flags,
    }


async def series(hub: Hub, agent: dict[str, Any], q: types.SeriesQuery) -> dict[str, Any]:
    """The period in buckets of an hour or a day, per channel and for all (docs/reports.md)."""
    check_supervisor(agent)
    return await series_of(hub.reads, hub.clock(), hub.config.short_abandon_s, q)


INTERVALS = {"hour": 3600.0, "day": 86400.0}
# The most buckets one series has: a month by the hour.
MAX_BUCKETS = 31 * 24


async def series_of(
    db: AsyncEngine, now: float, short_abandon_s: float, q: types.SeriesQuery
) -> dict[str, Any]:
    """The series, from a database. Buckets are ``interval`` long from ``from`` (the last one
    ends at ``to``), so a period that starts at local midnight has local hours and days; every
    bucket is there, an empty one with its counts at 0 and its ratios ``None``."""
    site, start, end = await period(db, now, q)
    step = INTERVALS[q.interval]
    n = math.ceil((end - start) / step)
    if n > MAX_BUCKETS:
        raise Invalid(f"interval: at most {MAX_BUCKETS} buckets in a series; ask by day")
    levels = service_levels(site["settings"] if site else None)
    thresholds = {ch: levels[ch]["threshold_s"] for ch in CHANNELS}
    span = store.Period(site["id"] if site else None, start, end)
    async with db.connect() as conn:
        rows = await store.series_counts(conn, span, step, thresholds, short_abandon_s)
    by_bucket: dict[int, dict[str, Any]] = {}
    for row in rows:
        by_bucket.setdefault(int(row["bucket"]), {})[row["channel"]] = row
    buckets = []
    for i in range(n):
        groups = by_bucket.get(i, {})
        buckets.append(
            {
                "from": iso(start + i * step),
                "to": iso(min(end, start + (i + 1) * step)),
                "all": _bucket_figures(list(groups.values())),
                "channels": {ch: _bucket_figures([groups.get(ch)]) for ch in CHANNELS},
            }
        )
    return {
        "site": site["key"] if site else None,
        "from": iso(start),
        "to": iso(end),
        "interval": q.interval,
        "buckets": buckets,
    }


def _bucket_figures(counts: list[Any]) -> dict[str, Any]:
    offered, handled = sum(_n(r, "offered") for r in counts), sum(_n(r, "handled") for r in counts)
    short = sum(_n(r, "short_abandoned") for r in counts)
    wait_sum = sum(float(r["wait_sum"] or 0) for r in counts if r is not None)
    return {
        "offered": offered,
        "handled": handled,
        "abandoned": sum(_n(r, "abandoned") for r in counts),
        "short_abandoned": short,
        "service_level_pct": core_service_level(
            sum(_n(r, "within") for r in counts), offered, short
        ),
        "asa_s": wait_sum / handled if handled else None,
    }


def _n(row: Any, key: str) -> int:
    return int(row[key] or 0) if row is not None else 0


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _figures(
    counts: list[Any],
    wait_p90_s: float | None,
    level: dict[str, float] | None,
) -> dict[str, Any]:
    """One channel's figures (``level``: its target), or all channels' (``level`` None: each
    contact is held to its own channel's threshold)."""
    offered, handled = sum(_n(r, "offered") for r in counts), sum(_n(r, "handled") for r in counts)
    short = sum(_n(r, "short_abandoned") for r in counts)
    wait_sum = sum(float(r["wait_sum"] or 0) for r in counts if r is not None)
    handle_sum = sum(float(r["handle_sum"] or 0) for r in counts if r is not None)
    handle_count = sum(_n(r, "handle_count") for r in counts)
    responses = sum(_n(r, "responses") for r in counts)
    effort_count = sum(_n(r, "effort_count") for r in counts)
    return {
        "offered": offered,
        "handled": handled,
        "abandoned": sum(_n(r, "abandoned") for r in counts),
        "short_abandoned": short,
        "service_level": {
            "threshold_s": level["threshold_s"] if level else None,
            "target_pct": level["target_pct"] if level else None,
            "value_pct": core_service_level(sum(_n(r, "within") for r in counts), offered, short),
        },
        "asa_s": wait_sum / handled if handled else None,
        "wait_p90_s": wait_p90_s,
        "offer_timeouts": sum(_n(r, "offer_timeouts") for r in counts),
        "aht_s": handle_sum / handle_count if handle_count else None,
        "fcr_pct": pct(sum(_n(r, "resolved") for r in counts), responses),
        "ces_avg": (
            sum(float(r["effort_sum"] or 0) for r in counts if r is not None) / effort_count
            if effort_count
            else None
        ),
        "survey_responses": responses,
    }


CSV_PAGE = 1000


async def contacts_csv(
    hub: Hub, agent: dict[str, Any], q: types.ReportQuery
) -> AsyncIterator[list[list[Any]]]:
    """The period's contacts, one CSV row each, in pages: the caller streams them out."""
    check_supervisor(agent)
    return await contacts_csv_of(hub.reads, hub.clock(), q)


async def contacts_csv_of(
    db: AsyncEngine, now: float, q: types.ReportQuery
) -> AsyncIterator[list[list[Any]]]:
    site, start, end = await period(db, now, q)
    span = store.Period(site["id"] if site else None, start, end)

    async def pages() -> AsyncIterator[list[list[Any]]]:
        yield [list(store.CSV_COLUMNS)]
        after: tuple[float, str] | None = None
        while True:
            # Each page starts after the last row of the one before (by enqueue time and id):
            # the index walks on, no row is skipped over again.
            async with db.connect() as conn:
                rows = (await conn.execute(store.contact_rows(span, after).limit(CSV_PAGE))).all()
            if not rows:
                return
            yield [_csv_row(row) for row in rows]
            after = (rows[-1].enqueued_at, rows[-1].id)

    return pages()


def _csv_row(row: Any) -> list[Any]:
    def when(ts: float | None) -> str:
        return iso(ts) if ts is not None else ""

    def number(x: float | None) -> str:
        return f"{x:.3f}" if x is not None else ""

    def flag(x: bool | None) -> str:
        return "" if x is None else ("yes" if x else "no")

    return [
        row.id,
        row.site,
        row.channel,
        row.customer_id,
        when(row.enqueued_at),
        when(row.first_assigned_at),
        when(row.ended_at),
        number(row.wait_s),
        number(row.handle_s),
        row.agent or "",
        row.end_reason or "",
        row.reason or "",
        row.product or "",
        flag(row.resolved),
        flag(row.survey_resolved),
        "" if row.effort is None else row.effort,
        row.comment or "",
    ]


# the shop's orders


async def shop_site(hub: Hub, key: str, secret: str) -> dict[str, Any]:
    """The site whose key and secret these are (HTTP Basic on the shop API), or 401."""
    async with hub.db.connect() as conn:
        known_shape = len(key) <= 64 and "\0" not in key
        site = await queries.site_by_key(conn, key) if known_shape else None
    # Compared in constant time, and the same answer for an unknown key as for a wrong secret.
    expected = site["secret"] if site is not None else "\0" * 32
    if not hmac.compare_digest(expected.encode(), secret.encode()) or site is None:
        raise Unauthorized("wrong site key or secret")
    return site


async def record_orders(hub: Hub, site: dict[str, Any], p: types.Orders) -> dict[str, Any]:
    """Store the shop's orders once each (by order id): contacts per order and per unit.

    A call sent again is answered, not refused: its orders come back as duplicates, so a
    shop retries a call it did not hear the answer of without counting anything twice.
    """
    now = hub.clock()
    seen: set[str] = set()
    for order in p.orders:
        if order.id in seen:
            raise Invalid(f"orders: order {order.id!r} is given twice")
        seen.add(order.id)
    async with hub.tx() as conn:
        known = await queries.known_orders(conn, site["id"], sorted(seen))
        new = [o for o in p.orders if o.id not in known]
        await queries.add_orders(
            conn,
            [
                {
                    "site_id": site["id"],
                    "order_id": o.id,
                    "units": o.units,
                    "user_id": o.user_id,
                    "ordered_at": o.ts,
                    "received_at": now,
                }
                for o in new
            ],
        )
    return {"ok": True, "accepted": len(new), "duplicates": len(p.orders) - len(new)}
