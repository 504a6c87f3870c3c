"""Unit tests for the engine's transfer: an assigned contact handed to an agent or the queue."""

from __future__ import annotations

import pytest

from hub.core.routing import Agent, Contact, Engine, NotAssigned, Offer, Requeued, Revoke


def online(engine: Engine, agent_id: str, idle_since: float = 0.0, **kw: object) -> None:
    engine.upsert_agent(
        Agent(agent_id, status="available", connected=True, last_active_at=idle_since, **kw)  # type: ignore[arg-type]
    )


def assigned(
    engine: Engine, contact_id: str, agent_id: str, at: float = 0.0, **kw: object
) -> Contact:
    contact = Contact(contact_id, "s1", "chat", at, **kw)  # type: ignore[arg-type]
    engine.add_contact(contact)
    engine.assign(contact_id, agent_id, at)
    return contact


def offers(engine: Engine, now: float) -> list[tuple[str, str]]:
    return [(d.contact_id, d.agent_id) for d in engine.step(now) if isinstance(d, Offer)]


def test_to_a_named_agent_it_is_offered_to_them_and_freed_from_the_first() -> None:
    engine = Engine()
    online(engine, "a", idle_since=0.0)
    online(engine, "b", idle_since=5.0)
    online(engine, "c", idle_since=1.0)  # idle longer than b: would be picked otherwise
    assigned(engine, "x", "a")
    assert engine.transfer("x", 10.0, to_agent_id="b", hold_until=30.0) == [Requeued("x")]
    assert engine.load("a") == {"chat": 0, "video": 0, "callback": 0}
    assert engine.step(10.0) == [Offer("x", "b", 18.0, False)]


def test_a_named_agent_needs_not_have_the_contacts_skills() -> None:
    engine = Engine()
    online(engine, "a", skills=frozenset({"fr"}))
    online(engine, "b")
    assigned(engine, "x", "a", skills=frozenset({"fr"}))
    engine.transfer("x", 10.0, to_agent_id="b", hold_until=30.0)
    assert offers(engine, 10.0) == [("x", "b")]


def test_declined_by_the_named_agent_it_goes_to_anyone_else_not_back_to_the_first() -> None:
    engine = Engine()
    online(engine, "a")
    online(engine, "b")
    assigned(engine, "x", "a")
    engine.transfer("x", 10.0, to_agent_id="b", hold_until=30.0)
    assert offers(engine, 10.0) == [("x", "b")]
    engine.decline("x", "b", 11.0)
    # a just gave it away and b declined: nobody for now, but it waits, not lost.
    assert offers(engine, 11.0) == []
    assert engine.contacts["x"].state == "waiting"
    online(engine, "c")
    assert offers(engine, 12.0) == [("x", "c")]


def test_missed_by_the_named_agent_it_waits_for_the_next_one() -> None:
    engine = Engine(repass_after=5.0)
    online(engine, "a")
    online(engine, "b")
    assigned(engine, "x", "a")
    engine.transfer("x", 10.0, to_agent_id="b", hold_until=60.0)
    assert offers(engine, 10.0) == [("x", "b")]
    decisions = engine.step(18.5)
    assert Revoke("x", "b", "expired") in decisions
    # The hold closed early (b missed it) and a's pass-over is over: a may take it back.
    assert [d.agent_id for d in decisions if isinstance(d, Offer)] == ["a"]


def test_a_busy_named_agent_is_waited_for_until_the_hold_ends() -> None:
    engine = Engine()
    online(engine, "a")
    online(engine, "b", capacity={"chat": 1, "video": 1, "callback": 1})
    online(engine, "c")
    assigned(engine, "busy", "b")
    assigned(engine, "x", "a")
    engine.transfer("x", 10.0, to_agent_id="b", hold_until=20.0)
    assert offers(engine, 10.0) == []  # held for b, who is full
    assert engine.next_deadline(10.0) == 20.0
    assert offers(engine, 20.0) == [("x", "c")]


def test_to_the_queue_it_keeps_its_place_and_takes_new_skills() -> None:
    engine = Engine()
    online(engine, "a")
    assigned(engine, "x", "a", at=1.0)
    later = Contact("later", "s1", "chat", 5.0)
    engine.add_contact(later)
    engine.step(6.0)  # later is offered to a (capacity 3)
    engine.decline("later", "a", 6.0)
    engine.transfer("x", 10.0, skills=frozenset({"billing"}))
    assert engine.contacts["x"].skills == frozenset({"billing"})
    assert engine.contacts["x"].enqueued_at == 1.0
    assert engine.queue_positions(10.0) == {"x": 1, "later": 2}
    online(engine, "billing", skills=frozenset({"billing"}))
    # First in line again, before the contact that came after it; one offer at a time.
    assert offers(engine, 10.0) == [("x", "billing")]


def test_refused_transfers_change_nothing() -> None:
    engine = Engine()
    online(engine, "a")
    assigned(engine, "x", "a")
    engine.add_contact(Contact("w", "s1", "chat", 0.0))
    with pytest.raises(NotAssigned):
        engine.transfer("w", 1.0)
    with pytest.raises(NotAssigned):
        engine.transfer("nobody", 1.0)
    with pytest.raises(ValueError):
        engine.transfer("x", 1.0, to_agent_id="a", hold_until=2.0)
    with pytest.raises(ValueError):
        engine.transfer("x", 1.0, to_agent_id="ghost", hold_until=2.0)
    x = engine.contacts["x"]
    assert x.state == "assigned" and x.agent_id == "a" and x.passed_by == {}
    assert engine.load("a")["chat"] == 1
