"""Live state of one process: the routing engine and what rides along with it. Data, no I/O.

Everything here is rebuilt from the store at start (contacts, agents) or belongs to sockets that
are connected now (consoles, share buffers). Actions change it; nothing here awaits.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from hub.core import capacity, estimates, routing
from hub.core.ratelimit import FailureWindow, TokenBucket
from hub.core.status import StatusDay
from hub.types import AgentSession


@dataclass
class ContactMeta:
    """What offers and queue updates say about a contact, kept so the hot path reads no rows."""

    conversation_id: str
    customer_id: str
    customer_name: str | None
    channel: str
    created_at: float
    site_id: str
    phone: str | None = None
    attempts: int = 0
    text: str | None = None  # what the customer wrote with the request, for triage
    # A follow-up: {"of": the ended contact, "survey": the answer that asked for it}.
    follow_up: dict[str, Any] | None = None


@dataclass
class Share:
    """The live state of one video contact's screen view."""

    paused: bool = False
    buffer: list[dict[str, Any]] = field(default_factory=list)
    buffered_bytes: int = 0
    strokes: TokenBucket = field(default_factory=lambda: TokenBucket(rate=10.0, burst=30.0))
    # The chunked batch being assembled (cobrowse.chunk): its id, number of chunks, the
    # slices received so far in order, and their size. One at a time, capped in bytes.
    chunk_id: str | None = None
    chunk_count: int = 0
    chunks: list[str] = field(default_factory=list)
    chunk_bytes: int = 0


class Live:
    """One per process (per site lease holder in cluster mode)."""

    def __init__(self, engine: routing.Engine, zone: ZoneInfo | None = None) -> None:
        self.engine = engine
        # Each agent's status today: since when, why, and the time in each status since the
        # midnight of ``zone`` (hub.actions.status keeps it, and its log in the store).
        self.zone = zone or ZoneInfo("UTC")
        self.agent_days: dict[str, StatusDay] = {}
        # The status of an agent whose last console closed, kept for the grace period: the same
        # token back by then (a reload, a network blip) resumes it; a new sign-in starts away.
        # agent id -> (status, reason, token hash, until).
        self.resume_status: dict[str, tuple[routing.Presence, str | None, str, float]] = {}
        # Whether each customer with a socket or a contact is here, and since when: (True,
        # since their first socket opened) or (False, since their last one closed).
        self.customer_seen: dict[str, tuple[bool, float]] = {}
        self.meta: dict[str, ContactMeta] = {}
        # Live sockets per agent, so that all of an agent's tabs join and leave rooms together.
        self.agent_sids: dict[str, set[str]] = {}
        # Live sockets per customer, and each customer's contacts: a customer whose last
        # socket closed has their waiting chats and videos abandoned after a while.
        self.customer_sids: dict[str, set[str]] = {}
        self.contacts_of: dict[str, set[str]] = {}
        self.shares: dict[str, Share] = {}
        # What each waiting customer was told last, so an unchanged place is not sent again.
        self.sent_positions: dict[str, tuple[int, int | None]] = {}
        # Waiting contacts by what their estimate depends on (channel, skills), with the
        # estimate's inputs last used for each: when those change, that kind is told again.
        self.kind_of: dict[str, tuple[str, frozenset[str]]] = {}
        self.by_kind: dict[tuple[str, frozenset[str]], set[str]] = {}
        self.sent_inputs: dict[tuple[str, frozenset[str]], tuple[int, int, float]] = {}
        # Contacts whose customer must be told their place again even if it did not move.
        self.retell: set[str] = set()
        self.sent_queue: dict[str, Any] | None = None
        self.handle: dict[str, deque[float]] = {
            c: deque(maxlen=estimates.HANDLE_WINDOW) for c in routing.CHANNELS
        }
        # Sites by key with the time they were read (see actions.visitors.site_by_key), and
        # the key of each site id seen (the site label of the per-site metrics).
        self.sites: dict[str, tuple[float, dict[str, Any] | None]] = {}
        # Per site a customer connected to: whether its customers were last told an agent is
        # available (perform.tell_availability tells them when that changes).
        self.told_online: dict[str, bool] = {}
        self.site_keys: dict[str, str] = {}
        # Agent sockets by sid, each with its token's hash and expiry: the sockets of a token
        # that expires or is revoked are ended (hub.actions.agents.end_sessions). Revocations
        # by another process (the CLI) are looked for in the store at ``sessions_checked_at``
        # plus the configured interval.
        self.agent_sessions: dict[str, AgentSession] = {}
        self.sessions_checked_at = 0.0
        # Failed logins per account and per client address, made at the first login (they
        # need the configuration). In this process's memory: cluster mode moves them to Redis.
        self.login_failures: tuple[FailureWindow, FailureWindow] | None = None
        # The argon2 checks allowed to run at once (hub.actions.agents), made at the first login.
        self.login_slots: asyncio.Semaphore | None = None
        # Attachments each uploader (a customer, an agent) may still send (hub.actions.files).
        self.upload_buckets: dict[str, TokenBucket] = {}
        # The router sleeps until ``wakes_at`` (the engine's next deadline) or until woken.
        self.wake = asyncio.Event()
        self.wakes_at: float | None = None

    # contacts

    def track(self, row: dict[str, Any], customer_name: str | None) -> None:
        self.meta[row["id"]] = ContactMeta(
            conversation_id=row["conversation_id"],
            customer_id=row["customer_id"],
            customer_name=customer_name,
            channel=row["channel"],
            created_at=row["created_at"],
            site_id=row["site_id"],
            phone=row.get("phone"),
            attempts=row.get("attempts") or 0,
            text=row.get("first_text"),
            follow_up=row.get("follow_up"),
        )
        self.contacts_of.setdefault(row["customer_id"], set()).add(row["id"])

    def forget(self, contact_id: str) -> None:
        meta = self.meta.pop(contact_id, None)
        if meta is not None:
            mine = self.contacts_of.get(meta.customer_id)
            if mine is not None:
                mine.discard(contact_id)
                if not mine:
                    del self.contacts_of[meta.customer_id]
                    if meta.customer_id not in self.customer_sids:
                        self.customer_seen.pop(meta.customer_id, None)
        self.sent_positions.pop(contact_id, None)
        self.shares.pop(contact_id, None)
        self.retell.discard(contact_id)
        kind = self.kind_of.pop(contact_id, None)
        if kind is not None:
            members = self.by_kind[kind]
            members.discard(contact_id)
            if not members:
                del self.by_kind[kind]
                self.sent_inputs.pop(kind, None)

    def waiting_kind(self, contact_id: str, kind: tuple[str, frozenset[str]]) -> None:
        """Remember what the estimate of a contact in line depends on."""
        if self.kind_of.get(contact_id) != kind:
            self.kind_of[contact_id] = kind
            self.by_kind.setdefault(kind, set()).add(contact_id)

    def site_label(self, site_id: str) -> str:
        """The site label of the per-site metrics: its key (its id if it was never read)."""
        return self.site_keys.get(site_id, site_id)

    def share(self, contact_id: str) -> Share:
        return self.shares.setdefault(contact_id, Share())

    # estimates

    def record_handle_time(self, channel: str, seconds: float) -> None:
        if seconds >= 0:
            self.handle.setdefault(channel, deque(maxlen=estimates.HANDLE_WINDOW)).append(seconds)

    def average_handle_s(self, channel: str) -> float:
        return estimates.average_handle_s(channel, self.handle.get(channel, ()))

    def estimate_inputs(self, channel: str, skills: frozenset[str]) -> tuple[int, int, float]:
        """What a waiting contact's estimate depends on besides its place: free and busy
        slots and the handle time (unused, so left out, when nobody can serve it)."""
        free, busy = self.slots(channel, skills)
        return (free, busy, self.average_handle_s(channel) if free + busy else 0.0)

    def slots(self, channel: str, skills: frozenset[str]) -> tuple[int, int]:
        """Free and busy serving slots on ``channel`` among available, connected agents who
        have every one of ``skills``: only they can serve a contact that needs them."""
        free = busy = 0
        for agent in self.engine.agents.values():
            if not agent.connected or agent.status != "available" or not skills <= agent.skills:
                continue
            f, b = capacity.slots(agent.capacity, self.engine.load(agent.id), channel)
            free += f
            busy += b
        return free, busy

    # views

    def offer_payload(self, offer: routing.Offer, now: float) -> dict[str, Any]:
        """The ``offer`` the agent's console is sent live, and again in its snapshot."""
        meta = self.meta[offer.contact_id]
        payload = {
            "contact_id": offer.contact_id,
            "channel": meta.channel,
            "conversation_id": meta.conversation_id,
            "site_id": meta.site_id,
            "customer": {"id": meta.customer_id, "name": meta.customer_name},
            "waited_ms": int(max(0.0, now - meta.created_at) * 1000),
            "expires_in_ms": int(max(0.0, offer.expires_at - now) * 1000),
            "auto_answer": offer.auto_answer,
        }
        if meta.phone:
            payload["phone"] = meta.phone
        if meta.text:
            payload["text"] = meta.text[:280]
        if meta.follow_up:
            payload["follow_up"] = meta.follow_up
        return payload

    def queue_summary(self, now: float) -> dict[str, Any]:
        waiting = {c: 0 for c in routing.CHANNELS}
        longest = {c: 0 for c in routing.CHANNELS}
        for contact in self.engine.contacts.values():
            if contact.state == "assigned":
                continue
            waiting[contact.channel] += 1
            longest[contact.channel] = max(longest[contact.channel], int(now - contact.enqueued_at))
        return {"waiting": waiting, "longest_wait_s": longest}

    def agent_view(self, agent_id: str, now: float) -> dict[str, Any]:
        """An agent as supervisors see them: status (with its reason, since when, who set it,
        the time in each status today) and load."""
        day = self.agent_days.get(agent_id)
        if day is None:
            day = self.agent_days[agent_id] = StatusDay()
        day.roll(now, self.zone)
        agent = self.engine.agents.get(agent_id)
        if agent is None:
            return {"id": agent_id, "status": "offline", "load": {}, **day.view()}
        status = agent.status if agent.connected else "offline"
        return {"id": agent_id, "status": status, "load": self.engine.load(agent_id), **day.view()}

    def customer_presence(self, customer_id: str) -> dict[str, Any]:
        """Whether the customer has a socket open now: ``online``, and ``online_since`` or
        ``last_seen`` (null when this hub has not seen them)."""
        online, since = self.customer_seen.get(customer_id, (False, None))
        return {
            "online": online,
            "online_since": since if online else None,
            "last_seen": since if not online else None,
        }

    def assigned_to(self, agent_id: str) -> list[str]:
        """The contacts assigned to the agent now."""
        return [
            contact_id
            for contact_id, contact in self.engine.contacts.items()
            if contact.agent_id == agent_id and contact.state == "assigned"
        ]


def agent_from_row(row: dict[str, Any]) -> routing.Agent:
    return routing.Agent(
        id=row["id"],
        skills=frozenset(row["skills"] or ()),
        capacity=dict(row["capacity"] or capacity.DEFAULT_CAPACITY),
        auto_answer=bool(row["auto_answer"]),
        sites=None if row.get("sites") is None else frozenset(row["sites"]),
    )


def contact_from_row(row: dict[str, Any]) -> routing.Contact:
    return routing.Contact(
        id=row["id"],
        site_id=row["site_id"],
        channel=row["channel"],
        enqueued_at=row["enqueued_at"],
        skills=frozenset(row["skills"] or ()),
        not_before=row["not_before"],
        sticky_agent_id=row["sticky_agent_id"],
        sticky_until=row["sticky_until"],
        follow_up=row.get("follow_up_of") is not None,
    )
