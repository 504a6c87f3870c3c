"""Whether someone is there to help, as the shopper's widget sees it: ``session`` says it at
connect, and ``agents.online`` tells every customer of the site when it changes (the first
agent available, the last one gone), and only then."""

from __future__ import annotations

import pytest

from tests.kit.clients import Clients

pytestmark = pytest.mark.usefixtures("manual_clock")


async def test_customers_hear_when_the_first_agent_comes_and_the_last_goes(
    clients: Clients,
) -> None:
    early = await clients.customer()
    assert early.received["session"][0]["agents_online"] is False
    other_site = await clients.customer(site_key="demo")

    # Signing in starts away: nobody is there yet.
    ada = await clients.ada(available=False)
    await early.quiet("agents.online")

    assert (await ada.call("presence", {"status": "available"}))["ok"]
    assert await early.next("agents.online") == {"agents_online": True}
    # A customer who connects now is told at once, in its session.
    later = await clients.customer()
    assert later.received["session"][0]["agents_online"] is True

    # A second agent changes nothing for the customers: someone was already there.
    bob = await clients.bob()
    assert (await bob.call("presence", {"status": "break", "reason": "coffee"}))["ok"]
    assert (await bob.call("presence", {"status": "available"}))["ok"]
    assert (await ada.call("presence", {"status": "away"}))["ok"]
    await early.quiet("agents.online", lambda p: p["agents_online"] is False)
    assert len(early.received["agents.online"]) == 1

    # The last one goes: every customer of the site hears it.
    await bob.close()
    for shopper in (early, later):
        await shopper.until(
            lambda s=shopper: {"agents_online": False} in s.received["agents.online"]
        )
    assert later.received["agents.online"] == [{"agents_online": False}]
    # Agents serve every site here, so the demo site's customers heard both changes too.
    assert other_site.received["agents.online"] == [
        {"agents_online": True},
        {"agents_online": False},
    ]
