"""The console's snapshot: everything it shows at once, kept current by events afterwards."""

from __future__ import annotations

from typing import Any

from hub.actions import andon, perform
from hub.actions.context import Hub
from hub.actions.customers import customer_profile
from hub.actions.timeline import with_links
from hub.store import queries
from hub.store.timeline import list_events
from hub.types import AgentSession


async def snapshot(hub: Hub, session: AgentSession) -> dict[str, Any]:
    """Everything the console shows, at once; live events keep it current afterwards."""
    live = hub.live
    view = live.agent_view(session.id, hub.clock())
    async with hub.db.connect() as conn:
        contacts = []
        for c in await queries.contacts_of_agent(conn, session.id):
            view_of_contact = _contact_view(c)
            profile = await customer_profile(conn, c["customer_id"])
            profile.update(live.customer_presence(c["customer_id"]))
            if c["follow_up_of"]:
                view_of_contact["follow_up"] = await perform.follow_up_of(conn, c["follow_up_of"])
            contacts.append(
                {
                    "contact": view_of_contact,
                    "customer": profile,
                    "events": with_links(
                        hub,
                        await list_events(conn, c["conversation_id"], 0, include_private=True),
                    ),
                }
            )
        callbacks = []
        for c in await queries.open_callbacks(conn):
            customer = await queries.customer(conn, c["customer_id"])
            name = customer["name"] if customer else None
            callbacks.append(
                {**_contact_view(c), "customer": {"id": c["customer_id"], "name": name}}
            )
        # Agents serve every site: each contact and offer names its site, whose lists apply.
        sites = {s["id"]: _site_view(s) for s in await queries.all_sites(conn)}
    offer = live.engine.offer_of(session.id)
    offers = []
    if offer is not None and offer.contact_id in live.meta:
        offers.append(live.offer_payload(offer, hub.clock()))
    # The top-level lists predate per-site lists; kept for older clients: the first site's.
    first_site = next(iter(sites.values()), {})
    out: dict[str, Any] = {
        "ok": True,
        "agent": {
            "id": session.id,
            "name": session.agent["name"],
            "role": session.agent["role"],
            "status": view["status"],
            "status_reason": view["status_reason"],
            "auto_answer": bool(session.agent["auto_answer"]),
        },
        "contacts": contacts,
        "offers": offers,
        "callbacks": callbacks,
        "sites": sites,
        "canned_responses": first_site.get("canned_responses", []),
        "contact_reasons": first_site.get("contact_reasons", []),
    }
    if session.is_supervisor:
        out["queue"] = live.queue_summary(hub.clock())
        async with hub.db.connect() as conn:
            agents = await queries.all_agents(conn)
        now = hub.clock()
        out["agents"] = [{**live.agent_view(a["id"], now), "name": a["name"]} for a in agents]
        out["flags"] = await andon.list_flags(hub, None, cleared=False)
    return out


def _site_view(site: dict[str, Any]) -> dict[str, Any]:
    settings = site["settings"] or {}
    return {
        "key": site["key"],
        "name": site["name"],
        "canned_responses": settings.get("canned_responses", []),
        "contact_reasons": settings.get("contact_reasons", []),
    }


def _contact_view(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": c["id"],
        "site_id": c["site_id"],
        "channel": c["channel"],
        "state": c["state"],
        "conversation_id": c["conversation_id"],
        "customer_id": c["customer_id"],
        "enqueued_at": c["enqueued_at"],
        "agent_id": c["agent_id"],
        "phone": c["phone"],
        "attempts": c["attempts"],
        "next_attempt_at": c["not_before"],
        "assigned_at": c["assigned_at"],
        "follow_up_of": c["follow_up_of"],
    }


# A contact as the snapshot shows it, for the other views of one (hub.actions.transfer's watch).
contact_view = _contact_view
