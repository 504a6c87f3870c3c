"""The webhook outbox: deliveries written in the transaction of the fact they tell, claimed
by the process that sends them, and what became of each attempt (hub.outbox sends them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.store.schema import webhook_deliveries as d

Row = dict[str, Any]


async def add(conn: AsyncConnection, **row: Any) -> None:
    await conn.execute(insert(d).values(**row))


async def claim_due(conn: AsyncConnection, now: float, lease_s: float, limit: int) -> list[Row]:
    """The pending deliveries due by ``now``, oldest first, each leased for ``lease_s``: its
    next attempt moves to then, so that if this process dies while sending it another try
    comes (at least once), and on PostgreSQL another process skips the rows claimed here."""
    rows = [
        dict(r._mapping)
        for r in await conn.execute(
            select(d)
            .where(d.c.status == "pending", d.c.next_attempt_at <= now)
            .order_by(d.c.next_attempt_at, d.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ]
    if rows:
        await conn.execute(
            update(d)
            .where(d.c.id.in_([r["id"] for r in rows]))
            .values(next_attempt_at=now + lease_s)
        )
    return rows


async def next_due_at(conn: AsyncConnection) -> float | None:
    """When the next pending delivery is due (None: none is pending)."""
    value = await conn.scalar(select(func.min(d.c.next_attempt_at)).where(d.c.status == "pending"))
    return float(value) if value is not None else None


async def record(conn: AsyncConnection, delivery_id: str, **values: Any) -> None:
    """An attempt's outcome: ``attempts``, ``status``, ``next_attempt_at``, ``last_code``,
    ``last_error``, ``last_attempt_at``, ``delivered_at``."""
    await conn.execute(update(d).where(d.c.id == delivery_id).values(**values))


async def recent(conn: AsyncConnection, site_id: str, limit: int) -> list[Row]:
    """A site's latest deliveries, newest first (without their bodies)."""
    columns = [col for col in d.c if col.name != "body"]
    rows = await conn.execute(
        select(*columns)
        .where(d.c.site_id == site_id)
        .order_by(d.c.created_at.desc(), d.c.id.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]


async def counts(conn: AsyncConnection, site_id: str) -> dict[str, int]:
    """A site's deliveries by status."""
    rows = await conn.execute(
        select(d.c.status, func.count()).where(d.c.site_id == site_id).group_by(d.c.status)
    )
    return {status: int(n) for status, n in rows}
