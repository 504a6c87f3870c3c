"""The shop's customer API (DESIGN §13): a customer by the shop's user id, everything held on
them (a GDPR access request), and their erasure (a GDPR erasure request, DESIGN §11).

Each is asked by the shop's backend with its site key and secret, and reaches only that
site's customers: another site's customer, an erased one or an unknown id is the same 404.
"""

from __future__ import annotations

from typing import Any

from hub.actions import files
from hub.actions.context import Hub
from hub.actions.customers import customer_profile, is_id
from hub.errors import NotFound
from hub.store import privacy, queries
from hub.store.timeline import append_event, event_payload


async def _customer(conn: Any, site: dict[str, Any], customer_id: str) -> dict[str, Any]:
    row = await queries.customer(conn, customer_id) if is_id(customer_id) else None
    if row is None or row["site_id"] != site["id"] or row["erased_at"] is not None:
        raise NotFound("no such customer on this site", code="not_found")
    if row["merged_into"] is not None:
        # An id merged into another person's: that person is the one asked about.
        return await _customer(conn, site, row["merged_into"])
    return row


async def by_user_id(hub: Hub, site: dict[str, Any], user_id: str) -> dict[str, Any]:
    """``GET /api/v1/shop/customers?user_id=U``: the profile and conversations."""
    async with hub.db.connect() as conn:
        customer_id = await queries.owner_of_user_id(conn, site["id"], user_id)
        if customer_id is None:
            raise NotFound("no customer with this user_id on this site", code="not_found")
        row = await _customer(conn, site, customer_id)
        return await customer_profile(conn, row["id"])


async def export(hub: Hub, site: dict[str, Any], customer_id: str) -> dict[str, Any]:
    """``GET /api/v1/shop/customers/{id}/export``: everything held on the customer (and on
    the visitors merged into them), as stored, in one JSON document."""
    async with hub.db.connect() as conn:
        row = await _customer(conn, site, customer_id)
        held = await privacy.gather(conn, await privacy.people(conn, row["id"]))
    return {"customer_id": row["id"], "site": site["key"], "exported_at": hub.clock(), **held}


async def erase(hub: Hub, site: dict[str, Any], customer_id: str) -> None:
    """``DELETE /api/v1/shop/customers/{id}``: names, identifiers, message texts, comments and
    notes removed, attached files deleted; the anonymous facts the reports count kept.
    Recorded in each conversation (``customer.erased``), and every console is told at once."""
    now = hub.clock()
    async with hub.tx() as conn:
        row = await _customer(conn, site, customer_id)
        ids = await privacy.people(conn, row["id"])
        attached = await privacy.file_keys(conn, ids)
        conversation_ids = await privacy.erase(conn, ids, now)
        recorded = []
        for conversation_id in conversation_ids:
            event, _ = await append_event(
                conn,
                conversation_id=conversation_id,
                type="customer.erased",
                data={"customer_id": row["id"]},
                now=now,
            )
            recorded.append(event_payload(event))
    # After the commit: bytes deleted for an erasure that then failed could not come back.
    await files.delete(hub, attached)
    for event in recorded:
        await hub.notify.publish_event(event)
    await hub.notify.to_agents(
        "customer.erased", {"customer_id": row["id"], "conversation_ids": conversation_ids}
    )
