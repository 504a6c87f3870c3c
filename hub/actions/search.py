"""Search for agents: customers by name, email, phone or user id, and messages by their words."""

from __future__ import annotations

from typing import Any

from hub import types
from hub.actions.context import Hub
from hub.store import search


async def search_all(hub: Hub, agent: dict[str, Any], query: types.SearchQuery) -> dict[str, Any]:
    """What the agent may read that holds ``query.q``: customers of the sites they serve (all
    for supervisors and admins) and messages of those sites' conversations. Erased customers
    and their conversations are never found.

    On the hub's long-read engine (``hub.reads``): on SQLite a search over a large timeline
    must not hold the one connection every message's action waits for."""
    async with hub.reads.connect() as conn:
        site_ids = await search.readable_sites(conn, agent)
        if site_ids == []:
            return {"customers": [], "messages": []}
        found = await search.find_customers(conn, query.q, site_ids, query.limit)
        messages = await search.find_messages(conn, query.q, site_ids, query.limit)
    return {
        "customers": [
            {
                "id": c["id"],
                "name": c["name"],
                "site": c["site"],
                "created_at": c["created_at"],
                "identifiers": c["identifiers"],
            }
            for c in found
        ],
        "messages": [
            {
                "conversation_id": m["conversation_id"],
                "seq": int(m["seq"]),
                "customer_id": m["customer_id"],
                "customer_name": m["customer_name"],
                "site": m["site"],
                "snippet": m["snippet"] or "",
            }
            for m in messages
        ],
    }
