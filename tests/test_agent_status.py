"""Agent statuses (issue 13, item 3): available, away, break and offline, with a reason.

Only an available agent is offered contacts; an agent signing in starts away; a supervisor may
set another agent's status; supervisors see the time each agent spent in each status today.
The hub runs on a manual clock.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.clients import ADA, Clients, about
from tests.kit.hub import HandClock, HubServer
from tests.kit.wire import Wire, login

pytestmark = pytest.mark.usefixtures("manual_clock")

SUE = ("sue@example.com", "sue-password")
STATUSES = ("available", "away", "break", "offline")


async def agent_id(w: Wire) -> str:
    return str((await w.call("snapshot", {}))["agent"]["id"])


def updated(agent: str, status: str) -> Any:
    return lambda p: p["id"] == agent and p["status"] == status


async def supervisor_row(sue: Wire, agent: str) -> dict[str, Any]:
    snap = await sue.call("snapshot", {})
    (row,) = [a for a in snap["agents"] if a["id"] == agent]
    return dict(row)


async def test_each_status_with_its_reason_reaches_the_agent_and_the_supervisors(
    clients: Clients,
) -> None:
    sue = await clients.agent(*SUE, available=False)
    ada = await clients.ada(available=False)
    ada_id = await agent_id(ada)
    for status in STATUSES:
        reason = f"reason for {status}"
        assert await ada.call("presence", {"status": status, "reason": reason}) == {"ok": True}
        seen = await sue.next(
            "agent.updated",
            lambda p, s=status, r=reason: updated(ada_id, s)(p) and p["status_reason"] == r,
        )
        assert seen["status_set_by"] is None
        assert (await ada.call("snapshot", {}))["agent"]["status"] == status
        row = await supervisor_row(sue, ada_id)
        assert (row["status"], row["status_reason"]) == (status, reason)
    # A status without a reason has none.
    assert (await ada.call("presence", {"status": "break"}))["ok"]
    seen = await sue.next(
        "agent.updated", lambda p: updated(ada_id, "break")(p) and not p["status_reason"]
    )
    assert seen["status_since"] is not None


async def test_a_bad_status_or_reason_is_refused_and_changes_nothing(clients: Clients) -> None:
    sue = await clients.agent(*SUE, available=False)
    ada = await clients.ada(available=False)
    ada_id = await agent_id(ada)
    assert (await ada.call("presence", {"status": "break", "reason": "lunch"}))["ok"]
    await sue.next("agent.updated", updated(ada_id, "break"))
    before = len(sue.received["agent.updated"])
    for bad in (
        {"status": "lunch"},
        {"status": "away", "reason": "x" * 81},
        {"status": "away", "reason": "   "},
        {"status": "away", "reason": 5},
        {"status": "away", "reason": "\u202eyawa"},
    ):
        ack = await ada.call("presence", bad)
        assert ack["error"]["code"] == "invalid", (bad, ack)
    await sue.round_trip()
    assert len(sue.received["agent.updated"]) == before
    row = await supervisor_row(sue, ada_id)
    assert (row["status"], row["status_reason"]) == ("break", "lunch")
    # 80 characters is the most a reason may have.
    assert (await ada.call("presence", {"status": "away", "reason": "y" * 80}))["ok"]


async def test_only_an_available_agent_is_offered_contacts(
    clients: Clients, manual_clock: HandClock
) -> None:
    ada = await clients.ada(available=False)
    _shopper, contact_id = await clients.request("chat")
    for status in ("away", "break", "offline"):
        assert (await ada.call("presence", {"status": status}))["ok"]
        await manual_clock.settle()
        await ada.quiet("offer")
    assert (await ada.call("presence", {"status": "available"}))["ok"]
    await ada.next("offer", about(contact_id))
    # Taking a break while an offer is out withdraws it.
    assert (await ada.call("presence", {"status": "break", "reason": "coffee"}))["ok"]
    revoked = await ada.next("offer.revoked", about(contact_id))
    assert revoked["reason"] == "cancelled"
    await manual_clock.advance(5)
    assert len(ada.received["offer"]) == 1


async def test_an_agent_signing_back_in_starts_away_and_is_offered_nothing(
    clients: Clients, manual_clock: HandClock
) -> None:
    sue = await clients.agent(*SUE, available=False)
    ada = await clients.ada()  # available
    ada_id = await agent_id(ada)
    await sue.next("agent.updated", updated(ada_id, "available"))
    await ada.close()
    await sue.next("agent.updated", updated(ada_id, "offline"))
    _shopper, contact_id = await clients.request("chat")
    again = await clients.ada(available=False)
    assert await again.next("presence") == {"status": "away"}
    assert (await again.call("snapshot", {}))["agent"]["status"] == "away"
    await manual_clock.settle()
    await again.quiet("offer")
    assert (await again.call("presence", {"status": "available"}))["ok"]
    await again.next("offer", about(contact_id))


async def test_a_supervisor_sets_an_agent_away_and_the_agent_is_told(
    clients: Clients, manual_clock: HandClock
) -> None:
    sue = await clients.agent(*SUE, available=False)
    sue_id = await agent_id(sue)
    ada = await clients.ada()
    ada_id = await agent_id(ada)
    ack = await sue.call(
        "agent.presence", {"agent_id": ada_id, "status": "away", "reason": "coaching"}
    )
    assert ack == {"ok": True}
    told = await ada.next("presence", lambda p: p.get("set_by"))
    assert told == {"status": "away", "reason": "coaching", "set_by": {"id": sue_id, "name": "Sue"}}
    seen = await sue.next("agent.updated", lambda p: p["id"] == ada_id and p["status_set_by"])
    assert (seen["status"], seen["status_reason"]) == ("away", "coaching")
    assert seen["status_set_by"] == {"id": sue_id, "name": "Sue"}
    row = await supervisor_row(sue, ada_id)
    assert row["status_set_by"] == {"id": sue_id, "name": "Sue"}
    # Away means no offers.
    _shopper, contact_id = await clients.request("chat")
    await manual_clock.settle()
    await ada.quiet("offer", about(contact_id))


async def test_setting_another_agents_status_is_for_supervisors_of_connected_agents(
    clients: Clients,
) -> None:
    sue = await clients.agent(*SUE, available=False)
    ada = await clients.ada()
    ada_id = await agent_id(ada)
    bob = await clients.bob(available=False)
    bob_id = await agent_id(bob)
    # An agent may not set another's status.
    ack = await ada.call("agent.presence", {"agent_id": bob_id, "status": "available"})
    assert ack["error"]["code"] == "forbidden"
    ack = await sue.call("agent.presence", {"agent_id": "nobody", "status": "away"})
    assert ack["error"]["code"] == "not_found"
    ack = await sue.call("agent.presence", {"agent_id": ada_id, "status": "resting"})
    assert ack["error"]["code"] == "invalid"
    await bob.close()
    await sue.next("agent.updated", updated(bob_id, "offline"))
    ack = await sue.call("agent.presence", {"agent_id": bob_id, "status": "available"})
    assert ack["error"]["code"] == "invalid"
    await ada.quiet("presence", lambda p: p.get("set_by"))
    row = await supervisor_row(sue, ada_id)
    assert row["status"] == "available"


async def test_supervisors_see_the_time_in_each_status_today(
    clients: Clients, manual_clock: HandClock, hub_server: HubServer
) -> None:
    sue = await clients.agent(*SUE, available=False)
    ada = await clients.ada(available=False)  # away from sign-in
    ada_id = await agent_id(ada)
    await manual_clock.advance(60)
    assert (await ada.call("presence", {"status": "available"}))["ok"]
    await manual_clock.advance(120)
    assert (await ada.call("presence", {"status": "break", "reason": "lunch"}))["ok"]
    await manual_clock.advance(30)
    assert (await ada.call("presence", {"status": "available"}))["ok"]
    seen = await sue.next(
        "agent.updated", lambda p: p["id"] == ada_id and p["today"]["seconds"]["break"] > 0
    )
    now = hub_server.hub.clock()
    assert seen["status"] == "available" and seen["status_since"] == pytest.approx(now)
    seconds = seen["today"]["seconds"]
    assert seconds["away"] == pytest.approx(60, abs=0.1)
    assert seconds["available"] == pytest.approx(120, abs=0.1)
    assert seconds["break"] == pytest.approx(30, abs=0.1)
    assert seconds["offline"] == 0
    # The day starts at midnight (UTC by default, HUB_TIMEZONE).
    assert seen["today"]["since"] == now - now % 86400
    # The snapshot says the same; the current status runs from status_since.
    await manual_clock.advance(45)
    row = await supervisor_row(sue, ada_id)
    assert row["today"] == seen["today"] and row["status_since"] == seen["status_since"]


async def test_the_same_console_back_within_the_grace_resumes_its_status(
    clients: Clients, manual_clock: HandClock, hub_server: HubServer
) -> None:
    sue = await clients.agent(*SUE, available=False)
    token = await login(hub_server.url, *ADA)
    ada = clients.keep(Wire(hub_server.url, "/agent"))
    await ada.connect({"token": token})
    ada_id = await agent_id(ada)
    assert (await ada.call("presence", {"status": "break", "reason": "tea"}))["ok"]
    await ada.close()
    await sue.next("agent.updated", updated(ada_id, "offline"))
    # A reload: the same token, within the grace period (1 s in tests).
    reload = clients.keep(Wire(hub_server.url, "/agent"))
    await reload.connect({"token": token})
    assert await reload.next("presence") == {"status": "break"}
    seen = await sue.next(
        "agent.updated", lambda p: updated(ada_id, "break")(p) and p["status_reason"] == "tea"
    )
    assert seen["status_set_by"] is None
    offline = updated(ada_id, "offline")
    before = len([p for p in sue.received["agent.updated"] if offline(p)])
    await reload.close()
    await sue.until(lambda: len([p for p in sue.received["agent.updated"] if offline(p)]) > before)
    await manual_clock.advance(1.5)
    later = clients.keep(Wire(hub_server.url, "/agent"))
    await later.connect({"token": token})
    assert await later.next("presence") == {"status": "away"}


async def test_another_tab_keeps_the_agents_status(clients: Clients) -> None:
    ada = await clients.ada(available=False)
    assert (await ada.call("presence", {"status": "offline", "reason": "wrap-up"}))["ok"]
    tab = await clients.ada(available=False)
    assert await tab.next("presence") == {"status": "offline"}
    assert (await tab.call("snapshot", {}))["agent"]["status_reason"] == "wrap-up"
