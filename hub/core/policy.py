"""The hub's timing rules as plain functions: sticky agents, callback retries, wrap-up, surveys."""

from __future__ import annotations

# An agent may still record the wrap-up of a contact the hub ended for this long.
WRAPUP_WINDOW_S = 15 * 60
# A customer may answer the survey of a contact for this long after it ended (DESIGN §9).
SURVEY_WINDOW_S = 7 * 86400
# Contacts ended this way get a survey: they were handled and the customer was reached. A
# channel switch goes on in the new contact; a callback that never reached its customer asks
# nothing the customer could judge.
SURVEYED_ENDS = frozenset({"ended", "cancelled", "reached"})


def sticky_until(now: float, agent_id: str | None, window_s: float) -> float | None:
    """Until when a contact that switched channel is offered only to its previous agent."""
    return now + window_s if agent_id else None


def callback_retry_at(
    outcome: str, attempts: int, *, now: float, max_attempts: int, delay_s: float
) -> float | None:
    """When to try a callback again after ``outcome`` on attempt ``attempts``; None: no retry."""
    if outcome == "no_answer" and attempts < max_attempts:
        return now + delay_s
    return None


def may_wrap_up(now: float, ended_at: float | None) -> bool:
    """Whether an agent's wrap-up of a contact that already ended is still taken."""
    return now - (ended_at or 0.0) < WRAPUP_WINDOW_S


def asks_survey(end_reason: str, assigned_at: float | None) -> bool:
    """Whether a contact that ended this way is followed by a survey to its customer."""
    return assigned_at is not None and end_reason in SURVEYED_ENDS


def survey_open(now: float, survey_until: float | None) -> bool:
    return survey_until is not None and now <= survey_until


def andon_due(customers: set[str], threshold: int) -> bool:
    """Two identical problems (by default) from different customers pull the product."""
    return len(customers) >= threshold


# A site's identity modes (DESIGN §7): who may contact it without a signed identity.
IDENTITY_MODES = ("optional", "anonymous_chat", "required")


def needs_identity(mode: str, channel: str, verified: bool) -> bool:
    """Whether this contact needs the shop's signed identity first: every channel on a
    ``required`` site, video and callbacks on an ``anonymous_chat`` one."""
    if verified:
        return False
    return mode == "required" or (mode == "anonymous_chat" and channel != "chat")
