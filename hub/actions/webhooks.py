"""Webhooks (DESIGN §13): a site's subscription, the deliveries its facts make, the attempts.

A delivery is written to the outbox (``webhook_deliveries``) in the same transaction as the
fact it tells (a contact created, assigned or ended, a survey answered, a product flagged),
so a crash loses none; ``hub.outbox`` sends it, at least once, with a stable id receivers
deduplicate by. Where a delivery may go is checked when the URL is set and again at every
attempt, after DNS resolution (``check_target``).
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncConnection

from hub.actions.context import OUTBOX_WROTE, Hub
from hub.core import webhooks as rules
from hub.core.credentials import new_id
from hub.errors import Forbidden, Invalid
from hub.store import outbox, queries

# How long one process holds the deliveries it is sending before another may try them.
LEASE_MARGIN_S = 5.0


def subscription(site: Mapping[str, Any] | None) -> dict[str, str] | None:
    """A site's webhook ``{"url", "secret"}``, or None."""
    hook = ((site or {}).get("settings") or {}).get("webhook") or None
    return hook if hook and hook.get("url") else None


def contact_data(contact: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """The ``data`` of a contact's delivery."""
    return {
        "contact_id": contact["id"],
        "channel": contact["channel"],
        "conversation_id": contact["conversation_id"],
        "customer_id": contact["customer_id"],
        **extra,
    }


async def enqueue(
    conn: AsyncConnection, site_id: str, type: str, data: Mapping[str, Any], now: float
) -> None:
    """Write a delivery of ``type`` to the outbox if the site has a webhook, in the caller's
    transaction."""
    assert type in rules.TYPES, type
    site = await queries.site_by_id(conn, site_id)
    if subscription(site) is None:
        return
    assert site is not None
    msg_id = "msg_" + new_id()
    body = {
        "id": msg_id,
        "type": type,
        "timestamp": _iso(now),
        "site": site["key"],
        "data": dict(data),
    }
    await outbox.add(
        conn,
        id=msg_id,
        site_id=site_id,
        type=type,
        body=json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        created_at=now,
        next_attempt_at=now,
        attempts=0,
        status="pending",
    )
    conn.info[OUTBOX_WROTE] = True  # Hub.tx wakes the sender once this commits


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def check_target(url: str, allow_private: bool) -> None:
    """ValueError unless ``url`` is a webhook URL whose host resolves to public addresses only
    (any address, with ``allow_private``: tests and local development)."""
    rules.check_url(url)
    if allow_private:
        return
    host = urlsplit(url).hostname
    assert host is not None
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ValueError(f"the webhook host {host!r} does not resolve: {exc.strerror}") from None
    for info in infos:
        if not rules.is_public(str(info[4][0])):
            raise ValueError(
                f"the webhook host {host!r} is a private or local address ({info[4][0]});"
                " set HUB_WEBHOOK_ALLOW_PRIVATE=true to allow it"
            )


# the sender's side (hub.outbox)


async def claim(hub: Hub, limit: int = 50) -> list[dict[str, Any]]:
    """The deliveries due now, each with its site's current subscription (``hook``: None when
    the site has dropped its webhook since)."""
    now = hub.clock()
    async with hub.tx() as conn:
        rows = await outbox.claim_due(
            conn, now, hub.config.webhook_timeout_s + LEASE_MARGIN_S, limit
        )
        sites: dict[str, dict[str, Any] | None] = {}
        for row in rows:
            if row["site_id"] not in sites:
                sites[row["site_id"]] = await queries.site_by_id(conn, row["site_id"])
            row["hook"] = subscription(sites[row["site_id"]])
    return rows


async def next_due_at(hub: Hub) -> float | None:
    async with hub.db.connect() as conn:
        return await outbox.next_due_at(conn)


async def attempted(
    hub: Hub, delivery: Mapping[str, Any], code: int | None, error: str | None
) -> None:
    """Record one attempt: a 2xx delivers; anything else is tried again on the schedule, and
    fails for good after a day. A site without a webhook any more cancels it."""
    now = hub.clock()
    attempts = int(delivery["attempts"]) + 1
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_code": code,
        "last_error": error[:300] if error else None,
        "last_attempt_at": now,
    }
    if delivery.get("hook") is None and code is None:
        values.update(status="cancelled", next_attempt_at=None)
    elif code is not None and 200 <= code < 300:
        values.update(status="delivered", next_attempt_at=None, delivered_at=now)
    else:
        due = rules.retry_at(float(delivery["created_at"]), attempts, now)
        values.update(status="pending" if due is not None else "failed", next_attempt_at=due)
    async with hub.tx() as conn:
        await outbox.record(conn, delivery["id"], **values)
    outcome = values["status"]
    hub.metrics.webhook_attempts.labels(outcome).inc()


def view(row: Mapping[str, Any]) -> dict[str, Any]:
    """A delivery as operators and supervisors see it."""
    return {
        "id": row["id"],
        "type": row["type"],
        "status": row["status"],
        "attempts": row["attempts"],
        "created_at": _iso(row["created_at"]),
        "last_attempt_at": _iso(row["last_attempt_at"]) if row["last_attempt_at"] else None,
        "next_attempt_at": _iso(row["next_attempt_at"]) if row["next_attempt_at"] else None,
        "last_code": row["last_code"],
        "last_error": row["last_error"],
    }


async def recent(conn: AsyncConnection, site_id: str, limit: int = 20) -> list[dict[str, Any]]:
    return [view(row) for row in await outbox.recent(conn, site_id, limit)]


async def deliveries(hub: Hub, agent: Mapping[str, Any], site_key: str) -> dict[str, Any]:
    """``GET /api/v1/webhooks?site=KEY``: a site's webhook for supervisors and admins: where
    it goes, its deliveries by status and the latest ones (never the secret)."""
    if agent["role"] not in ("supervisor", "admin"):
        raise Forbidden("webhook deliveries are for supervisors and admins")
    async with hub.db.connect() as conn:
        site = await queries.site_by_key(conn, site_key)
        if site is None:
            raise Invalid("site: no site with this key")
        hook = subscription(site)
        return {
            "site": site_key,
            "url": hook["url"] if hook else None,
            "counts": await outbox.counts(conn, site["id"]),
            "recent": await recent(conn, site["id"]),
        }
