"""The reports' queries: aggregates over indexed facts, computed by the database.

Every figure of ``GET /api/v1/reports/summary`` is a handful of aggregate queries over the
contacts enqueued in the period (read from ``ix_contacts_report``, which holds every column
counted), their survey answers and the shop's orders: nothing loads the period's rows into
Python, so a day of 100,000 contacts costs what the database's scans cost. Percentiles are
read with one ordered ``LIMIT 1 OFFSET k`` query each, at the rank the counts give, which
both SQLite and PostgreSQL run from the same SQL. The definitions are in docs/reports.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Integer,
    RowMapping,
    Select,
    and_,
    case,
    desc,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from hub.core.reports import nearest_rank
from hub.store.schema import agents, contacts, orders, sites, surveys

c = contacts
# The ends that are abandons when nobody had taken the contact yet.
ABANDONS = ("cancelled", "abandoned")


@dataclass(frozen=True)
class Period:
    """A report's contacts: those of a site (None: every site) enqueued in ``[start, end)``."""

    site_id: str | None
    start: float
    end: float

    @property
    def contacts(self) -> ColumnElement[bool]:
        where = and_(c.c.enqueued_at >= self.start, c.c.enqueued_at < self.end)
        if self.site_id is not None:
            where = and_(c.c.site_id == self.site_id, where)
        return where

    @property
    def answers(self) -> ColumnElement[bool]:
        """The survey answers of the period's contacts, by the contact's enqueue time each
        answer keeps (``ix_surveys_site_enqueued``): with no condition on the contacts, a
        join to them walks the answers and looks each contact up, never the other way."""
        where = and_(surveys.c.enqueued_at >= self.start, surveys.c.enqueued_at < self.end)
        if self.site_id is not None:
            where = and_(surveys.c.site_id == self.site_id, where)
        return where


def wait_s() -> ColumnElement[float]:
    """First taken − came due: a callback booked for later waits from its booked time, and a
    callback tried again keeps its first due time (the retries are its own waits)."""
    return c.c.first_assigned_at - func.coalesce(c.c.due_at, c.c.enqueued_at)


def _handled() -> ColumnElement[bool]:
    return c.c.first_assigned_at.is_not(None)


def _abandoned() -> ColumnElement[bool]:
    return and_(c.c.first_assigned_at.is_(None), c.c.end_reason.in_(ABANDONS))


def _within(thresholds: Mapping[str, float]) -> ColumnElement[bool]:
    """Taken within its channel's threshold (the service level's numerator, once handled)."""
    return and_(
        _handled(),
        or_(
            *(
                and_(c.c.channel == channel, wait_s() <= threshold)
                for channel, threshold in thresholds.items()
            )
        ),
    )


def _short_abandoned(short_abandon_s: float) -> ColumnElement[bool]:
    return and_(_abandoned(), c.c.ended_at - c.c.enqueued_at < short_abandon_s)


def _line_counts(thresholds: Mapping[str, float], short_abandon_s: float) -> list[Any]:
    """The service level's counts: offered, handled, abandoned, short abandons, handled
    within the channel's threshold, and the sum of the handled contacts' waits."""
    one = literal(1)
    return [
        func.count().label("offered"),
        func.count(case((_handled(), one))).label("handled"),
        func.count(case((_abandoned(), one))).label("abandoned"),
        func.count(case((_short_abandoned(short_abandon_s), one))).label("short_abandoned"),
        func.count(case((_within(thresholds), one))).label("within"),
        func.sum(case((_handled(), wait_s()))).label("wait_sum"),
    ]


def _framed() -> ColumnElement[bool]:
    return and_(c.c.channel == "video", _handled(), c.c.first_frame_at.is_not(None))


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

# Rows grouped by (channel, reason), as the database gave them.
Groups = Sequence[RowMapping]


async def contact_counts(
    conn: AsyncConnection,
    period: Period,
    thresholds: Mapping[str, float],
    short_abandon_s: float,
) -> Groups:
    """Per (channel, wrap-up reason), in one pass over the report index alone
    (``ix_contacts_report`` holds every column read): offered, handled, abandoned, short
    abandons, handled within the channel's threshold, the sums of waits and handle times,
    expired offers, video milestones, callbacks' outcomes, and the survey answers (kept on
    the contact's row as they come) with their efforts."""
    handle = c.c.ended_at - c.c.assigned_at
    ended_handled = and_(_handled(), c.c.ended_at.is_not(None), c.c.assigned_at.is_not(None))
    one = literal(1)
    query = (
        select(
            c.c.channel,
            c.c.reason,
            *_line_counts(thresholds, short_abandon_s),
            func.sum(case((ended_handled, handle))).label("handle_sum"),
            func.count(case((ended_handled, one))).label("handle_count"),
            func.count(case((c.c.end_reason == "reached", one))).label("reached"),
            func.count(case((c.c.state == "ended", one))).label("ended"),
            func.coalesce(func.sum(c.c.attempts), 0).label("attempts"),
            func.coalesce(func.sum(c.c.offer_timeouts), 0).label("offer_timeouts"),
            func.count(case((and_(_handled(), c.c.media_connected_at.is_not(None)), one))).label(
                "media_connected"
            ),
            func.count(c.c.survey_resolved).label("responses"),
            func.count(case((c.c.survey_resolved.is_(True), one))).label("resolved"),
            func.sum(c.c.survey_effort).label("effort_sum"),
            func.count(c.c.survey_effort).label("effort_count"),
        )
        .where(period.contacts)
        .group_by(c.c.channel, c.c.reason)
    )
    return (await conn.execute(query)).mappings().all()


def add_up(groups: Groups) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """The grouped rows added up per channel and per wrap-up reason."""
    by_channel: dict[str, dict[str, float]] = {}
    by_reason: dict[str, dict[str, float]] = {}
    for row in groups:
        into = [by_channel.setdefault(row["channel"], dict.fromkeys(COUNTED, 0.0))]
        if row["reason"] is not None:
            into.append(by_reason.setdefault(row["reason"], dict.fromkeys(COUNTED, 0.0)))
        for figures in into:
            for key in COUNTED:
                figures[key] += float(row[key] or 0)
    return by_channel, by_reason


class whole(FunctionElement[int]):
    """⌊x⌋ of a number x ≥ 0 as an integer, in SQL both databases run: SQLite's CAST drops
    the fraction (and needs no math functions compiled in); PostgreSQL's would round."""

    type = Integer()
    inherit_cache = True


@compiles(whole)
def _whole(element: whole, compiler: Any, **kw: Any) -> str:
    return f"CAST(floor({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(whole, "sqlite")
def _whole_sqlite(element: whole, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


async def series_counts(
    conn: AsyncConnection,
    period: Period,
    step_s: float,
    thresholds: Mapping[str, float],
    short_abandon_s: float,
) -> Groups:
    """Per (bucket, channel), the buckets ``step_s`` long from the period's start (bucket i
    holds the contacts enqueued in ``[start + i·step, start + (i+1)·step)``): offered,
    handled, abandoned, short abandons, handled within the threshold, the sum of waits. One
    grouped pass over the report index."""
    bucket = whole((c.c.enqueued_at - period.start) / step_s).label("bucket")
    query = (
        select(
            bucket,
            c.c.channel,
            *_line_counts(thresholds, short_abandon_s),
        )
        .where(period.contacts)
        .group_by(bucket, c.c.channel)
    )
    return (await conn.execute(query)).mappings().all()


async def ranks(conn: AsyncConnection, period: Period) -> tuple[dict[str, float], float | None]:
    """The nearest-rank p90 wait per channel and for all (key ``"all"``), and the median
    time from a video's first acceptance to its first frame (ms).

    One grouped count says how many values each figure ranks; each figure is then the value
    at its rank k (``hub.core.reports.nearest_rank``), read from the top with ``ORDER BY …
    DESC LIMIT 1 OFFSET n − k``, so the database's sort keeps only the rows above the rank.
    """
    n_handled: dict[str, int] = {}
    n_framed = 0
    for channel, handled, framed in await conn.execute(
        select(c.c.channel, func.count(), func.count(case((_framed(), literal(1)))))
        .where(period.contacts, _handled())
        .group_by(c.c.channel)
    ):
        n_handled[channel] = int(handled)
        n_framed += int(framed)

    async def at_rank(
        value: ColumnElement[float], among: ColumnElement[bool], n: int, p: float
    ) -> float | None:
        if n <= 0:
            return None
        found = await conn.scalar(
            select(value.label("v"))
            .where(period.contacts, among)
            .order_by(desc("v"))
            .limit(1)
            .offset(n - nearest_rank(n, p))
        )
        return float(found) if found is not None else None

    p90: dict[str, float] = {}
    for channel, n in sorted(n_handled.items()):
        value = await at_rank(wait_s(), and_(_handled(), c.c.channel == channel), n, 90)
        if value is not None:
            p90[channel] = value
    value = await at_rank(wait_s(), _handled(), sum(n_handled.values()), 90)
    if value is not None:
        p90["all"] = value
    frame_ms = (c.c.first_frame_at - c.c.first_assigned_at) * 1000
    return p90, await at_rank(frame_ms, _framed(), n_framed, 50)


async def top_reasons(
    conn: AsyncConnection,
    period: Period,
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
            .where(period.answers, c.c.reason.in_(list(said)), surveys.c.comment.is_not(None))
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


async def order_totals(conn: AsyncConnection, period: Period) -> tuple[int, int]:
    """The shop's orders placed in the period, and their units."""
    query: Select[Any] = select(func.count(), func.coalesce(func.sum(orders.c.units), 0)).where(
        orders.c.ordered_at >= period.start, orders.c.ordered_at < period.end
    )
    if period.site_id is not None:
        query = query.where(orders.c.site_id == period.site_id)
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


def contact_rows(period: Period, after: tuple[float, str] | None) -> Select[Any]:
    """One row per contact of the period in enqueue order, from just ``after`` a row on."""
    where = period.contacts
    if after is not None:
        # A row-value comparison: the index (enqueue time, id) starts the page just there.
        where = and_(where, tuple_(c.c.enqueued_at, c.c.id) > tuple_(*after))
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
