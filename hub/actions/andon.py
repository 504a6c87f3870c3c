"""Andon: two identical problems pull the product (DESIGN §9).

A flag stands for one (site, product, reason). The hub raises it when contacts of that site
from enough different customers end with that wrap-up reason and product within the window;
any agent may raise one by hand from a conversation of theirs; a supervisor clears it. A
flag is raised once while open; after a clear, only contacts ended since count again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hub import types
from hub.actions import webhooks
from hub.actions.context import Hub
from hub.core import policy
from hub.errors import Forbidden, Invalid, NotFound
from hub.store import queries
from hub.types import AgentSession


def site_reasons(site: dict[str, Any]) -> list[str]:
    return list((site.get("settings") or {}).get("contact_reasons", []))


def check_reason(site: dict[str, Any], reason: str) -> None:
    if reason not in site_reasons(site):
        raise Invalid("reason: not one of this site's contact reasons")


async def flag_view(conn: AsyncConnection, flag: dict[str, Any]) -> dict[str, Any]:
    """A flag as supervisors see it (``andon``, the snapshot, ``GET /api/v1/flags``)."""
    site = await queries.site_by_id(conn, flag["site_id"])
    raised_by = await _agent_ref(conn, flag["raised_by"])
    view = {
        "id": flag["id"],
        "site": site["key"] if site else None,
        "site_id": flag["site_id"],
        "product": flag["product"],
        "reason": flag["reason"],
        "contact_ids": list(flag["contact_ids"]),
        "ts": flag["raised_at"],
        "raised_by": raised_by,
    }
    if flag.get("cleared_at") is not None:
        view["cleared_at"] = flag["cleared_at"]
        view["cleared_by"] = await _agent_ref(conn, flag["cleared_by"])
    return view


async def _agent_ref(conn: AsyncConnection, agent_id: str | None) -> dict[str, Any] | None:
    if agent_id is None:
        return None
    agent = await queries.agent(conn, agent_id)
    return {"id": agent_id, "name": agent["name"] if agent else None}


async def after_wrapup(
    conn: AsyncConnection, hub: Hub, site_id: str, product: str | None, reason: str | None
) -> dict[str, Any] | None:
    """Inside the transaction that ended a contact: raise the flag it completes, if any."""
    if not product or not reason:
        return None
    if await queries.open_flag(conn, site_id, product, reason) is not None:
        return None
    now = hub.clock()
    since = max(
        now - hub.config.andon_window_s, await queries.last_cleared(conn, site_id, product, reason)
    )
    contacts = await queries.same_problem(conn, site_id, product, reason, since)
    if not policy.andon_due({c["customer_id"] for c in contacts}, hub.config.andon_threshold):
        return None
    values = {
        "site_id": site_id,
        "product": product,
        "reason": reason,
        "contact_ids": [c["id"] for c in contacts],
        "raised_by": None,
        "raised_at": now,
    }
    flag_id = await queries.add_flag(conn, **values)
    view = await flag_view(conn, {"id": flag_id, **values})
    await webhooks.enqueue(conn, site_id, "product.flagged", {"flag": view}, now)
    return view


async def announce(hub: Hub, flag: dict[str, Any] | None) -> None:
    if flag is not None:
        hub.metrics.flags.inc()
        await hub.notify.to_supervisors("andon", flag)


async def raise_flag(hub: Hub, session: AgentSession, p: types.AndonRaise) -> dict[str, Any]:
    """``andon.raise``: everyone may stop the line, from a conversation of theirs."""
    now = hub.clock()
    async with hub.tx() as conn:
        contact = await queries.contact(conn, p.contact_id)
        if contact is None:
            raise NotFound("no such contact")
        if contact["agent_id"] != session.id and not session.is_supervisor:
            raise Forbidden("you may raise an andon only from a conversation of yours")
        site = await queries.site_by_id(conn, contact["site_id"])
        assert site is not None
        check_reason(site, p.reason)
        flag = await queries.open_flag(conn, site["id"], p.product, p.reason)
        if flag is not None:
            if contact["id"] not in flag["contact_ids"]:
                flag["contact_ids"] = [*flag["contact_ids"], contact["id"]]
                await queries.set_flag(conn, flag["id"], contact_ids=flag["contact_ids"])
            return {"ok": True, "flag": await flag_view(conn, flag)}
        values = {
            "site_id": site["id"],
            "product": p.product,
            "reason": p.reason,
            "contact_ids": [contact["id"]],
            "raised_by": session.id,
            "raised_at": now,
        }
        flag_id = await queries.add_flag(conn, **values)
        view = await flag_view(conn, {"id": flag_id, **values})
        await webhooks.enqueue(conn, site["id"], "product.flagged", {"flag": view}, now)
    await announce(hub, view)
    return {"ok": True, "flag": view}


async def clear_flag(hub: Hub, session: AgentSession, p: types.AndonClear) -> dict[str, Any]:
    """``andon.clear``: a supervisor puts the product back."""
    if not session.is_supervisor:
        raise Forbidden("only a supervisor may clear an andon")
    now = hub.clock()
    async with hub.tx() as conn:
        site = await queries.site_by_key(conn, p.site)
        if site is None:
            raise NotFound("unknown site", code="unknown_site")
        flag = await queries.open_flag(conn, site["id"], p.product, p.reason)
        if flag is None:
            raise NotFound("no open andon for this product and reason")
        await queries.set_flag(conn, flag["id"], cleared_at=now, cleared_by=session.id)
        view = await flag_view(conn, {**flag, "cleared_at": now, "cleared_by": session.id})
    await hub.notify.to_supervisors("andon.cleared", view)
    return {"ok": True}


async def list_flags(hub: Hub, site_key: str | None, *, cleared: bool) -> list[dict[str, Any]]:
    async with hub.db.connect() as conn:
        site_id = None
        if site_key is not None:
            site = await queries.site_by_key(conn, site_key)
            if site is None:
                raise NotFound("unknown site", code="unknown_site")
            site_id = site["id"]
        return [
            await flag_view(conn, f) for f in await queries.flags_of(conn, site_id, cleared=cleared)
        ]


async def flags_in(
    conn: AsyncConnection, site_id: str | None, start: float, end: float
) -> list[dict[str, Any]]:
    """The flags raised in a report's period (open or cleared since)."""
    rows = await queries.flags_of(conn, site_id, cleared=True, raised=(start, end))
    return [await flag_view(conn, f) for f in rows]
