"""The hub's timing rules as plain functions: sticky agents, callback retries, wrap-up."""

from __future__ import annotations

# An agent may still record the wrap-up of a contact the hub ended for this long.
WRAPUP_WINDOW_S = 15 * 60


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
