"""How a contact ends in the store: one place for every road that ends one.

An agent's ``contact.end``, a customer's cancel, a channel switch, a callback's last outcome
and an abandon all end a contact the same way: the row, the contact's log, the timeline's
``contact.ended`` and, for a contact that was handled, the survey it asks (DESIGN §9).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hub.actions import webhooks
from hub.actions.context import Hub
from hub.core import policy
from hub.store import queries
from hub.store.reports import ABANDONS
from hub.store.timeline import append_event, event_payload


async def end_contact_row(
    conn: AsyncConnection,
    hub: Hub,
    contact: dict[str, Any],
    now: float,
    *,
    reason: str,
    resolved: bool | None = None,
    wrapup_reason: str | None = None,
    product: str | None = None,
    outcome: str | None = None,
) -> dict[str, Any]:
    """End ``contact`` (a row, updated in place) and return its ``contact.ended`` event.

    When the contact asks a survey, ``contact["survey_until"]`` says until when it may be
    answered; the caller sends ``survey.request`` (:func:`survey_request`) once committed.
    """
    survey_until = (
        now + policy.SURVEY_WINDOW_S
        if policy.asks_survey(reason, contact.get("assigned_at"))
        else None
    )
    await queries.set_contact(
        conn,
        contact["id"],
        state="ended",
        ended_at=now,
        end_reason=reason,
        resolved=resolved,
        reason=wrapup_reason,
        product=product,
        outcome=outcome or contact.get("outcome"),
        survey_until=survey_until,
    )
    await queries.log_contact_event(
        conn, contact["id"], "ended", now, contact.get("agent_id"), {"reason": reason}
    )
    data: dict[str, Any] = {
        "contact_id": contact["id"],
        "channel": contact["channel"],
        "reason": reason,
    }
    if survey_until is not None:
        data["survey"] = True
    row, _ = await append_event(
        conn, conversation_id=contact["conversation_id"], type="contact.ended", data=data, now=now
    )
    await webhooks.enqueue(
        conn,
        contact["site_id"],
        "contact.ended",
        webhooks.contact_data(
            contact, reason=reason, wrapup_reason=wrapup_reason, resolved=resolved, product=product
        ),
        now,
    )
    if contact["state"] == "assigned" and contact.get("assigned_at"):
        hub.live.record_handle_time(contact["channel"], now - contact["assigned_at"])
    if reason in ABANDONS and contact.get("first_assigned_at") is None:
        # The customer left before anyone took it: an abandon, short or not (docs/reports.md).
        short = now - contact["enqueued_at"] < hub.config.short_abandon_s
        hub.metrics.site_abandons.labels(
            hub.live.site_label(contact["site_id"]), contact["channel"], str(short).lower()
        ).inc()
    contact.update(ended_at=now, end_reason=reason, survey_until=survey_until, product=product)
    return event_payload(row)


def survey_request(contact: dict[str, Any], phone: str | None) -> dict[str, Any]:
    """The ``survey.request`` of an ended contact: what the widget asks, and where to call."""
    return {
        "contact_id": contact["id"],
        "channel": contact["channel"],
        "expires_at": contact["survey_until"],
        "phone": phone,
    }
