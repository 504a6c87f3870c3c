"""The routing engine: which waiting contact is offered to which agent, and when."""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import Mapping
from types import MappingProxyType
from typing import TypeAlias

from hub.core.capacity import DEFAULT_CAPACITY, fits
from hub.core.model import (
    CHANNELS,
    DEFAULT_OFFER_TIMEOUT,
    PRIORITY,
    Abandoned,
    Agent,
    Channel,
    Contact,
    ContactState,
    Decision,
    GraceExpired,
    NotAssigned,
    Offer,
    OfferGone,
    Presence,
    Requeued,
    Revoke,
    RevokeReason,
    SetAway,
    serves,
)

__all__ = [
    "CHANNELS",
    "DEFAULT_CAPACITY",
    "DEFAULT_OFFER_TIMEOUT",
    "PRIORITY",
    "Abandoned",
    "Agent",
    "Channel",
    "Contact",
    "ContactState",
    "Decision",
    "Engine",
    "GraceExpired",
    "NotAssigned",
    "Offer",
    "OfferGone",
    "Presence",
    "Requeued",
    "Revoke",
    "RevokeReason",
    "SetAway",
]

# A waiting contact's place in line: (priority, enqueued_at, id). The id makes it total.
_Key: TypeAlias = tuple[int, float, str]


def _priority(contact: Contact) -> int:
    """Channels in PRIORITY order; inside a channel, follow-ups ahead of ordinary contacts."""
    return 2 * PRIORITY[contact.channel] + (0 if contact.follow_up else 1)


class Engine:
    """Waiting contacts, agents, offers and assignments; every method is pure and synchronous.

    Methods that change state return the decisions the caller must carry out (send an offer,
    withdraw one, tell an agent they were set away). Only :meth:`step` makes offers: the caller
    runs it after every change that may free capacity, and again at :meth:`next_deadline`.
    """

    def __init__(
        self,
        offer_timeout: Mapping[Channel, float] | None = None,
        max_missed: int = 2,
        repass_after: float = 30.0,
        grace_s: float = 30.0,
    ) -> None:
        self.offer_timeout: dict[Channel, float] = {
            **DEFAULT_OFFER_TIMEOUT,
            **(offer_timeout or {}),
        }
        self.max_missed = max_missed
        self.repass_after = repass_after
        self.grace_s = grace_s
        self._contacts: dict[str, Contact] = {}
        self._agents: dict[str, Agent] = {}
        # The sort key is kept apart so that a caller mutating a Contact cannot corrupt the line.
        self._keys: dict[str, _Key] = {}
        # Sorted keys of the contacts in state "waiting": the queue, walked in order by step.
        self._waiting: list[_Key] = []
        # agent_id -> contact_id of the agent's one outstanding offer.
        self._offer_of: dict[str, str] = {}
        self._load: dict[str, dict[Channel, int]] = {}
        # Agents that could be offered something now: available, connected, no outstanding
        # offer, some free capacity. Step only looks at these.
        self._free: set[str] = set()
        # Assigned contacts whose agent is gone, each with its grace_until.
        self._graced: set[str] = set()
        # The line each site's customers see: sorted keys of contacts waiting or offered, due
        # or not. What changed in it since line_changes() was last asked is kept as the first
        # key changed per site (every place from there on may have moved, none before it),
        # so that telling customers their places costs what moved, not the whole line.
        self._line: dict[str, list[_Key]] = {}
        self._moved: dict[str, _Key] = {}
        self._later: set[str] = set()  # in line with a not_before, not yet seen due
        self._places: dict[str, int] = {}
        self._line_count: dict[Channel, int] = dict.fromkeys(CHANNELS, 0)
        # Contacts in line whose customer is away, each with its abandon_at.
        self._leaving: set[str] = set()

    # -- read-only views -------------------------------------------------------------------

    @property
    def contacts(self) -> Mapping[str, Contact]:
        return MappingProxyType(self._contacts)

    @property
    def agents(self) -> Mapping[str, Agent]:
        return MappingProxyType(self._agents)

    def load(self, agent_id: str) -> dict[str, int]:
        """Assigned contacts per channel for the agent (KeyError if unknown)."""
        return {channel: count for channel, count in self._load[agent_id].items()}

    def offer_of(self, agent_id: str) -> Offer | None:
        """The agent's outstanding offer, the same decision step() made, or None.

        A console that reloads while an offer is out is shown it again from this.
        """
        contact_id = self._offer_of.get(agent_id)
        if contact_id is None:
            return None
        return self._offer_decision(self._contacts[contact_id], self._agents[agent_id])

    # -- contacts --------------------------------------------------------------------------

    def add_contact(self, contact: Contact) -> None:
        """Put a new contact in line. The engine owns the object from now on."""
        if contact.id in self._contacts:
            raise ValueError(f"duplicate contact id {contact.id!r}")
        if contact.state != "waiting" or contact.agent_id is not None:
            # A rebuilt assignment comes in as waiting and then goes through assign().
            raise ValueError(f"contact {contact.id!r} must be added as waiting")
        self._contacts[contact.id] = contact
        self._keys[contact.id] = (_priority(contact), contact.enqueued_at, contact.id)
        insort(self._waiting, self._keys[contact.id])
        self._join_line(contact)

    def remove_contact(self, contact_id: str) -> list[Decision]:
        """The contact was cancelled or ended: forget it, withdrawing its offer if any."""
        contact = self._contacts.get(contact_id)
        if contact is None:
            return []
        out: list[Decision] = []
        if contact.state != "assigned":
            self._leave_line(contact)
        if contact.state == "waiting":
            self._unqueue(contact)
        elif contact.state == "offered":
            out.append(Revoke(contact_id, self._clear_offer(contact), "cancelled"))
        else:
            self._unassign(contact)
            self._set_grace(contact, None)
        self._leaving.discard(contact_id)
        del self._contacts[contact_id]
        del self._keys[contact_id]
        return out

    def set_abandon(self, contact_id: str, at: float | None) -> None:
        """The contact's customer went away (``at``: give up then) or came back (None).

        Only chats and videos in line are abandoned this way: a callback's customer need not
        stay, and an assigned contact is the agent's to end. Unknown contacts are ignored.
        """
        contact = self._contacts.get(contact_id)
        if contact is None or contact.channel == "callback" or contact.state == "assigned":
            return
        contact.abandon_at = at
        if at is None:
            self._leaving.discard(contact_id)
        else:
            self._leaving.add(contact_id)

    def assign(self, contact_id: str, agent_id: str, now: float) -> list[Decision]:
        """Assign directly, without an offer: used to rebuild state from the store.

        Capacity is not checked, because the store records what really happened. If the contact
        was offered to another agent, that offer is revoked with reason ``"taken"``. ``now`` is
        when the assignment happened. The grace of a disconnected agent starts when the caller
        says so with :meth:`set_connected` (at restart: when the engine is rebuilt).
        """
        contact = self._contacts.get(contact_id)
        agent = self._agents.get(agent_id)
        if contact is None or agent is None:
            raise ValueError(f"unknown contact {contact_id!r} or agent {agent_id!r}")
        out: list[Decision] = []
        if contact.state == "assigned":
            if contact.agent_id == agent_id:
                return out
            self._unassign(contact)
        elif contact.state == "offered":
            offered_to = self._clear_offer(contact)
            if offered_to != agent_id:
                out.append(Revoke(contact_id, offered_to, "taken"))
        else:
            self._unqueue(contact)
        self._make_assigned(contact, agent, now)
        return out

    def requeue(
        self, contact_id: str, now: float, not_before: float | None = None
    ) -> list[Decision]:
        """Send an assigned or offered contact back to its original place in line.

        Used when an agent's disconnect grace runs out and for callback retries (``not_before``).
        """
        contact = self._contacts.get(contact_id)
        if contact is None:
            return []
        out: list[Decision] = []
        if contact.state == "offered":
            out.append(self._withdraw(contact, "cancelled"))
        elif contact.state == "assigned":
            self._unassign(contact)
            self._enqueue(contact)
            self._join_line(contact)
            out.append(Requeued(contact_id))
        if not_before is not None:
            contact.not_before = not_before
            self._later.add(contact_id)
            self._mark_moved(contact)
        return out

    def transfer(
        self,
        contact_id: str,
        now: float,
        *,
        to_agent_id: str | None = None,
        hold_until: float | None = None,
        skills: frozenset[str] | None = None,
    ) -> list[Decision]:
        """Take an assigned contact from its agent and put it back at its original place.

        With ``to_agent_id`` it is held for that agent alone until ``hold_until`` (the next
        step offers it to them as soon as they are free, whatever its skills); once they
        decline it, miss it, or the hold ends, it goes to anyone. With ``skills`` it needs
        those from now on. The agent who had it is not offered it again for ``repass_after``.
        :class:`NotAssigned` for a contact that is not assigned, ``ValueError`` for an
        unknown target or its own agent; nothing changes then.
        """
        contact = self._contacts.get(contact_id)
        if contact is None or contact.state != "assigned" or contact.agent_id is None:
            raise NotAssigned(f"contact {contact_id!r} is not assigned")
        old = contact.agent_id
        if to_agent_id is not None and (to_agent_id == old or to_agent_id not in self._agents):
            raise ValueError(f"cannot transfer contact {contact_id!r} to {to_agent_id!r}")
        self._unassign(contact)
        self._enqueue(contact)
        self._join_line(contact)
        if skills is not None:
            contact.skills = skills
        contact.passed_by[old] = now + self.repass_after
        contact.sticky_agent_id = to_agent_id
        contact.sticky_until = hold_until if to_agent_id is not None else None
        contact.transferred_to = to_agent_id
        if to_agent_id is not None:
            contact.passed_by.pop(to_agent_id, None)
        return [Requeued(contact_id)]

    # -- agents ----------------------------------------------------------------------------

    def upsert_agent(self, agent: Agent) -> None:
        """Add an agent, or replace the static data (skills, sites, capacity, auto_answer) of a
        known one.

        A known agent keeps its live state (presence, connection, idle time, missed offers,
        outstanding offer and assignments); the engine keeps its own object.
        """
        known = self._agents.get(agent.id)
        if known is None:
            self._agents[agent.id] = agent
            self._load[agent.id] = {"chat": 0, "video": 0, "callback": 0}
            known = agent
        else:
            known.skills = agent.skills
            known.sites = agent.sites
            known.capacity = dict(agent.capacity)
            known.auto_answer = agent.auto_answer
        self._refresh(known)

    def set_presence(self, agent_id: str, status: Presence, now: float) -> list[Decision]:
        """Change presence. Leaving ``available`` withdraws the outstanding offer (``cancelled``).

        Only ``available`` is offered anything; ``away``, ``break`` and ``offline`` differ only
        to the people who read them. Becoming available forgives missed offers. KeyError for an
        unknown agent.
        """
        agent = self._agents[agent_id]
        agent.status = status
        out: list[Decision] = []
        if status == "available":
            agent.missed_in_row = 0
        else:
            out.extend(self._withdraw_offer_of(agent_id))
        self._refresh(agent)
        return out

    def set_connected(self, agent_id: str, connected: bool, now: float) -> list[Decision]:
        """Track the agent's socket. A disconnect withdraws the outstanding offer at once.

        Assigned contacts stay assigned for ``grace_s`` (a reload, a network blip); if the agent
        is still gone then, step() says :class:`GraceExpired` for each. A reconnect keeps them.
        """
        agent = self._agents[agent_id]
        agent.connected = connected
        out = [] if connected else self._withdraw_offer_of(agent_id)
        for contact in self._contacts.values():
            if contact.agent_id == agent_id and contact.state == "assigned":
                self._set_grace(contact, None if connected else now + self.grace_s)
        self._refresh(agent)
        return out

    # -- offers ----------------------------------------------------------------------------

    def accept(self, contact_id: str, agent_id: str, now: float) -> None:
        """The agent took the offer: it becomes an assignment."""
        contact = self._offered_to(contact_id, agent_id, now)
        agent = self._agents[agent_id]
        self._clear_offer(contact)
        self._make_assigned(contact, agent, now)
        agent.missed_in_row = 0

    def decline(self, contact_id: str, agent_id: str, now: float) -> list[Decision]:
        """The agent said no: the contact goes back to its place, and skips this agent a while.

        A decline shows the agent is at the console, so it also breaks a run of missed offers.
        Returns no decisions today (the agent's console already knows); run step() to offer the
        contact to the next agent.
        """
        contact = self._offered_to(contact_id, agent_id, now)
        self._withdraw(contact, "cancelled")
        contact.passed_by[agent_id] = now + self.repass_after
        self._agents[agent_id].missed_in_row = 0
        return []

    # -- the clock -------------------------------------------------------------------------

    def step(self, now: float) -> list[Decision]:
        """Expire overdue offers and graces, then offer waiting contacts to free agents."""
        out: list[Decision] = []
        self._expire(now, out)
        self._end_graces(now, out)
        self._abandon(now, out)
        self._match(now, out)
        return out

    def next_deadline(self, now: float) -> float | None:
        """The earliest time at which step() could change something, or None.

        That is an offer expiry, the end of a disconnected agent's grace, a ``not_before``, a
        ``sticky_until`` or the end of a pass-over of a waiting contact. A value ``<= now``
        means step() is due at once.
        """
        times = [t for c in self._graced if (t := self._contacts[c].grace_until) is not None]
        times.extend(t for c in self._leaving if (t := self._contacts[c].abandon_at) is not None)
        for contact_id in self._offer_of.values():
            expires_at = self._contacts[contact_id].offer_expires_at
            if expires_at is not None:
                times.append(expires_at)
        for _, _, contact_id in self._waiting:
            contact = self._contacts[contact_id]
            if contact.not_before is not None and contact.not_before > now:
                times.append(contact.not_before)
            if contact.sticky_until is not None and contact.sticky_until > now:
                times.append(contact.sticky_until)
            times.extend(t for t in contact.passed_by.values() if t > now)
        return min(times, default=None)

    # -- what customers are told -----------------------------------------------------------

    def queue_positions(self, now: float) -> dict[str, int]:
        """1-based place of every due waiting or offered contact among those of its site.

        Contacts are ordered by ``(priority, enqueued_at, id)`` as in step(). Those not due yet
        (``not_before > now``: a callback booked for later, a retry) are not in line and have no
        place; their customers are told the time instead. Leaving them out also spares a
        backlog of booked callbacks a position push every time the line moves.
        """
        by_site: dict[str, list[_Key]] = {}
        for contact in self._contacts.values():
            if contact.state == "assigned":
                continue
            if contact.not_before is not None and contact.not_before > now:
                continue
            by_site.setdefault(contact.site_id, []).append(self._keys[contact.id])
        positions: dict[str, int] = {}
        for entries in by_site.values():
            entries.sort()
            for place, key in enumerate(entries, start=1):
                positions[key[2]] = place
        return positions

    def line_changes(self, now: float) -> dict[str, int]:
        """The places that changed since this was last asked: ``{contact_id: place}``.

        Together they keep :attr:`places` equal to :meth:`queue_positions` ``(now)``; only the
        part of each site's line from its first change on is walked, so a contact joining the
        back of a long line costs one place, not the whole line. A contact that left the line
        (assigned, ended, or not due yet) is not reported: it has no place.
        """
        for contact_id in list(self._later):
            contact = self._contacts[contact_id]
            if contact.not_before is None or contact.not_before <= now:
                self._later.discard(contact_id)
                self._mark_moved(contact)
        changed: dict[str, int] = {}
        for site_id, first in self._moved.items():
            line = self._line.get(site_id, [])
            i = bisect_left(line, first)
            not_due_before = sum(
                1
                for c in self._later
                if self._contacts[c].site_id == site_id and self._keys[c] < first
            )
            place = i - not_due_before
            for key in line[i:]:
                contact_id = key[2]
                if contact_id in self._later:
                    self._places.pop(contact_id, None)
                    continue
                place += 1
                if self._places.get(contact_id) != place:
                    self._places[contact_id] = place
                    changed[contact_id] = place
        self._moved.clear()
        return changed

    @property
    def places(self) -> Mapping[str, int]:
        """Every due contact's place in line as of the last :meth:`line_changes`."""
        return MappingProxyType(self._places)

    def line_counts(self) -> dict[Channel, int]:
        """Contacts waiting or offered per channel, due or not (what supervisors are shown)."""
        return dict(self._line_count)

    def has_online_agent(self, site_id: str, channel: Channel, skills: frozenset[str]) -> bool:
        """Whether some connected, available agent of the site could ever serve this, busy or
        not."""
        return any(
            agent.connected
            and agent.status == "available"
            and serves(agent, site_id)
            and skills <= agent.skills
            and agent.capacity.get(channel, 0) > 0
            for agent in self._agents.values()
        )

    # -- internals -------------------------------------------------------------------------

    def _offered_to(self, contact_id: str, agent_id: str, now: float) -> Contact:
        contact = self._contacts.get(contact_id)
        if (
            contact is None
            or contact.state != "offered"
            or contact.agent_id != agent_id
            or contact.offer_expires_at is None
            # Expired but not yet swept by step(): too late all the same.
            or contact.offer_expires_at <= now
        ):
            raise OfferGone(f"contact {contact_id!r} is not offered to agent {agent_id!r}")
        return contact

    def _join_line(self, contact: Contact) -> None:
        key = self._keys[contact.id]
        insort(self._line.setdefault(contact.site_id, []), key)
        self._line_count[contact.channel] += 1
        if contact.not_before is not None:
            self._later.add(contact.id)
        self._mark_moved(contact)

    def _leave_line(self, contact: Contact) -> None:
        key = self._keys[contact.id]
        line = self._line[contact.site_id]
        i = bisect_left(line, key)
        if i < len(line) and line[i] == key:
            del line[i]
            self._line_count[contact.channel] -= 1
        self._later.discard(contact.id)
        self._places.pop(contact.id, None)
        self._mark_moved(contact)

    def _mark_moved(self, contact: Contact) -> None:
        key = self._keys[contact.id]
        first = self._moved.get(contact.site_id)
        if first is None or key < first:
            self._moved[contact.site_id] = key

    def _enqueue(self, contact: Contact) -> None:
        contact.state = "waiting"
        contact.agent_id = None
        contact.offer_expires_at = None
        self._set_grace(contact, None)
        insort(self._waiting, self._keys[contact.id])

    def _unqueue(self, contact: Contact) -> None:
        key = self._keys[contact.id]
        i = bisect_left(self._waiting, key)
        if i < len(self._waiting) and self._waiting[i] == key:
            del self._waiting[i]

    def _clear_offer(self, contact: Contact) -> str:
        """End the contact's outstanding offer on the agent's side; return that agent's id."""
        agent_id = contact.agent_id
        assert agent_id is not None
        del self._offer_of[agent_id]
        contact.agent_id = None
        contact.offer_expires_at = None
        self._refresh(self._agents[agent_id])
        return agent_id

    def _withdraw(self, contact: Contact, reason: RevokeReason) -> Revoke:
        """End the contact's outstanding offer and put it back at its place in line."""
        agent_id = self._clear_offer(contact)
        self._enqueue(contact)
        return Revoke(contact.id, agent_id, reason)

    def _withdraw_offer_of(self, agent_id: str) -> list[Decision]:
        contact_id = self._offer_of.get(agent_id)
        if contact_id is None:
            return []
        return [self._withdraw(self._contacts[contact_id], "cancelled")]

    def _make_assigned(self, contact: Contact, agent: Agent, now: float) -> None:
        if contact.state != "assigned":
            self._leave_line(contact)
        contact.abandon_at = None
        self._leaving.discard(contact.id)
        contact.state = "assigned"
        contact.agent_id = agent.id
        contact.offer_expires_at = None
        self._set_grace(contact, None)
        self._load[agent.id][contact.channel] += 1
        agent.last_active_at = now
        self._refresh(agent)

    def _unassign(self, contact: Contact) -> None:
        agent_id = contact.agent_id
        assert agent_id is not None
        self._load[agent_id][contact.channel] -= 1
        self._refresh(self._agents[agent_id])

    def _set_grace(self, contact: Contact, until: float | None) -> None:
        contact.grace_until = until
        if until is None:
            self._graced.discard(contact.id)
        else:
            self._graced.add(contact.id)

    def _end_graces(self, now: float, out: list[Decision]) -> None:
        if not self._graced:
            return
        due = sorted(
            (grace_until, contact_id)
            for contact_id in self._graced
            if (grace_until := self._contacts[contact_id].grace_until) is not None
            and grace_until <= now
        )
        for _, contact_id in due:
            contact = self._contacts[contact_id]
            self._set_grace(contact, None)
            assert contact.agent_id is not None
            if not self._agents[contact.agent_id].connected:
                out.append(GraceExpired(contact_id, contact.agent_id))

    def _abandon(self, now: float, out: list[Decision]) -> None:
        if not self._leaving:
            return
        due = sorted(
            (abandon_at, contact_id)
            for contact_id in self._leaving
            if (abandon_at := self._contacts[contact_id].abandon_at) is not None
            and abandon_at <= now
        )
        for _, contact_id in due:
            # Before anything is offered in this step: nobody is offered a ghost.
            out.extend(self.remove_contact(contact_id))
            out.append(Abandoned(contact_id))
        # A contact whose customer has gone is not offered while they are away: an offer made
        # before they left is withdrawn, and _match passes the contact by until they return.
        for contact_id in sorted(self._leaving):
            contact = self._contacts[contact_id]
            if contact.state == "offered":
                out.append(self._withdraw(contact, "cancelled"))

    def _refresh(self, agent: Agent) -> None:
        if (
            agent.status == "available"
            and agent.connected
            and agent.id not in self._offer_of
            and any(fits(agent.capacity, self._load[agent.id], channel) for channel in CHANNELS)
        ):
            self._free.add(agent.id)
        else:
            self._free.discard(agent.id)

    def _expire(self, now: float, out: list[Decision]) -> None:
        due: list[tuple[float, str]] = []
        for contact_id in self._offer_of.values():
            expires_at = self._contacts[contact_id].offer_expires_at
            if expires_at is not None and expires_at <= now:
                due.append((expires_at, contact_id))
        # Sorted so that the decisions come out in the same order on every run.
        for _, contact_id in sorted(due):
            contact = self._contacts[contact_id]
            revoke = self._withdraw(contact, "expired")
            out.append(revoke)
            agent = self._agents[revoke.agent_id]
            contact.passed_by[agent.id] = now + self.repass_after
            agent.missed_in_row += 1
            if agent.missed_in_row >= self.max_missed and agent.status == "available":
                agent.status = "away"
                self._refresh(agent)
                out.append(SetAway(agent.id))

    def _sticky_agent(self, contact: Contact, now: float) -> str | None:
        """The only agent the contact may be offered to now, if its sticky window is open.

        Once the sticky agent has declined or missed it, the window closes early: the contact
        was offered first, as promised, and now goes to anyone.
        """
        agent_id = contact.sticky_agent_id
        if agent_id is None or contact.sticky_until is None or contact.sticky_until <= now:
            return None
        if contact.passed_by.get(agent_id, -math.inf) > now:
            return None
        return agent_id

    def _eligible(self, agent: Agent, contact: Contact, now: float) -> bool:
        """Eligibility of an agent already known to be free (see ``_free``)."""
        return (
            (
                contact.skills <= agent.skills
                or (
                    contact.transferred_to == agent.id
                    and self._sticky_agent(contact, now) == agent.id
                )
            )
            and serves(agent, contact.site_id)
            and contact.passed_by.get(agent.id, -math.inf) <= now
            and fits(agent.capacity, self._load[agent.id], contact.channel)
        )

    def _spare(self, agent: Agent, channel: Channel) -> int:
        return agent.capacity.get(channel, 0) - self._load[agent.id][channel]

    def _pick(self, free: list[Agent], contact: Contact, now: float) -> Agent | None:
        """Longest idle eligible agent; then most spare capacity for the channel; then id.

        ``free`` is sorted by (last_active_at, id), so the walk stops at the first agent idle
        for less time than the best one found.
        """
        best: Agent | None = None
        best_spare = 0
        for agent in free:
            if best is not None and agent.last_active_at > best.last_active_at:
                break
            if not self._eligible(agent, contact, now):
                continue
            spare = self._spare(agent, contact.channel)
            if best is None or spare > best_spare:
                best, best_spare = agent, spare
        return best

    def _match(self, now: float, out: list[Decision]) -> None:
        if not self._free or not self._waiting:
            return
        free = sorted((self._agents[a] for a in self._free), key=lambda a: (a.last_active_at, a.id))
        # Contacts of the same site, channel and skills, no sticky agent and no pass-over have
        # the same candidates. Agents only leave `free` during a walk, so once one such contact
        # finds nobody, the later ones of its kind are skipped without looking at any agent.
        hopeless: set[tuple[str, Channel, frozenset[str]]] = set()
        for _, _, contact_id in list(self._waiting):
            if not free:
                break  # nobody left who could take anything
            contact = self._contacts[contact_id]
            if contact.not_before is not None and contact.not_before > now:
                continue
            if contact.abandon_at is not None:
                continue  # its customer has no socket open: nobody is offered a ghost
            chosen: Agent | None = None
            sticky_id = self._sticky_agent(contact, now)
            if sticky_id is not None:
                sticky = self._agents.get(sticky_id)
                if (
                    sticky is not None
                    and sticky_id in self._free
                    and self._eligible(sticky, contact, now)
                ):
                    chosen = sticky
            else:
                kind: tuple[str, Channel, frozenset[str]] | None = None
                if all(t <= now for t in contact.passed_by.values()):
                    kind = (contact.site_id, contact.channel, contact.skills)
                    if kind in hopeless:
                        continue
                chosen = self._pick(free, contact, now)
                if chosen is None and kind is not None:
                    hopeless.add(kind)
            if chosen is not None:
                free.remove(chosen)
                out.append(self._offer(contact, chosen, now))

    def _offer(self, contact: Contact, agent: Agent, now: float) -> Offer:
        self._unqueue(contact)
        expires_at = now + self.offer_timeout[contact.channel]
        contact.state = "offered"
        contact.agent_id = agent.id
        contact.offer_expires_at = expires_at
        agent.last_active_at = now
        self._offer_of[agent.id] = contact.id
        self._free.discard(agent.id)
        return self._offer_decision(contact, agent)

    @staticmethod
    def _offer_decision(contact: Contact, agent: Agent) -> Offer:
        assert contact.offer_expires_at is not None
        return Offer(
            contact.id,
            agent.id,
            contact.offer_expires_at,
            agent.auto_answer and contact.channel == "video",
        )
