"""The reports' queries: aggregates over indexed facts, computed by the database.

Every figure of ``GET /api/v1/reports/summary`` is a handful of aggregate queries over the
contacts enqueued in the period (``ix_contacts_site_enqueued``), joined to their log, survey
answers and the shop's orders: nothing loads the period's rows into Python, so a day of
100,000 contacts costs what the database's scans cost. Percentiles are read with one ordered
``LIMIT 1 OFFSET k`` query each, which both SQLite and PostgreSQL run from the same SQL. The
definitions are in docs/reports.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from hub.store.schema import contacts, orders, surveys

c = contacts
# The ends that are abandons when nobody had taken the contact yet.
ABANDONS = ("cancelled", "abandoned")


def in_period(site_id: str | None, start: float, end: float) -> ColumnElement[bool]:
    where = and_(c.c.enqueued_at >= start, c.c.enqueued_at < end)
    if site_id is not None:
        where = and_(c.c.site_id == site_id, where)
    return where


def wait_s() -> ColumnElement[float]:
    """First taken − came due: a callback booked for later waits from its booked time, and a
    callback tried again keeps its first due time (the retries are its own waits)."""
    return c.c.first_assigned_at - func.coalesce(c.c.due_at, c.c.enqueued_at)


def _handled() -> ColumnElement[bool]:
    return c.c.first_assigned_at.is_not(None)


def _abandoned() -> ColumnElement[bool]:
    return and_(c.c.first_assigned_at.is_(None), c.c.end_reason.in_(ABANDONS))


COUNTED = (
    "offered",
    "handled",
    "abandoned",
    "short_abandoned",
    "within",
    "wait_sum",
    "handle_sum",
    "handle_count",
    "responses",
    "resolved",
    "effort_sum",
    "effort_count",
    "reached",
    "ended",
    "attempts",
    "offer_timeouts",
    "media_connected",
)


async def counts(
    conn: AsyncConnection,
    where: ColumnElement[bool],
    thresholds: Mapping[str, float],
    short_abandon_s: float,
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Per channel and per wrap-up reason, in one pass over the period's contacts and their
    survey answers: offered, handled, abandoned, short abandons, handled within the channel's
    threshold, the sums of waits and handle times, survey answers and efforts, callbacks'
    outcomes. Grouped by (channel, reason) in the database, a few dozen rows at most, added
    up here both ways."""
    within = or_(
        *(
            and_(c.c.channel == channel, wait_s() <= threshold)
            for channel, threshold in thresholds.items()
        )
    )
    handle = c.c.ended_at - c.c.assigned_at
    ended_handled = and_(_handled(), c.c.ended_at.is_not(None), c.c.assigned_at.is_not(None))
    one = literal(1)
    query = (
        select(
            c.c.channel,
            c.c.reason,
            func.count().label("offered"),
            func.count(case((_handled(), one))).label("handled"),
            func.count(case((_abandoned(), one))).label("abandoned"),
            func.count(
                case((and_(_abandoned(), c.c.ended_at - c.c.enqueued_at < short_abandon_s), one))
            ).label("short_abandoned"),
            func.count(case((and_(_handled(), within), one))).label("within"),
            func.sum(case((_handled(), wait_s()))).label("wait_sum"),
            func.sum(case((ended_handled, handle))).label("handle_sum"),
            func.count(case((ended_handled, one))).label("handle_count"),
            func.count(surveys.c.contact_id).label("responses"),
            func.count(case((surveys.c.resolved.is_(True), one))).label("resolved"),
            func.sum(surveys.c.effort).label("effort_sum"),
            func.count(surveys.c.effort).label("effort_count"),
            func.count(case((c.c.end_reason == "reached", one))).label("reached"),
            func.count(case((c.c.state == "ended", one))).label("ended"),
            func.coalesce(func.sum(c.c.attempts), 0).label("attempts"),
            func.coalesce(func.sum(c.c.offer_timeouts), 0).label("offer_timeouts"),
            func.count(case((and_(_handled(), c.c.media_connected_at.is_not(None)), one))).label(
                "media_connected"
            ),
        )
        .select_from(c.outerjoin(surveys, surveys.c.contact_id == c.c.id))
        .where(where)
        .group_by(c.c.channel, c.c.reason)
    )
    by_channel: dict[str, dict[str, float]] = {}
    by_reason: dict[str, dict[str, float]] = {}
    for row in (await conn.execute(query)).mappings():
        groups = [by_channel.setdefault(row["channel"], dict.fromkeys(COUNTED, 0.0))]
        if row["reason"] is not None:
            groups.append(by_reason.setdefault(row["reason"], dict.fromkeys(COUNTED, 0.0)))
        for group in groups:
            for key in COUNTED:
                group[key] += float(row[key] or 0)
    return by_channel, by_reason


async def ranks(
    conn: AsyncConnection, where: ColumnElement[bool]
) -> tuple[dict[str, float], float | None]:
    """The nearest-rank p90 wait per channel and for all (key ``"all"``), and the median
    time from a video's first acceptance to its first frame (ms), in one pass over the
    period's handled contacts: each figure is a window ranking, read at its rank."""
    frame_ms = (c.c.first_frame_at - c.c.first_assigned_at) * 1000
    framed = c.c.first_frame_at.is_not(None)
    ranked = (
        select(
            c.c.channel,
            wait_s().label("wait"),
            frame_ms.label("frame_ms"),
            framed.label("framed"),
            func.row_number().over(partition_by=c.c.channel, order_by=wait_s()).label("rc"),
            func.count().over(partition_by=c.c.channel).label("nc"),
            func.row_number().over(order_by=wait_s()).label("ra"),
            func.count().over().label("na"),
            func.row_number()
            .over(partition_by=[c.c.channel, framed], order_by=frame_ms)
            .label("rf"),
            func.count().over(partition_by=[c.c.channel, framed]).label("nf"),
        )
        .where(where, _handled())
        .subquery()
    )
    r = ranked.c

    def at(rank: Any, n: Any, tenths: int) -> ColumnElement[bool]:
        # The smallest rank with tenths/10 of the values at or below it: ⌈tenths/10 · n⌉.
        return and_(rank * 10 >= n * tenths, (rank - 1) * 10 < n * tenths)

    is_channel_p90 = at(r.rc, r.nc, 9)
    is_all_p90 = at(r.ra, r.na, 9)
    is_median_frame = and_(r.channel == "video", r.framed, at(r.rf, r.nf, 5))
    p90: dict[str, float] = {}
    median = None
    rows = await conn.execute(
        select(
            r.channel,
            r.wait,
            r.frame_ms,
            is_channel_p90.label("channel_p90"),
            is_all_p90.label("all_p90"),
            is_median_frame.label("median_frame"),
        ).where(or_(is_channel_p90, is_all_p90, is_median_frame))
    )
    for row in rows.mappings():
        if row["channel_p90"]:
            p90[row["channel"]] = float(row["wait"])
        if row["all_p90"]:
            p90["all"] = float(row["wait"])
        if row["median_frame"]:
            median = float(row["frame_ms"])
    return p90, median


async def top_reasons(
    conn: AsyncConnection,
    where: ColumnElement[bool],
    by_reason: Mapping[str, Mapping[str, float]],
    limit: int = 10,
    comments: int = 3,
) -> list[dict[str, Any]]:
    """The period's wrap-up reasons by count (ties by name), with the share their customers
    called resolved and the customers' own latest comments (one windowed query)."""
    top = sorted(by_reason.items(), key=lambda item: (-item[1]["offered"], item[0]))[:limit]
    said: dict[str, list[str]] = {reason: [] for reason, _ in top}
    if said:
        latest = (
            select(
                c.c.reason,
                surveys.c.comment,
                func.row_number()
                .over(partition_by=c.c.reason, order_by=surveys.c.answered_at.desc())
                .label("n"),
            )
            .select_from(surveys.join(c, surveys.c.contact_id == c.c.id))
            .where(where, c.c.reason.in_(list(said)), surveys.c.comment.is_not(None))
            .subquery()
        )
        for reason, comment in await conn.execute(
            select(latest.c.reason, latest.c.comment)
            .where(latest.c.n <= comments)
            .order_by(latest.c.reason, latest.c.n)
        ):
            if comment and comment.strip():
                said[reason].append(comment)
    return [
        {
            "reason": reason,
            "count": int(figures["offered"]),
            "resolved_pct": (
                100.0 * figures["resolved"] / figures["responses"] if figures["responses"] else None
            ),
            "comments": said[reason],
        }
        for reason, figures in top
    ]


async def order_totals(
    conn: AsyncConnection, site_id: str | None, start: float, end: float
) -> tuple[int, int]:
    query: Select[Any] = select(func.count(), func.coalesce(func.sum(orders.c.units), 0)).where(
        orders.c.ordered_at >= start, orders.c.ordered_at < end
    )
    if site_id is not None:
        query = query.where(orders.c.site_id == site_id)
    n, units = (await conn.execute(query)).one()
    return int(n), int(units)


CSV_COLUMNS = (
    "id",
    "site",
    "channel",
    "customer",
    "enqueued",
    "assigned",
    "ended",
    "wait_s",
    "handle_s",
    "agent",
    "outcome",
    "reason",
    "product",
    "resolved_by_agent",
    "survey_resolved",
    "effort",
    "comment",
)


def contact_rows(where: ColumnElement[bool], after: tuple[float, str] | None) -> Select[Any]:
    """One row per contact of the period in enqueue order, from just ``after`` a row on."""
    from hub.store.schema import agents, sites

    if after is not None:
        where = and_(
            where,
            or_(c.c.enqueued_at > after[0], and_(c.c.enqueued_at == after[0], c.c.id > after[1])),
        )
    return (
        select(
            c.c.id,
            sites.c.key.label("site"),
            c.c.channel,
            c.c.customer_id,
            c.c.enqueued_at,
            c.c.first_assigned_at,
            c.c.ended_at,
            wait_s().label("wait_s"),
            (c.c.ended_at - c.c.assigned_at).label("handle_s"),
            agents.c.email.label("agent"),
            c.c.end_reason,
            c.c.reason,
            c.c.product,
            c.c.resolved,
            surveys.c.resolved.label("survey_resolved"),
            surveys.c.effort,
            surveys.c.comment,
        )
        .select_from(
            c.join(sites, sites.c.id == c.c.site_id)
            .outerjoin(agents, agents.c.id == c.c.agent_id)
            .outerjoin(surveys, surveys.c.contact_id == c.c.id)
        )
        .where(where)
        .order_by(c.c.enqueued_at, c.c.id)
    )
