"""Property tests for the routing engine: invariants under random sequences of events."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from hub.core.routing import (
    PRIORITY,
    Abandoned,
    Agent,
    Channel,
    Contact,
    Decision,
    Engine,
    Offer,
    OfferGone,
    Requeued,
    Revoke,
    SetAway,
)

AGENT_IDS = ("a0", "a1", "a2", "a3")
SKILLS = st.frozensets(st.sampled_from(["fr", "de"]), max_size=2)
CHANNELS = st.sampled_from(["chat", "video", "callback"])
# An agent's team: every site, or some of the two.
TEAMS = st.none() | st.frozensets(st.sampled_from(["s1", "s2"]), min_size=1)


def key(contact: Contact) -> tuple[int, float, str]:
    # Channels in PRIORITY order; inside a channel, follow-ups first.
    return (
        2 * PRIORITY[contact.channel] + (not contact.follow_up),
        contact.enqueued_at,
        contact.id,
    )


class RoutingMachine(RuleBasedStateMachine):
    """Drives an Engine and re-derives every invariant from its public state."""

    def __init__(self) -> None:
        super().__init__()
        self.engine = Engine(repass_after=5.0)
        self.now = 0.0
        self.serial = 0
        self.enqueued_at: dict[str, float] = {}
        # Outstanding offers as told by the decisions: contact_id -> agent_id.
        self.outstanding: dict[str, str] = {}

    @initialize(
        skills=st.lists(SKILLS, min_size=len(AGENT_IDS), max_size=len(AGENT_IDS)),
        chat=st.lists(st.integers(0, 3), min_size=len(AGENT_IDS), max_size=len(AGENT_IDS)),
        whole=st.lists(st.integers(0, 1), min_size=len(AGENT_IDS), max_size=len(AGENT_IDS)),
        teams=st.lists(TEAMS, min_size=len(AGENT_IDS), max_size=len(AGENT_IDS)),
    )
    def agents(
        self,
        skills: list[frozenset[str]],
        chat: list[int],
        whole: list[int],
        teams: list[frozenset[str] | None],
    ) -> None:
        for i, agent_id in enumerate(AGENT_IDS):
            capacity = {"chat": chat[i], "video": whole[i], "callback": whole[(i + 1) % 4]}
            self.engine.upsert_agent(
                Agent(
                    agent_id,
                    "available",
                    True,
                    skills=skills[i],
                    capacity=capacity,
                    sites=teams[i],
                )
            )

    # -- helpers ---------------------------------------------------------------------------

    def apply(self, decisions: list[Decision]) -> None:
        """Follow the decisions like a caller would, checking each makes sense."""
        for decision in decisions:
            if isinstance(decision, Offer):
                assert decision.contact_id not in self.outstanding, "offered twice"
                assert decision.agent_id not in self.outstanding.values(), "two offers to agent"
                assert decision.expires_at > self.now
                self.outstanding[decision.contact_id] = decision.agent_id
            elif isinstance(decision, Revoke):
                assert self.outstanding.pop(decision.contact_id) == decision.agent_id
            elif isinstance(decision, SetAway):
                assert self.engine.agents[decision.agent_id].status == "away"
            elif isinstance(decision, Abandoned):
                assert decision.contact_id not in self.engine.contacts
                assert decision.contact_id not in self.outstanding, "abandoned while offered"
                del self.enqueued_at[decision.contact_id]
            else:
                assert isinstance(decision, Requeued)

    def ids(self, state: str) -> list[str]:
        return sorted(c.id for c in self.engine.contacts.values() if c.state == state)

    def load(self, agent_id: str) -> dict[str, int]:
        load = {"chat": 0, "video": 0, "callback": 0}
        for contact in self.engine.contacts.values():
            if contact.state == "assigned" and contact.agent_id == agent_id:
                load[contact.channel] += 1
        return load

    def could_take(self, agent: Agent, contact: Contact) -> bool:
        """Eligibility, ignoring whether the agent already holds an offer."""
        now = self.now
        if agent.status != "available" or not agent.connected:
            return False
        if contact.abandon_at is not None:
            return False  # its customer is away: not offered until they are back
        named = contact.transferred_to == agent.id and contact.sticky_agent_id == agent.id
        if not contact.skills <= agent.skills and not (
            named
            and contact.sticky_until is not None
            and contact.sticky_until > now
            and contact.passed_by.get(agent.id, -math.inf) <= now
        ):
            return False
        if agent.sites is not None and contact.site_id not in agent.sites:
            return False
        if contact.passed_by.get(agent.id, -math.inf) > now:
            return False
        sticky = contact.sticky_agent_id
        if (
            sticky is not None
            and contact.sticky_until is not None
            and contact.sticky_until > now
            and contact.passed_by.get(sticky, -math.inf) <= now
            and sticky != agent.id
        ):
            return False
        load = self.load(agent.id)
        cap = agent.capacity.get(contact.channel, 0)
        if contact.channel == "chat":
            return load["chat"] < cap and load["video"] == 0 and load["callback"] == 0
        return cap > 0 and sum(load.values()) == 0

    def due(self, contact: Contact) -> bool:
        return contact.not_before is None or contact.not_before <= self.now

    def step(self) -> None:
        decisions = self.engine.step(self.now)
        self.apply(decisions)
        contacts = self.engine.contacts
        # A contact whose customer stayed away past its time is gone before anything is offered.
        for contact in contacts.values():
            if contact.state != "assigned" and contact.abandon_at is not None:
                assert contact.abandon_at > self.now, contact
                assert contact.state == "waiting", ("offered while its customer is away", contact)
        waiting = [c for c in contacts.values() if c.state == "waiting" and self.due(c)]
        free = [a for a in self.engine.agents.values() if a.id not in self.outstanding.values()]
        # Work-conserving: nobody due is left waiting while an eligible agent is free.
        for contact in waiting:
            for agent in free:
                assert not self.could_take(agent, contact), (contact, agent)
        # FIFO within a priority: an offer never jumps an earlier contact of the same kind
        # that the same agent could have taken.
        for decision in decisions:
            if not isinstance(decision, Offer):
                continue
            offered = contacts[decision.contact_id]
            agent = self.engine.agents[decision.agent_id]
            for earlier in waiting:
                if (
                    key(earlier) < key(offered)
                    and earlier.channel == offered.channel
                    and earlier.skills == offered.skills
                    and earlier.site_id == offered.site_id
                ):
                    assert not self.could_take(agent, earlier), (earlier, offered)

    # -- rules -----------------------------------------------------------------------------

    @rule(
        channel=CHANNELS,
        site=st.sampled_from(["s1", "s2"]),
        skills=SKILLS,
        back=st.floats(0.0, 20.0),
        hold=st.none() | st.floats(0.0, 30.0),
        sticky=st.none() | st.tuples(st.sampled_from(AGENT_IDS), st.floats(0.0, 15.0)),
        follow_up=st.booleans(),
    )
    def add_contact(
        self,
        channel: Channel,
        site: str,
        skills: frozenset[str],
        back: float,
        hold: float | None,
        sticky: tuple[str, float] | None,
        follow_up: bool,
    ) -> None:
        self.serial += 1
        contact_id = f"c{self.serial}"
        # Enqueued in the past too, as a rebuild or virtual hold would be.
        contact = Contact(
            contact_id, site, channel, self.now - back, skills=skills, follow_up=follow_up
        )
        if hold is not None:
            contact.not_before = self.now + hold
        if sticky is not None:
            contact.sticky_agent_id, contact.sticky_until = sticky[0], self.now + sticky[1]
        self.engine.add_contact(contact)
        self.enqueued_at[contact_id] = contact.enqueued_at

    @rule(i=st.integers(0, 100))
    def remove_contact(self, i: int) -> None:
        ids = sorted(self.engine.contacts)
        if not ids:
            return
        contact_id = ids[i % len(ids)]
        expected = self.outstanding.get(contact_id)
        decisions = self.engine.remove_contact(contact_id)
        if expected is None:
            assert decisions == []
        else:
            assert decisions == [Revoke(contact_id, expected, "cancelled")]
        self.apply(decisions)
        del self.enqueued_at[contact_id]

    @rule(agent_id=st.sampled_from(AGENT_IDS), status=st.sampled_from(["available", "away"]))
    def set_presence(self, agent_id: str, status: str) -> None:
        holds = [c for c, a in self.outstanding.items() if a == agent_id]
        decisions = self.engine.set_presence(agent_id, status, self.now)  # type: ignore[arg-type]
        if status == "away":
            assert decisions == [Revoke(c, agent_id, "cancelled") for c in holds]
        else:
            assert decisions == []
        self.apply(decisions)

    @rule(agent_id=st.sampled_from(AGENT_IDS), team=TEAMS)
    def change_team(self, agent_id: str, team: frozenset[str] | None) -> None:
        """``hub agents set --sites``: the agent keeps what it holds, and takes the new team's."""
        known = self.engine.agents[agent_id]
        self.engine.upsert_agent(
            Agent(
                agent_id,
                skills=known.skills,
                capacity=dict(known.capacity),
                auto_answer=known.auto_answer,
                sites=team,
            )
        )
        assert self.engine.agents[agent_id].sites == team
        assert self.engine.agents[agent_id].status == known.status  # live state kept

    @rule(agent_id=st.sampled_from(AGENT_IDS), connected=st.booleans())
    def set_connected(self, agent_id: str, connected: bool) -> None:
        holds = [c for c, a in self.outstanding.items() if a == agent_id]
        decisions = self.engine.set_connected(agent_id, connected, self.now)
        if not connected:
            assert decisions == [Revoke(c, agent_id, "cancelled") for c in holds]
        else:
            assert decisions == []
        self.apply(decisions)

    @rule(i=st.integers(0, 100))
    def accept(self, i: int) -> None:
        ids = self.ids("offered")
        if not ids:
            return
        contact_id = ids[i % len(ids)]
        agent_id = self.outstanding[contact_id]
        for other in AGENT_IDS:
            if other != agent_id:
                try:
                    self.engine.accept(contact_id, other, self.now)
                except OfferGone:
                    pass
                else:
                    raise AssertionError("accepted an offer made to another agent")
        self.engine.accept(contact_id, agent_id, self.now)
        del self.outstanding[contact_id]
        assert self.engine.contacts[contact_id].state == "assigned"

    @rule(i=st.integers(0, 100))
    def decline(self, i: int) -> None:
        ids = self.ids("offered")
        if not ids:
            return
        contact_id = ids[i % len(ids)]
        agent_id = self.outstanding.pop(contact_id)
        assert self.engine.decline(contact_id, agent_id, self.now) == []
        assert self.engine.contacts[contact_id].state == "waiting"

    @rule(i=st.integers(0, 100), hold=st.none() | st.floats(0.0, 30.0))
    def requeue(self, i: int, hold: float | None) -> None:
        ids = self.ids("assigned")
        if not ids:
            return
        contact_id = ids[i % len(ids)]
        not_before = None if hold is None else self.now + hold
        assert self.engine.requeue(contact_id, self.now, not_before) == [Requeued(contact_id)]

    @rule(
        i=st.integers(0, 100),
        to=st.none() | st.sampled_from(AGENT_IDS),
        hold=st.floats(0.0, 30.0),
        skills=st.none() | SKILLS,
    )
    def transfer(self, i: int, to: str | None, hold: float, skills: frozenset[str] | None) -> None:
        """An agent (or a supervisor) hands an assigned contact on: it keeps its place."""
        ids = self.ids("assigned")
        if not ids:
            return
        contact = self.engine.contacts[ids[i % len(ids)]]
        old = contact.agent_id
        if to == old:
            try:
                self.engine.transfer(contact.id, self.now, to_agent_id=to)
            except ValueError:
                assert contact.state == "assigned" and contact.agent_id == old
                return
            raise AssertionError("transferred to its own agent")
        decisions = self.engine.transfer(
            contact.id, self.now, to_agent_id=to, hold_until=self.now + hold, skills=skills
        )
        assert decisions == [Requeued(contact.id)]
        assert contact.state == "waiting" and contact.agent_id is None
        assert old is not None and contact.passed_by[old] > self.now

    @rule(i=st.integers(0, 100), away=st.none() | st.floats(0.0, 20.0))
    def customer_away(self, i: int, away: float | None) -> None:
        """The customer's last socket closed (give up ``away`` s from now) or came back."""
        ids = sorted(self.engine.contacts)
        if not ids:
            return
        contact = self.engine.contacts[ids[i % len(ids)]]
        self.engine.set_abandon(contact.id, None if away is None else self.now + away)
        if contact.channel == "callback" or contact.state == "assigned":
            assert contact.abandon_at is None

    @rule(dt=st.floats(0.0, 12.0))
    def tick(self, dt: float) -> None:
        deadline = self.engine.next_deadline(self.now)
        self.now += dt
        before = {c.id for c in self.engine.contacts.values() if c.state == "offered"}
        self.step()
        if deadline is None or deadline > self.now:
            # Nothing timed was due, so no offer may have expired.
            after = {c.id for c in self.engine.contacts.values() if c.state == "offered"}
            assert before <= after

    @rule()
    def step_now(self) -> None:
        self.step()

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def within_capacity(self) -> None:
        for agent in self.engine.agents.values():
            load = self.load(agent.id)
            assert self.engine.load(agent.id) == load
            assert load["chat"] <= agent.capacity["chat"]
            if load["video"] or load["callback"]:
                assert sum(load.values()) == 1, (agent.id, load)

    @invariant()
    def offers_match_the_decisions(self) -> None:
        offered = {c.id: c.agent_id for c in self.engine.contacts.values() if c.state == "offered"}
        assert offered == self.outstanding
        assert len(set(offered.values())) == len(offered)

    @invariant()
    def places_never_change(self) -> None:
        assert {c.id: c.enqueued_at for c in self.engine.contacts.values()} == self.enqueued_at

    @invariant()
    def positions_cover_the_line(self) -> None:
        positions = self.engine.queue_positions(self.now)
        in_line = [
            c
            for c in self.engine.contacts.values()
            if c.state != "assigned" and (c.not_before is None or c.not_before <= self.now)
        ]
        assert set(positions) == {c.id for c in in_line}
        for site in {c.site_id for c in in_line}:
            places = sorted(positions[c.id] for c in in_line if c.site_id == site)
            assert places == list(range(1, len(places) + 1))

    @invariant()
    def places_told_follow_the_line(self) -> None:
        # What line_changes() reports, applied to what it reported before, is the whole line.
        before = dict(self.engine.places)
        changed = self.engine.line_changes(self.now)
        expected = self.engine.queue_positions(self.now)
        assert dict(self.engine.places) == expected
        assert {c: p for c, p in expected.items() if before.get(c) != p} == changed
        counts = dict.fromkeys(("chat", "video", "callback"), 0)
        for c in self.engine.contacts.values():
            if c.state != "assigned":
                counts[c.channel] += 1
        assert self.engine.line_counts() == counts


RoutingMachine.TestCase.settings = settings(
    max_examples=400,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_routing_machine = RoutingMachine.TestCase
