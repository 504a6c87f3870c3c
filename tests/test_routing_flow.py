"""Routing (DESIGN §6) end to end: real hub, raw socket.io customers and agents.

The hub runs with the short timeouts of ``tests.kit.hub.hub_test_config`` (chat and video offers
last 2 s, an agent's disconnect grace is 1 s, a sticky window 2 s), on a manual clock.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.clients import Clients, about, offer_ids
from tests.kit.hub import HandClock, HubServer
from tests.kit.wire import Wire

# The hub runs on a clock the tests move: an offer expires, a grace ends, when a test says so.
pytestmark = pytest.mark.usefixtures("manual_clock")


async def offered(w: Wire, contact_id: str, within: float = 5.0) -> dict[str, Any]:
    offer: dict[str, Any] = await w.next("offer", about(contact_id), timeout=within)
    return offer


async def accept(w: Wire, contact_id: str) -> dict[str, Any]:
    await offered(w, contact_id)
    ack: dict[str, Any] = await w.call("offer.accept", {"contact_id": contact_id})
    assert ack["ok"], ack
    return ack


async def end(w: Wire, contact_id: str) -> None:
    ack = await w.call("contact.end", {"contact_id": contact_id})
    assert ack["ok"], ack


def missed_offers(w: Wire) -> list[dict[str, Any]]:
    """The presence changes the hub made because the agent let offers expire."""
    return [p for p in w.received["presence"] if p.get("reason") == "missed_offers"]


async def first_to_get(agents: dict[str, Wire], contact_id: str) -> str:
    """Which of the agents is offered the contact (exactly one of them must be).

    The hub offers a contact before it answers the request; a round trip on each agent's
    socket then brings whatever it sent them.
    """
    for w in agents.values():
        await w.round_trip()
    hits = [n for n, w in agents.items() if contact_id in offer_ids(w)]
    assert len(hits) == 1, f"{contact_id} offered to {hits or 'nobody'}"
    return hits[0]


# priorities and capacity


async def test_video_is_offered_before_an_earlier_chat_and_takes_the_agent_whole(
    clients: Clients,
) -> None:
    _, chat = await clients.request("chat")
    _, video = await clients.request("video")
    ada = await clients.ada()

    await offered(ada, video)
    assert offer_ids(ada) == [video]
    assert (await ada.call("offer.accept", {"contact_id": video}))["ok"]
    # Busy with a video, Ada has no room for the chat, though chat capacity is 3.
    await ada.quiet("offer", about(chat))
    await end(ada, video)
    await offered(ada, chat)
    assert offer_ids(ada) == [video, chat]


async def test_fifo_inside_a_priority(clients: Clients) -> None:
    contacts = [(await clients.request("chat"))[1] for _ in range(3)]
    ada = await clients.ada()
    for contact_id in contacts:
        await accept(ada, contact_id)
    assert offer_ids(ada) == contacts


async def test_chat_capacity_is_three_then_the_next_agent(clients: Clients) -> None:
    ada = await clients.ada()
    contacts = []
    for _ in range(4):
        shopper, contact_id = await clients.request("chat")
        contacts.append((shopper, contact_id))
    for _, contact_id in contacts[:3]:
        await accept(ada, contact_id)
    fourth_shopper, fourth = contacts[3]
    await ada.quiet("offer", about(fourth))
    # Fourth in line at first, first once the three ahead were taken.
    await fourth_shopper.next("contact.queued", lambda q: q["position"] == 1)
    assert fourth_shopper.received["contact.queued"][0]["position"] == 4

    bob = await clients.bob()
    await accept(bob, fourth)
    assert offer_ids(ada) == [c for _, c in contacts[:3]]

    # Both agents hold chats now: a video, which takes an agent whole, waits for either.
    _, video = await clients.request("video")
    await ada.quiet("offer", about(video))
    await bob.quiet("offer", about(video))
    await end(bob, fourth)
    await offered(bob, video)


async def test_longest_idle_agent_gets_the_offer(clients: Clients) -> None:
    agents = {"ada": await clients.ada(), "bob": await clients.bob()}
    order = []
    for _ in range(3):
        _, contact_id = await clients.request("chat")
        name = await first_to_get(agents, contact_id)
        order.append(name)
        await accept(agents[name], contact_id)
        await end(agents[name], contact_id)
    # Whoever served last is the least idle: the work alternates.
    assert order[0] != order[1] and order[2] == order[0], order


# offers that are missed, declined or withdrawn


async def test_expired_offer_goes_to_the_next_agent_at_once(
    clients: Clients, manual_clock: HandClock
) -> None:
    agents = {"ada": await clients.ada(), "bob": await clients.bob()}
    _, contact_id = await clients.request("chat")
    first = await first_to_get(agents, contact_id)
    second = "bob" if first == "ada" else "ada"

    await manual_clock.advance(1.9)
    await agents[first].quiet("offer.revoked")
    await manual_clock.advance(0.15)  # the offer's 2 s are up
    revoked = await agents[first].next("offer.revoked", about(contact_id), timeout=0)
    assert revoked == {"contact_id": contact_id, "reason": "expired"}
    # At once: long before the missed agent could have been asked again (30 s), and in the same
    # routing step that expired the offer.
    await agents[second].round_trip()
    assert offer_ids(agents[second]) == [contact_id]
    late = await agents[first].call("offer.accept", {"contact_id": contact_id})
    assert late["ok"] is False and late["error"]["code"] == "offer_expired"
    assert offer_ids(agents[first]) == [contact_id]


async def test_two_expired_offers_in_a_row_set_the_agent_away(
    clients: Clients, manual_clock: HandClock
) -> None:
    _, first = await clients.request("chat")
    _, second = await clients.request("chat")
    ada = await clients.ada()

    await offered(ada, first)
    await manual_clock.advance(2.05)
    await ada.next("offer.revoked", about(first), timeout=0)
    await ada.round_trip()
    assert missed_offers(ada) == []
    await offered(ada, second)
    await manual_clock.advance(2.05)
    await ada.round_trip()
    await ada.next("offer.revoked", about(second), timeout=0)
    away = await ada.next("presence", lambda p: p.get("reason") == "missed_offers", timeout=0)
    assert away == {"status": "away", "reason": "missed_offers"}
    assert [r["reason"] for r in ada.received["offer.revoked"]] == ["expired", "expired"]
    assert offer_ids(ada) == [first, second]

    # Away means no more offers: a new customer is even told that nobody is there.
    third_shopper, third = await clients.request("chat")
    await third_shopper.next("contact.no_agent", about(third))
    await ada.quiet("offer", about(third))
    assert offer_ids(ada) == [first, second]

    # Back to available, Ada is offered the new contact (the two she missed skip her a while).
    assert (await ada.call("presence", {"status": "available"}))["ok"]
    await offered(ada, third)
    assert offer_ids(ada) == [first, second, third]


async def test_decline_goes_to_the_next_agent_and_a_late_accept_is_refused(
    clients: Clients, manual_clock: HandClock
) -> None:
    agents = {"ada": await clients.ada(), "bob": await clients.bob()}
    _, contact_id = await clients.request("chat")
    first = await first_to_get(agents, contact_id)
    second = "bob" if first == "ada" else "ada"

    assert (await agents[first].call("offer.decline", {"contact_id": contact_id}))["ok"]
    await offered(agents[second], contact_id, within=1.0)
    again = await agents[first].call("offer.accept", {"contact_id": contact_id})
    assert again["error"]["code"] == "offer_expired"

    # The second agent lets it run out, then tries to take it.
    await manual_clock.advance(2.05)
    await agents[second].round_trip()
    revoked = await agents[second].next("offer.revoked", about(contact_id), timeout=0)
    assert revoked["reason"] == "expired"
    late = await agents[second].call("offer.accept", {"contact_id": contact_id})
    assert late["ok"] is False and late["error"]["code"] == "offer_expired"
    # Declining is not missing: the first agent was not set away.
    assert missed_offers(agents[first]) == []


async def test_cancel_revokes_the_outstanding_offer(
    clients: Clients, manual_clock: HandClock
) -> None:
    ada = await clients.ada()
    shopper, contact_id = await clients.request("chat")
    await offered(ada, contact_id)

    assert (await shopper.call("contact.cancel", {"contact_id": contact_id}))["ok"]
    revoked = await ada.next("offer.revoked", about(contact_id))
    assert revoked == {"contact_id": contact_id, "reason": "cancelled"}
    ended = await shopper.next("contact.ended", about(contact_id))
    assert ended["reason"] == "cancelled"
    late = await ada.call("offer.accept", {"contact_id": contact_id})
    assert late["error"]["code"] == "offer_expired"
    # Past the time the offer had: nothing more comes of it.
    await manual_clock.advance(2.05)
    await ada.round_trip()
    assert offer_ids(ada) == [contact_id]


# sticky agent, backlog, queue positions


async def test_channel_switch_offers_the_same_agent_first(clients: Clients) -> None:
    agents = {"ada": await clients.ada(), "bob": await clients.bob()}
    shopper, chat = await clients.request("chat", text="Which size fits me?")
    mine = await first_to_get(agents, chat)
    other = "bob" if mine == "ada" else "ada"
    await accept(agents[mine], chat)

    ack = await shopper.call("contact.request", {"channel": "video"})
    assert ack["ok"], ack
    video = ack["contact_id"]
    ended = await shopper.next("contact.ended", about(chat))
    assert ended["reason"] == "channel_switch"
    assert (await agents[mine].next("contact.ended", about(chat)))["reason"] == "channel_switch"
    # The other agent is the longer idle one, yet the agent already with the customer is first.
    await offered(agents[mine], video, within=2.0)
    await agents[other].quiet("offer", about(video))

    # Once the sticky agent passes, anyone may take it.
    assert (await agents[mine].call("offer.decline", {"contact_id": video}))["ok"]
    await offered(agents[other], video, within=1.0)

    history = await shopper.call(
        "history", {"conversation_id": ack["conversation_id"], "after_seq": 0}
    )
    ends = [e["data"] for e in history["events"] if e["type"] == "contact.ended"]
    assert ends == [{"contact_id": chat, "channel": "chat", "reason": "channel_switch"}]


async def test_backlog_drains_when_an_agent_becomes_available_or_ends_a_contact(
    clients: Clients,
) -> None:
    ada = await clients.ada(available=False)
    contacts = [(await clients.request("chat"))[1] for _ in range(4)]
    await ada.quiet("offer")

    assert (await ada.call("presence", {"status": "available"}))["ok"]
    for contact_id in contacts[:3]:
        await accept(ada, contact_id)
    await ada.quiet("offer", about(contacts[3]))
    await end(ada, contacts[0])
    await offered(ada, contacts[3])
    assert offer_ids(ada) == contacts


async def test_the_estimate_counts_only_agents_with_the_skills_needed(clients: Clients) -> None:
    ada = await clients.ada()  # free, but she has no "fr" skill
    shopper, contact_id = await clients.request("chat", skills=["fr"])
    queued = await shopper.next("contact.queued", about(contact_id))
    # Ada's free slots cannot serve this customer: the wait is unknown, not zero.
    assert queued == {"contact_id": contact_id, "position": 1, "estimated_wait_s": None}
    await ada.quiet("offer", about(contact_id))
    # Ada taking another customer changes nothing for the French speaker: no new push.
    _, other = await clients.request("chat")
    await accept(ada, other)
    await shopper.round_trip()
    assert shopper.received["contact.queued"] == [queued]


async def test_waiting_customers_see_their_position_and_estimated_wait(clients: Clients) -> None:
    ada = await clients.ada()
    for _ in range(3):
        _, contact_id = await clients.request("chat")
        await accept(ada, contact_id)

    waiting = [await clients.request("chat") for _ in range(3)]
    for place, (shopper, contact_id) in enumerate(waiting, start=1):
        queued = await shopper.next("contact.queued", about(contact_id))
        # Ada's three chat slots are all busy; no handle time is known yet, so the hub assumes
        # 240 s a chat: place / 3 slots * 240 s.
        assert queued == {
            "contact_id": contact_id,
            "position": place,
            "estimated_wait_s": 80 * place,
        }

    (first_shopper, first), (second_shopper, second), (third_shopper, third) = waiting
    assert (await first_shopper.call("contact.cancel", {"contact_id": first}))["ok"]
    await second_shopper.next("contact.queued", lambda q: q["position"] == 1)
    await third_shopper.next("contact.queued", lambda q: q["position"] == 2)
    # Told on every change, and only on a change.
    assert second_shopper.received["contact.queued"] == [
        {"contact_id": second, "position": 2, "estimated_wait_s": 160},
        {"contact_id": second, "position": 1, "estimated_wait_s": 80},
    ]
    assert third_shopper.received["contact.queued"] == [
        {"contact_id": third, "position": 3, "estimated_wait_s": 240},
        {"contact_id": third, "position": 2, "estimated_wait_s": 160},
    ]


async def test_no_agent_online_tells_the_customer_and_keeps_the_contact(clients: Clients) -> None:
    shopper, contact_id = await clients.request("chat")
    no_agent = await shopper.next("contact.no_agent", about(contact_id), timeout=0)
    assert no_agent == {"contact_id": contact_id, "channel": "chat", "callback_offered": True}
    queued = await shopper.next("contact.queued", about(contact_id))
    assert queued == {"contact_id": contact_id, "position": 1, "estimated_wait_s": None}

    ada = await clients.ada()
    await accept(ada, contact_id)
    assigned = await shopper.next("contact.assigned", about(contact_id))
    assert assigned["agent"]["name"] == "Ada"


# agents who go away


async def test_agent_disconnect_revokes_the_offer_at_once(
    clients: Clients, manual_clock: HandClock
) -> None:
    agents = {"ada": await clients.ada(), "bob": await clients.bob()}
    _, contact_id = await clients.request("chat")
    first = await first_to_get(agents, contact_id)
    second = "bob" if first == "ada" else "ada"
    started = manual_clock()

    await agents[first].close()
    await offered(agents[second], contact_id, within=3.0)
    # Revoked on the disconnect itself, not left to run out: the hub's time has not moved.
    assert manual_clock() == started


async def test_assigned_contact_returns_to_its_place_after_the_grace_period(
    clients: Clients, manual_clock: HandClock
) -> None:
    ada = await clients.ada()
    early_shopper, early = await clients.request("chat")
    await accept(ada, early)
    await early_shopper.next("contact.assigned", about(early))

    await ada.close()
    # Someone asks while Ada is gone: they wait behind the contact Ada held.
    late_shopper, late = await clients.request("chat")
    await late_shopper.next("contact.no_agent", about(late))
    assert [q["position"] for q in late_shopper.received["contact.queued"]] == [1]
    told_before = len(early_shopper.received["contact.queued"])
    # The hub saw Ada go (nobody was there for the later contact): her 1 s of grace starts.
    await manual_clock.advance(0.9)
    await early_shopper.quiet("event", lambda e: e["type"] == "contact.requeued")
    await manual_clock.advance(0.15)
    await early_shopper.round_trip()
    requeued = await early_shopper.next(
        "event", lambda e: e["type"] == "contact.requeued", timeout=0
    )
    assert requeued["data"] == {"contact_id": early, "reason": "agent_disconnected"}
    await late_shopper.next("contact.queued", lambda q: q["position"] == 2)
    # Back in line at its original place, ahead of the later contact; nobody online to estimate.
    assert early_shopper.received["contact.queued"][told_before:] == [
        {"contact_id": early, "position": 1, "estimated_wait_s": None}
    ]

    bob = await clients.bob()
    await offered(bob, early)
    assert offer_ids(bob) == [early]


async def test_agent_back_within_the_grace_period_keeps_the_contact(
    clients: Clients, manual_clock: HandClock
) -> None:
    ada = await clients.ada()
    shopper, contact_id = await clients.request("chat")
    await accept(ada, contact_id)
    await ada.close()
    ada = await clients.ada()
    await manual_clock.advance(1.3)  # past the 1 s grace
    await shopper.quiet("event", lambda e: e["type"] == "contact.requeued")
    conversation_id = shopper.received["event"][0]["conversation_id"]
    reply = await ada.call(
        "message.send",
        {"conversation_id": conversation_id, "client_id": "r1", "text": "Still here"},
    )
    assert reply["ok"], reply


async def test_auto_answer_is_carried_on_video_offers(
    hub_server: HubServer, clients: Clients
) -> None:
    await hub_server.add_agent("max@example.com", auto_answer=True)
    max_ = await clients.agent("max@example.com", "agent-password")
    _, video = await clients.request("video")
    offer = await offered(max_, video)
    assert offer["auto_answer"] is True and offer["channel"] == "video"
    await accept(max_, video)

    # The flag belongs to video offers to that agent only.
    _, chat = await clients.request("chat")
    ada = await clients.ada()
    assert (await offered(ada, chat))["auto_answer"] is False
    await accept(ada, chat)
    bob = await clients.bob()
    _, video2 = await clients.request("video")
    assert (await offered(bob, video2))["auto_answer"] is False
    await end(max_, video)
    _, video3 = await clients.request("video")
    # Max, now free, is the longest idle agent with room for a video.
    offer3 = await offered(max_, video3)
    assert offer3["auto_answer"] is True
