"""What the routing engine knows and says: contacts, agents, and the decisions it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from hub.core.capacity import DEFAULT_CAPACITY

Channel = Literal["chat", "video", "callback"]
Presence = Literal["available", "away", "break", "offline"]
PRESENCES: tuple[Presence, ...] = ("available", "away", "break", "offline")
ContactState = Literal["waiting", "offered", "assigned"]
RevokeReason = Literal["expired", "cancelled", "taken"]

CHANNELS: tuple[Channel, ...] = ("chat", "video", "callback")
PRIORITY: dict[Channel, int] = {"video": 0, "chat": 1, "callback": 2}
DEFAULT_OFFER_TIMEOUT: dict[Channel, float] = {"chat": 8.0, "video": 8.0, "callback": 20.0}


@dataclass
class Contact:
    """One request for a person on one channel, as the engine sees it."""

    id: str
    site_id: str
    channel: Channel
    enqueued_at: float  # original place in line; never changes on requeue (virtual hold)
    skills: frozenset[str] = frozenset()
    not_before: float | None = None  # callbacks (and retries): not offered before this
    sticky_agent_id: str | None = None  # channel switch: offered only to this agent ...
    sticky_until: float | None = None  # ... until this time, then to anyone
    # A transfer named this agent: while the sticky window is theirs, they need not have the
    # contact's skills (a person chose them).
    transferred_to: str | None = None
    # A follow-up of a contact whose customer said "not resolved": ahead of its channel's line.
    follow_up: bool = False
    # Managed by the engine:
    state: ContactState = "waiting"
    agent_id: str | None = None  # offered-to or assigned-to agent
    offer_expires_at: float | None = None
    # agent_id -> time until which the contact is not re-offered to them (after decline/expiry)
    passed_by: dict[str, float] = field(default_factory=dict)
    # Assigned to an agent whose console went away: back to the queue at this time.
    grace_until: float | None = None
    # Waiting while its customer has no socket: abandoned at this time (Engine.set_abandon).
    abandon_at: float | None = None


@dataclass
class Agent:
    """A person who answers: presence, skills and capacity per channel."""

    id: str
    status: Presence = "offline"
    connected: bool = False
    skills: frozenset[str] = frozenset()
    capacity: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_CAPACITY))
    auto_answer: bool = False
    # The site ids whose contacts the agent takes; None: every site.
    sites: frozenset[str] | None = None
    last_active_at: float = 0.0  # time of last offer or assignment: "idle since"
    missed_in_row: int = 0


def serves(agent: Agent, site_id: str) -> bool:
    """Whether the agent is on the site's team (an agent without a list serves every site)."""
    return agent.sites is None or site_id in agent.sites


@dataclass(frozen=True)
class Offer:
    """Reserve the contact for the agent until ``expires_at``."""

    contact_id: str
    agent_id: str
    expires_at: float
    auto_answer: bool  # the console accepts without a click (video offers to auto-answer agents)


@dataclass(frozen=True)
class Revoke:
    """Withdraw an outstanding offer from the agent's console."""

    contact_id: str
    agent_id: str
    reason: RevokeReason


@dataclass(frozen=True)
class SetAway:
    """The engine set the agent ``away``; tell the agent why."""

    agent_id: str
    reason: str = "missed_offers"


@dataclass(frozen=True)
class GraceExpired:
    """The assigned agent has been gone for the whole grace period: give the contact back.

    The engine has not requeued it yet: the caller records that and calls :meth:`Engine.requeue`.
    """

    contact_id: str
    agent_id: str


@dataclass(frozen=True)
class Requeued:
    """An assigned contact went back to the queue at its original place."""

    contact_id: str


@dataclass(frozen=True)
class Abandoned:
    """The customer of a waiting contact stayed away until its ``abandon_at``.

    The engine has forgotten the contact (an offer of it was revoked first): the caller ends it.
    """

    contact_id: str


Decision: TypeAlias = Offer | Revoke | SetAway | GraceExpired | Requeued | Abandoned


class OfferGone(ValueError):
    """The contact is not (or no longer) offered to that agent."""


class NotAssigned(ValueError):
    """The contact is not assigned to an agent: there is nothing to transfer."""
