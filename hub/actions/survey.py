"""After a handled contact: ask whether it was solved, and follow up at once when it was not.

DESIGN §9. The survey is asked when the contact ends (:mod:`hub.actions.ending`); the answer
is a fact (``surveys``), a ``survey`` timeline event the agent sees live, and, when the problem
is not solved, a follow-up contact in the same conversation: a callback when a phone is known,
else a chat, ahead of its channel's line and offered first to the agent who handled the
original.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hub import types
from hub.actions import perform, webhooks
from hub.actions.context import Hub
from hub.actions.ending import survey_request
from hub.core import phones, policy
from hub.errors import Conflict, Invalid, NotFound
from hub.notify import CUSTOMER_NS
from hub.store import queries
from hub.store.timeline import append_event, event_payload
from hub.types import Visitor


async def answer_survey(hub: Hub, visitor: Visitor, p: types.SurveyAnswer) -> dict[str, Any]:
    now = hub.clock()
    follow_up: dict[str, Any] | None = None
    created = False
    async with hub.tx() as conn:
        contact = await queries.contact(conn, p.contact_id)
        if contact is None or contact["customer_id"] != visitor.customer_id:
            raise NotFound("no such contact")
        if contact["survey_until"] is None:
            raise Invalid("contact_id: this contact has no survey: it was not handled")
        if await queries.survey_of(conn, contact["id"]) is not None:
            raise Conflict("this survey was answered already", code="already_answered")
        if not policy.survey_open(now, contact["survey_until"]):
            raise Conflict("this survey has expired", code="survey_expired")
        phone = p.phone or contact["phone"] or await queries.phone_of(conn, visitor.customer_id)
        if not p.resolved:
            follow_up, created = await _follow_up(conn, hub, contact, phone, p, now)
        await queries.add_survey(
            conn,
            contact_id=contact["id"],
            site_id=contact["site_id"],
            customer_id=visitor.customer_id,
            resolved=p.resolved,
            effort=p.effort,
            comment=p.comment,
            phone=p.phone,
            follow_up_id=follow_up["id"] if follow_up else None,
            answered_at=now,
            enqueued_at=contact["enqueued_at"],
        )
        await webhooks.enqueue(
            conn,
            contact["site_id"],
            "survey.answered",
            webhooks.contact_data(
                contact,
                resolved=p.resolved,
                effort=p.effort,
                comment=p.comment,
                follow_up_id=follow_up["id"] if follow_up else None,
            ),
            now,
        )
        # The answer's figures on the contact's row too, for the reports (hub.store.reports).
        await queries.set_contact(
            conn, contact["id"], survey_resolved=p.resolved, survey_effort=p.effort
        )
        if p.phone:
            await queries.add_identifier(
                conn,
                site_id=contact["site_id"],
                customer_id=visitor.customer_id,
                kind="phone",
                value=p.phone,
                verified=False,
                now=now,
            )
        row, _ = await append_event(
            conn,
            conversation_id=contact["conversation_id"],
            type="survey",
            data=survey_data(contact["id"], p),
            now=now,
            author=visitor.author,
        )
        event = event_payload(row)
        requested = None
        if created and follow_up is not None:
            requested, _ = await append_event(
                conn,
                conversation_id=contact["conversation_id"],
                type="contact.requested",
                data={
                    "contact_id": follow_up["id"],
                    "channel": follow_up["channel"],
                    "follow_up_of": contact["id"],
                },
                now=now,
            )
    hub.metrics.surveys.labels("yes" if p.resolved else "no").inc()
    await hub.notify.publish_event(event)
    # The supervisors' figures count it: their reports refresh.
    await hub.notify.to_supervisors(
        "survey.answered",
        {
            "contact_id": contact["id"],
            "site": hub.live.site_label(contact["site_id"]),
            "channel": contact["channel"],
            "resolved": p.resolved,
            "effort": p.effort,
        },
    )
    if contact["agent_id"]:
        # The agent who handled it has left the conversation's room: tell them all the same.
        await hub.notify.to_agent(contact["agent_id"], "event", event)
    if requested is not None and follow_up is not None:
        await hub.notify.publish_event(event_payload(requested))
        await _enqueue(hub, visitor, follow_up)
    view = follow_up_view(follow_up)
    if view is not None and view.get("phone"):
        # How the shopper reads the number they will be called at ("06 12 34 56 78").
        view["phone_display"] = phones.display(view["phone"], p.country)
    return {"ok": True, "follow_up": view}


def survey_data(contact_id: str, p: types.SurveyAnswer) -> dict[str, Any]:
    return {
        "contact_id": contact_id,
        "resolved": p.resolved,
        "effort": p.effort,
        "comment": p.comment,
    }


def follow_up_view(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    view = {"contact_id": row["id"], "channel": row["channel"]}
    if row["channel"] == "callback":
        view["phone"] = row["phone"]
    return view


async def _follow_up(
    conn: AsyncConnection,
    hub: Hub,
    ended: dict[str, Any],
    phone: str | None,
    p: types.SurveyAnswer,
    now: float,
) -> tuple[dict[str, Any], bool]:
    """The follow-up of ``ended``, made now; or the contact already open in the conversation
    (the customer asked again before answering): that one is the follow-up, and is not doubled.
    """
    actives = await queries.active_contact_in(conn, ended["conversation_id"])
    if actives:
        return actives[0], False
    channel = "callback" if phone else "chat"
    agent_id = ended["agent_id"]
    row: dict[str, Any] = {
        "site_id": ended["site_id"],
        "conversation_id": ended["conversation_id"],
        "customer_id": ended["customer_id"],
        "channel": channel,
        "state": "queued",
        "enqueued_at": now,
        "not_before": None,
        "phone": phone if channel == "callback" else None,
        "skills": list(ended["skills"] or []),
        "attempts": 0,
        "sticky_agent_id": agent_id,
        "sticky_until": policy.sticky_until(now, agent_id, hub.config.sticky_window_s),
        "created_at": now,
        "due_at": now,
        "follow_up_of": ended["id"],
    }
    row["id"] = await queries.create_contact(conn, **row)
    await queries.log_contact_event(
        conn,
        row["id"],
        "requested",
        now,
        data={"channel": channel, "follow_up_of": ended["id"]},
    )
    await webhooks.enqueue(
        conn,
        row["site_id"],
        "contact.created",
        webhooks.contact_data(row, follow_up_of=ended["id"]),
        now,
    )
    row["follow_up"] = {"of": ended["id"], "survey": survey_data(ended["id"], p)}
    return row, True


async def _enqueue(hub: Hub, visitor: Visitor, row: dict[str, Any]) -> None:
    if row["channel"] == "callback":
        status = {"contact_id": row["id"], "status": "scheduled", "attempts": 0}
        await hub.notify.to_customer(row["customer_id"], "callback.updated", status)
        await hub.notify.to_agents(
            "callback.updated",
            {
                **status,
                "phone": row["phone"],
                "customer": {"id": row["customer_id"], "name": visitor.customer_name},
                "conversation_id": row["conversation_id"],
                "follow_up": row["follow_up"],
            },
        )
    await perform.enqueue(hub, row, visitor.customer_name)


async def ask_again(hub: Hub, visitor: Visitor) -> None:
    """A customer back (a reload, another device) is asked the survey still open, if any."""
    async with hub.db.connect() as conn:
        contact = await queries.pending_survey(conn, visitor.customer_id, hub.clock())
        if contact is None:
            return
        if await queries.active_contact_in(conn, contact["conversation_id"]):
            return  # helped again already: the open contact will ask its own
        phone = contact["phone"] or await queries.phone_of(conn, visitor.customer_id)
    await hub.notify.to_socket(
        CUSTOMER_NS, visitor.sid, "survey.request", survey_request(contact, phone)
    )


async def ask(hub: Hub, contact: dict[str, Any]) -> None:
    """Send the survey of a contact that just ended to its customer (every socket)."""
    async with hub.db.connect() as conn:
        phone = contact.get("phone") or await queries.phone_of(conn, contact["customer_id"])
    await hub.notify.to_customer(
        contact["customer_id"], "survey.request", survey_request(contact, phone)
    )
