"""Unit tests for the routing engine: each behaviour of DESIGN.md §6, with exact decisions."""

from __future__ import annotations

import pytest

from hub.core.routing import (
    Abandoned,
    Agent,
    Channel,
    Contact,
    Engine,
    GraceExpired,
    Offer,
    OfferGone,
    Requeued,
    Revoke,
    SetAway,
)


def online(
    engine: Engine,
    agent_id: str,
    *,
    idle_since: float = 0.0,
    skills: frozenset[str] = frozenset(),
    capacity: dict[str, int] | None = None,
    auto_answer: bool = False,
    sites: frozenset[str] | None = None,
) -> Agent:
    """Add an available, connected agent."""
    agent = Agent(
        agent_id,
        status="available",
        connected=True,
        skills=skills,
        sites=sites,
        auto_answer=auto_answer,
        last_active_at=idle_since,
    )
    if capacity is not None:
        agent.capacity = capacity
    engine.upsert_agent(agent)
    return agent


def wait(
    engine: Engine,
    contact_id: str,
    channel: Channel = "chat",
    at: float = 0.0,
    *,
    site: str = "s1",
    **kwargs: object,
) -> Contact:
    contact = Contact(contact_id, site, channel, at, **kwargs)  # type: ignore[arg-type]
    engine.add_contact(contact)
    return contact


def offered(engine: Engine, now: float) -> list[tuple[str, str]]:
    return [(d.contact_id, d.agent_id) for d in engine.step(now) if isinstance(d, Offer)]


# -- priorities, FIFO, capacity ------------------------------------------------------------


def test_video_before_chat_before_callback() -> None:
    engine = Engine()
    wait(engine, "cb", "callback", 1.0)
    wait(engine, "ch", "chat", 2.0)
    wait(engine, "vi", "video", 3.0)
    online(engine, "a1", idle_since=1.0)
    online(engine, "a2", idle_since=2.0)
    online(engine, "a3", idle_since=3.0)
    assert engine.step(10.0) == [
        Offer("vi", "a1", 18.0, False),
        Offer("ch", "a2", 18.0, False),
        Offer("cb", "a3", 30.0, False),
    ]


def test_fifo_within_a_priority_whatever_the_order_added() -> None:
    engine = Engine()
    wait(engine, "late", "chat", 5.0)
    wait(engine, "early", "chat", 1.0)
    online(engine, "a")
    assert engine.step(10.0) == [Offer("early", "a", 18.0, False)]


def test_chat_capacity_three_then_full() -> None:
    engine = Engine()
    online(engine, "a")
    for i in range(4):
        wait(engine, f"c{i}", "chat", float(i))
    for i in range(3):
        assert offered(engine, 10.0 + i) == [(f"c{i}", "a")]
        engine.accept(f"c{i}", "a", 10.0 + i)
    assert engine.load("a") == {"chat": 3, "video": 0, "callback": 0}
    assert engine.step(20.0) == []
    engine.remove_contact("c0")
    assert offered(engine, 21.0) == [("c3", "a")]


def test_video_takes_the_agent_whole() -> None:
    engine = Engine()
    online(engine, "a")
    wait(engine, "v", "video", 0.0)
    wait(engine, "c", "chat", 1.0)
    assert offered(engine, 1.0) == [("v", "a")]
    engine.accept("v", "a", 2.0)
    # Busy on video: no chat even though chat capacity is unused.
    assert engine.step(3.0) == []
    engine.remove_contact("v")
    assert offered(engine, 4.0) == [("c", "a")]


def test_video_and_callback_need_an_agent_with_nothing_assigned() -> None:
    engine = Engine()
    online(engine, "a")
    wait(engine, "c", "chat", 0.0)
    engine.step(0.0)
    engine.accept("c", "a", 0.0)
    wait(engine, "v", "video", 1.0)
    wait(engine, "cb", "callback", 2.0)
    assert engine.step(1.0) == []
    online(engine, "b", idle_since=5.0)
    assert offered(engine, 2.0) == [("v", "b")]


def test_zero_capacity_channel_is_never_offered() -> None:
    engine = Engine()
    online(engine, "a", capacity={"chat": 3, "video": 0, "callback": 1})
    wait(engine, "v", "video", 0.0)
    assert engine.step(1.0) == []


# -- choosing the agent --------------------------------------------------------------------


def test_longest_idle_agent_wins() -> None:
    engine = Engine()
    online(engine, "recent", idle_since=5.0)
    online(engine, "idle", idle_since=1.0)
    wait(engine, "c", "chat", 0.0)
    assert offered(engine, 10.0) == [("c", "idle")]
    assert engine.agents["idle"].last_active_at == 10.0


def test_tie_on_idle_goes_to_most_free_capacity_then_id() -> None:
    engine = Engine()
    online(engine, "a")
    online(engine, "b")
    online(engine, "c")
    engine.upsert_agent(Agent("a", capacity={"chat": 3, "video": 1, "callback": 1}))
    wait(engine, "x", "chat", 0.0)
    engine.assign("x", "a", 0.0)
    # a has 2 chat slots left, b and c have 3, all idle since 0: b (id before c).
    engine.agents["a"].last_active_at = 0.0
    wait(engine, "y", "chat", 1.0)
    assert offered(engine, 5.0) == [("y", "b")]


def test_skills_must_be_a_subset() -> None:
    engine = Engine()
    online(engine, "plain", idle_since=0.0)
    online(engine, "french", idle_since=1.0, skills=frozenset({"fr", "billing"}))
    wait(engine, "c", "chat", 0.0, skills=frozenset({"fr"}))
    assert offered(engine, 2.0) == [("c", "french")]


def test_a_sites_contacts_go_to_its_team_only() -> None:
    engine = Engine()
    online(engine, "shop-b", idle_since=0.0, sites=frozenset({"b"}))
    online(engine, "anyone", idle_since=1.0)
    wait(engine, "at-a", "chat", 0.0, site="a")
    wait(engine, "at-b", "chat", 1.0, site="b")
    # The longest idle agent serves only b: a's contact waits for the agent of every site.
    assert offered(engine, 2.0) == [("at-a", "anyone"), ("at-b", "shop-b")]


def test_a_site_nobody_serves_does_not_block_the_line() -> None:
    engine = Engine()
    online(engine, "a-only", sites=frozenset({"a"}))
    for i in range(3):
        wait(engine, f"b{i}", "chat", float(i), site="b")
    wait(engine, "a", "chat", 9.0, site="a")
    assert offered(engine, 10.0) == [("a", "a-only")]
    assert engine.has_online_agent("a", "chat", frozenset())
    assert not engine.has_online_agent("b", "chat", frozenset())


def test_a_new_team_applies_to_the_next_offer() -> None:
    engine = Engine()
    agent = online(engine, "x", sites=frozenset({"a"}))
    wait(engine, "at-b", "chat", 0.0, site="b")
    assert offered(engine, 1.0) == []
    engine.upsert_agent(Agent("x", sites=frozenset({"a", "b"})))
    assert engine.agents["x"].status == "available"  # the live state is kept
    assert offered(engine, 2.0) == [("at-b", "x")]
    assert agent.sites == frozenset({"a", "b"})


def test_unqualified_contact_does_not_block_the_line() -> None:
    engine = Engine()
    online(engine, "a")
    wait(engine, "needs-fr", "chat", 0.0, skills=frozenset({"fr"}))
    wait(engine, "plain", "chat", 1.0)
    assert offered(engine, 2.0) == [("plain", "a")]


def test_many_unservable_contacts_do_not_stop_the_walk() -> None:
    engine = Engine()
    online(engine, "a", capacity={"chat": 0, "video": 0, "callback": 1})
    for i in range(3):
        wait(engine, f"chat{i}", "chat", float(i))
    wait(engine, "cb", "callback", 9.0)
    assert offered(engine, 10.0) == [("cb", "a")]


def test_one_offer_at_a_time_per_agent() -> None:
    engine = Engine()
    online(engine, "a")
    wait(engine, "c1", "chat", 0.0)
    wait(engine, "c2", "chat", 1.0)
    assert offered(engine, 2.0) == [("c1", "a")]
    assert engine.step(3.0) == []
    engine.accept("c1", "a", 3.0)
    assert offered(engine, 3.0) == [("c2", "a")]


def test_unavailable_or_disconnected_agents_get_nothing() -> None:
    engine = Engine()
    engine.upsert_agent(Agent("off"))
    engine.upsert_agent(Agent("away", status="away", connected=True))
    engine.upsert_agent(Agent("gone", status="available", connected=False))
    wait(engine, "c", "chat", 0.0)
    assert engine.step(1.0) == []
    engine.set_connected("gone", True, 2.0)
    assert offered(engine, 2.0) == [("c", "gone")]


def test_auto_answer_only_for_video() -> None:
    engine = Engine()
    online(engine, "a", auto_answer=True)
    online(engine, "b", auto_answer=True, idle_since=1.0)
    wait(engine, "v", "video", 0.0)
    wait(engine, "c", "chat", 0.0)
    assert engine.step(2.0) == [Offer("v", "a", 10.0, True), Offer("c", "b", 10.0, False)]


def test_offer_of_repeats_the_outstanding_offer_until_it_ends() -> None:
    engine = Engine()
    online(engine, "a", auto_answer=True)
    wait(engine, "v", "video", 0.0)
    assert engine.offer_of("a") is None
    (offer,) = engine.step(2.0)
    assert engine.offer_of("a") == offer == Offer("v", "a", 10.0, True)
    engine.accept("v", "a", 3.0)
    assert engine.offer_of("a") is None


# -- expiry, decline, SetAway --------------------------------------------------------------


def test_expired_offer_goes_to_the_next_agent_at_once() -> None:
    engine = Engine()
    online(engine, "a", idle_since=0.0)
    online(engine, "b", idle_since=1.0)
    wait(engine, "c", "chat", 0.0)
    assert engine.step(2.0) == [Offer("c", "a", 10.0, False)]
    assert engine.step(9.9) == []
    assert engine.step(10.0) == [
        Revoke("c", "a", "expired"),
        Offer("c", "b", 18.0, False),
    ]
    assert engine.agents["a"].missed_in_row == 1
    assert engine.contacts["c"].passed_by == {"a": 40.0}


def test_two_expiries_in_a_row_set_the_agent_away() -> None:
    engine = Engine()
    online(engine, "a")
    wait(engine, "c1", "chat", 0.0)
    wait(engine, "c2", "chat", 1.0)
    assert offered(engine, 0.0) == [("c1", "a")]
    # c1 is passed over for a, so a gets c2 at once.
    assert engine.step(8.0) == [Revoke("c1", "a", "expired"), Offer("c2", "a", 16.0, False)]
    assert engine.step(16.0) == [Revoke("c2", "a", "expired"), SetAway("a", "missed_offers")]
    assert engine.agents["a"].status == "away"
    assert engine.step(100.0) == []
    engine.set_presence("a", "available", 101.0)
    assert engine.agents["a"].missed_in_row == 0
    assert offered(engine, 101.0) == [("c1", "a")]


def test_accept_breaks_a_run_of_misses() -> None:
    engine = Engine()
    online(engine, "a")
    wait(engine, "c1", "chat", 0.0)
    wait(engine, "c2", "chat", 1.0)
    wait(engine, "c3", "chat", 2.0)
    engine.step(0.0)
    engine.step(8.0)  # c1 expires, c2 offered
    engine.accept("c2", "a", 9.0)
    assert engine.agents["a"].missed_in_row == 0
    assert offered(engine, 9.0) == [("c3", "a")]
    assert engine.step(17.0) == [Revoke("c3", "a", "expired")]
    assert engine.agents["a"].status == "available"


def test_max_missed_is_configurable() -> None:
    engine = Engine(max_missed=1)
    online(engine, "a")
    wait(engine, "c", "chat", 0.0)
    engine.step(0.0)
    assert engine.step(8.0) == [Revoke("c", "a", "expired"), SetAway("a", "missed_offers")]


def test_decline_then_next_agent_and_not_back_to_the_decliner() -> None:
    engine = Engine(repass_after=30.0)
    online(engine, "a", idle_since=0.0)
    wait(engine, "c", "chat", 0.0)
    assert offered(engine, 1.0) == [("c", "a")]
    assert engine.decline("c", "a", 2.0) == []
    assert engine.contacts["c"].state == "waiting"
    assert engine.step(3.0) == []  # a is passed over for c
    online(engine, "b", idle_since=5.0)
    assert offered(engine, 4.0) == [("c", "b")]
    engine.decline("c", "b", 5.0)
    assert offered(engine, 31.9) == []
    assert offered(engine, 32.0) == [("c", "a")]


def test_offer_timeouts_per_channel() -> None:
    engine = Engine(offer_timeout={"chat": 5.0})
    online(engine, "a")
    online(engine, "b", idle_since=1.0)
    wait(engine, "cb", "callback", 0.0)
    wait(engine, "c", "chat", 0.0)
    assert engine.step(0.0) == [Offer("c", "a", 5.0, False), Offer("cb", "b", 20.0, False)]


# -- original place in line ----------------------------------------------------------------


def _line_of_two() -> Engine:
    engine = Engine()
    online(engine, "a")
    wait(engine, "first", "chat", 1.0)
    wait(engine, "second", "chat", 2.0)
    assert offered(engine, 3.0) == [("first", "a")]
    return engine


def test_place_kept_after_decline() -> None:
    engine = _line_of_two()
    engine.decline("first", "a", 4.0)
    assert engine.queue_positions(4.0) == {"first": 1, "second": 2}
    assert engine.contacts["first"].enqueued_at == 1.0
    online(engine, "b", idle_since=0.5)
    # b is the longest idle and gets the head of the line; a takes the next one.
    assert offered(engine, 5.0) == [("first", "b"), ("second", "a")]


def test_place_kept_after_expiry() -> None:
    engine = _line_of_two()
    online(engine, "b", idle_since=0.5)
    assert offered(engine, 3.0) == [("second", "b")]
    engine.decline("second", "b", 4.0)
    # "first" is back at the head: b (free again) gets it, and a, passed over for it, the next.
    assert engine.step(11.0) == [
        Revoke("first", "a", "expired"),
        Offer("first", "b", 19.0, False),
        Offer("second", "a", 19.0, False),
    ]
    assert engine.queue_positions(11.0) == {"first": 1, "second": 2}


def test_place_kept_after_requeue() -> None:
    engine = _line_of_two()
    engine.accept("first", "a", 4.0)
    assert offered(engine, 4.0) == [("second", "a")]
    assert engine.requeue("first", 50.0) == [Requeued("first")]
    assert engine.load("a") == {"chat": 0, "video": 0, "callback": 0}
    assert engine.queue_positions(50.0) == {"first": 1, "second": 2}
    engine.set_presence("a", "away", 50.0)
    engine.set_presence("a", "available", 50.0)
    assert offered(engine, 50.0) == [("first", "a")]


def test_requeue_an_offered_contact_revokes() -> None:
    engine = _line_of_two()
    assert engine.requeue("first", 4.0) == [Revoke("first", "a", "cancelled")]
    assert engine.contacts["first"].state == "waiting"
    assert engine.requeue("first", 4.0) == []
    assert engine.requeue("nobody", 4.0) == []


def test_requeue_with_not_before_for_a_callback_retry() -> None:
    engine = Engine()
    online(engine, "a")
    wait(engine, "cb", "callback", 0.0)
    engine.step(0.0)
    engine.accept("cb", "a", 1.0)
    assert engine.requeue("cb", 60.0, not_before=360.0) == [Requeued("cb")]
    assert engine.step(359.0) == []
    assert offered(engine, 360.0) == [("cb", "a")]
    assert engine.contacts["cb"].enqueued_at == 0.0


# -- sticky agent and not_before -----------------------------------------------------------


def test_sticky_agent_first_then_anyone() -> None:
    engine = Engine()
    online(engine, "other", idle_since=0.0)
    online(engine, "mine", idle_since=5.0)
    wait(engine, "v", "video", 0.0, sticky_agent_id="mine", sticky_until=10.0)
    assert offered(engine, 1.0) == [("v", "mine")]


def test_sticky_waits_for_its_agent_until_the_window_closes() -> None:
    engine = Engine()
    online(engine, "other")
    engine.upsert_agent(Agent("mine", status="available", connected=False))
    wait(engine, "v", "video", 0.0, sticky_agent_id="mine", sticky_until=10.0)
    wait(engine, "c", "chat", 1.0)
    # The sticky contact does not take "other"; the chat behind it does.
    assert offered(engine, 1.0) == [("c", "other")]
    engine.remove_contact("c")
    assert engine.step(9.9) == []
    assert engine.next_deadline(9.9) == 10.0
    assert offered(engine, 10.0) == [("v", "other")]


def test_sticky_agent_declining_opens_the_contact_to_anyone() -> None:
    engine = Engine()
    online(engine, "other")
    online(engine, "mine", idle_since=5.0)
    wait(engine, "v", "video", 0.0, sticky_agent_id="mine", sticky_until=10.0)
    assert offered(engine, 1.0) == [("v", "mine")]
    engine.decline("v", "mine", 2.0)
    assert offered(engine, 2.0) == [("v", "other")]


def test_not_before_holds_a_callback() -> None:
    engine = Engine()
    online(engine, "a")
    wait(engine, "cb", "callback", 0.0, not_before=100.0)
    assert engine.step(50.0) == []
    assert engine.next_deadline(50.0) == 100.0
    assert engine.step(100.0) == [Offer("cb", "a", 120.0, False)]


# -- presence and connection ---------------------------------------------------------------


def test_disconnect_revokes_offers_but_keeps_assignments() -> None:
    engine = Engine()
    online(engine, "a")
    wait(engine, "c1", "chat", 0.0)
    wait(engine, "c2", "chat", 1.0)
    engine.step(0.0)
    engine.accept("c1", "a", 1.0)
    assert offered(engine, 1.0) == [("c2", "a")]
    assert engine.set_connected("a", False, 2.0) == [Revoke("c2", "a", "cancelled")]
    assert engine.contacts["c1"].state == "assigned"
    assert engine.contacts["c2"].state == "waiting"
    assert engine.step(3.0) == []
    assert engine.set_connected("a", True, 4.0) == []
    assert offered(engine, 4.0) == [("c2", "a")]


def test_going_away_revokes_the_offer_and_keeps_the_place() -> None:
    engine = _line_of_two()
    assert engine.set_presence("a", "away", 4.0) == [Revoke("first", "a", "cancelled")]
    assert engine.queue_positions(4.0) == {"first": 1, "second": 2}
    assert engine.set_presence("a", "away", 5.0) == []
    assert engine.set_presence("a", "offline", 5.0) == []
    engine.set_presence("a", "available", 6.0)
    # Not passed over: going away is not a decline.
    assert offered(engine, 6.0) == [("first", "a")]


def test_upsert_agent_keeps_live_state() -> None:
    engine = Engine()
    online(engine, "a")
    wait(engine, "c", "chat", 0.0)
    engine.step(3.0)
    engine.upsert_agent(Agent("a", skills=frozenset({"fr"}), capacity={"chat": 1}))
    agent = engine.agents["a"]
    assert (agent.status, agent.connected, agent.last_active_at) == ("available", True, 3.0)
    assert agent.skills == frozenset({"fr"})
    engine.accept("c", "a", 4.0)
    wait(engine, "d", "chat", 1.0)
    assert engine.step(5.0) == []  # chat capacity now 1


# -- contacts leaving ----------------------------------------------------------------------


def test_remove_contact_revokes_an_outstanding_offer() -> None:
    engine = _line_of_two()
    assert engine.remove_contact("first") == [Revoke("first", "a", "cancelled")]
    assert "first" not in engine.contacts
    assert offered(engine, 4.0) == [("second", "a")]


def test_remove_assigned_contact_frees_capacity() -> None:
    engine = Engine()
    online(engine, "a")
    wait(engine, "v", "video", 0.0)
    engine.step(0.0)
    engine.accept("v", "a", 1.0)
    assert engine.load("a")["video"] == 1
    assert engine.remove_contact("v") == []
    assert engine.load("a")["video"] == 0
    assert engine.remove_contact("v") == []


def test_remove_waiting_contact() -> None:
    engine = Engine()
    wait(engine, "c", "chat", 0.0)
    assert engine.remove_contact("c") == []
    online(engine, "a")
    assert engine.step(1.0) == []


def test_duplicate_contact_is_rejected() -> None:
    engine = Engine()
    wait(engine, "c", "chat", 0.0)
    with pytest.raises(ValueError, match="duplicate"):
        wait(engine, "c", "video", 1.0)


# -- accept / decline errors ---------------------------------------------------------------


def test_offer_gone_cases() -> None:
    engine = _line_of_two()
    online(engine, "b", idle_since=100.0)  # b got "second"
    with pytest.raises(OfferGone):
        engine.accept("nobody", "a", 4.0)
    with pytest.raises(OfferGone):
        engine.accept("first", "b", 4.0)  # offered to someone else
    with pytest.raises(OfferGone):
        engine.decline("first", "b", 4.0)
    with pytest.raises(OfferGone):
        engine.accept("first", "a", 11.0)  # past expiry, before step swept it
    engine.remove_contact("first")
    with pytest.raises(OfferGone):
        engine.accept("first", "a", 5.0)  # cancelled
    engine.step(5.0)
    engine.accept("second", "a", 6.0)
    with pytest.raises(OfferGone):
        engine.accept("second", "a", 6.0)  # already assigned
    assert issubclass(OfferGone, ValueError)


def test_offer_gone_after_revoke() -> None:
    engine = _line_of_two()
    engine.set_connected("a", False, 4.0)
    with pytest.raises(OfferGone):
        engine.accept("first", "a", 4.0)


# -- rebuild -------------------------------------------------------------------------------


def test_assign_directly_for_a_rebuild() -> None:
    engine = Engine()
    online(engine, "a")
    wait(engine, "c", "chat", 0.0)
    assert engine.assign("c", "a", 7.0) == []
    assert engine.contacts["c"].state == "assigned"
    assert engine.load("a") == {"chat": 1, "video": 0, "callback": 0}
    assert engine.agents["a"].last_active_at == 7.0
    assert engine.step(8.0) == []


def test_assign_takes_a_contact_offered_to_someone_else() -> None:
    engine = _line_of_two()
    online(engine, "b", idle_since=100.0)
    assert engine.assign("first", "b", 4.0) == [Revoke("first", "a", "taken")]
    assert engine.load("b")["chat"] == 1
    assert offered(engine, 4.0) == [("second", "a")]


def test_assign_unknown_raises() -> None:
    engine = Engine()
    with pytest.raises(ValueError):
        engine.assign("c", "a", 0.0)


# -- deadlines and what customers see ------------------------------------------------------


def test_next_deadline() -> None:
    engine = Engine()
    assert engine.next_deadline(0.0) is None
    online(engine, "a")
    wait(engine, "c", "chat", 0.0)
    wait(engine, "cb", "callback", 0.0, not_before=50.0)
    engine.step(1.0)
    assert engine.next_deadline(1.0) == 9.0  # the offer expires
    engine.decline("c", "a", 2.0)
    assert engine.next_deadline(2.0) == 32.0  # a may take c again
    online(engine, "b", idle_since=9.0)
    wait(engine, "v", "video", 0.0, sticky_agent_id="x", sticky_until=20.0)
    engine.step(3.0)  # b gets c
    assert engine.next_deadline(3.0) == 11.0
    engine.accept("c", "b", 4.0)
    assert engine.next_deadline(4.0) == 20.0  # sticky window of v


def test_queue_positions_per_site_without_contacts_not_due() -> None:
    engine = Engine()
    wait(engine, "s1-chat", "chat", 2.0, site="s1")
    wait(engine, "s1-video", "video", 3.0, site="s1")
    wait(engine, "s1-cb-later", "callback", 0.0, site="s1", not_before=100.0)
    wait(engine, "s1-cb", "callback", 1.0, site="s1")
    wait(engine, "s2-chat", "chat", 9.0, site="s2")
    online(engine, "a")
    wait(engine, "assigned", "chat", 0.0, site="s1")
    engine.assign("assigned", "a", 0.0)
    assert engine.queue_positions(10.0) == {
        "s1-video": 1,
        "s1-chat": 2,
        "s1-cb": 3,
        "s2-chat": 1,
    }
    # Once due it takes its place by enqueued_at; offered contacts still count.
    engine.step(100.0)
    assert engine.contacts["s1-video"].state == "waiting"
    assert engine.queue_positions(100.0) == {
        "s1-video": 1,
        "s1-chat": 2,
        "s1-cb-later": 3,
        "s1-cb": 4,
        "s2-chat": 1,
    }


def test_has_online_agent() -> None:
    engine = Engine()
    assert not engine.has_online_agent("s1", "chat", frozenset())
    online(engine, "a", skills=frozenset({"fr"}), capacity={"chat": 3, "video": 0})
    wait(engine, "c", "chat", 0.0)
    engine.assign("c", "a", 0.0)
    assert engine.has_online_agent("s1", "chat", frozenset({"fr"}))  # busy still counts
    assert not engine.has_online_agent("s1", "chat", frozenset({"de"}))
    assert not engine.has_online_agent("s1", "video", frozenset())
    assert not engine.has_online_agent("s1", "callback", frozenset())  # no capacity key
    engine.set_presence("a", "away", 1.0)
    assert not engine.has_online_agent("s1", "chat", frozenset())
    engine.set_presence("a", "available", 1.0)
    engine.set_connected("a", False, 1.0)
    assert not engine.has_online_agent("s1", "chat", frozenset())


# -- an agent who goes away: the grace period ---------------------------------------------


def assigned(engine: Engine, contact_id: str, agent_id: str, now: float) -> None:
    wait(engine, contact_id, at=now)
    assert offered(engine, now) == [(contact_id, agent_id)]
    engine.accept(contact_id, agent_id, now)


def test_grace_runs_out_after_a_disconnect() -> None:
    engine = Engine(grace_s=30.0)
    online(engine, "a")
    assigned(engine, "c", "a", 0.0)
    engine.set_connected("a", False, 10.0)
    assert engine.next_deadline(10.0) == 40.0
    assert engine.step(39.9) == []
    assert engine.step(40.0) == [GraceExpired("c", "a")]
    # Said once: the caller requeues it, and nothing is due any more.
    assert engine.step(41.0) == []
    assert engine.next_deadline(41.0) is None
    assert engine.requeue("c", 41.0) == [Requeued("c")]


def test_reconnecting_within_the_grace_keeps_the_contact() -> None:
    engine = Engine(grace_s=30.0)
    online(engine, "a")
    assigned(engine, "c", "a", 0.0)
    engine.set_connected("a", False, 10.0)
    engine.set_connected("a", True, 20.0)
    assert engine.next_deadline(20.0) is None
    assert engine.step(100.0) == []
    assert engine.contacts["c"].agent_id == "a"


def test_a_rebuilt_assignment_gets_its_grace_from_the_restart_not_the_assignment() -> None:
    engine = Engine(grace_s=30.0)
    engine.upsert_agent(Agent("a"))  # after a restart nobody is connected
    wait(engine, "c", at=0.0)
    engine.assign("c", "a", 5.0)  # assigned long ago
    engine.set_connected("a", False, 1000.0)  # the engine is rebuilt now
    assert engine.step(1000.0) == []
    assert engine.step(1030.0) == [GraceExpired("c", "a")]


def test_an_ended_contact_has_no_grace_left() -> None:
    engine = Engine(grace_s=30.0)
    online(engine, "a")
    assigned(engine, "c", "a", 0.0)
    engine.set_connected("a", False, 10.0)
    engine.remove_contact("c")
    assert engine.next_deadline(10.0) is None
    assert engine.step(50.0) == []


# -- follow-ups and abandons (DESIGN §9) ------------------------------------------------------


def test_a_follow_up_goes_ahead_of_its_channel_but_not_of_a_higher_one() -> None:
    engine = Engine()
    wait(engine, "old-chat", "chat", at=1.0)
    wait(engine, "video", "video", at=3.0)
    engine.add_contact(Contact("follow-up", "s1", "chat", 2.0, follow_up=True))
    assert engine.queue_positions(5.0) == {"video": 1, "follow-up": 2, "old-chat": 3}
    online(engine, "a", capacity={"chat": 1, "video": 1, "callback": 1})
    (offer,) = engine.step(5.0)
    assert isinstance(offer, Offer) and offer.contact_id == "video"


def test_a_contact_whose_customer_stays_away_is_never_offered_and_then_abandoned() -> None:
    engine = Engine(offer_timeout={"chat": 100.0})
    wait(engine, "c", "chat", at=0.0)
    engine.set_abandon("c", 60.0)
    assert engine.next_deadline(10.0) == 60.0
    online(engine, "a")
    # Nobody is offered a contact whose customer has no socket open...
    assert engine.step(10.0) == []
    # ... and when the time is up it is gone.
    assert engine.step(60.0) == [Abandoned("c")]
    assert "c" not in engine.contacts and engine.step(61.0) == []


def test_an_offer_is_withdrawn_when_its_customer_leaves_and_made_again_on_return() -> None:
    engine = Engine(offer_timeout={"chat": 100.0})
    wait(engine, "c", "chat", at=0.0)
    online(engine, "a")
    (offer,) = engine.step(1.0)
    assert isinstance(offer, Offer)
    engine.set_abandon("c", 61.0)
    assert engine.step(2.0) == [Revoke("c", "a", "cancelled")]
    assert engine.step(3.0) == []
    engine.set_abandon("c", None)
    (again,) = engine.step(4.0)
    assert isinstance(again, Offer) and again.contact_id == "c"


def test_a_customer_back_in_time_keeps_the_contact() -> None:
    engine = Engine()
    wait(engine, "c", "chat", at=0.0)
    engine.set_abandon("c", 60.0)
    engine.set_abandon("c", None)
    assert engine.step(120.0) == [] and "c" in engine.contacts
    assert engine.next_deadline(120.0) is None


def test_callbacks_and_assigned_contacts_are_never_abandoned() -> None:
    engine = Engine()
    wait(engine, "cb", "callback", at=0.0)
    wait(engine, "chat", "chat", at=0.0)
    online(engine, "a")
    (offer,) = engine.step(0.0)
    assert isinstance(offer, Offer) and offer.contact_id == "chat"
    engine.accept("chat", "a", 0.0)
    for contact_id in ("cb", "chat"):
        engine.set_abandon(contact_id, 1.0)
    assert [d for d in engine.step(10.0) if isinstance(d, Abandoned)] == []
    assert set(engine.contacts) == {"cb", "chat"}
