"""The live laser pointer through the wire: ``laser.move`` / ``laser.end``, agent to customer.

Positions are relayed to the contact's customer only, by its agent only, never stored, and
within a budget of their own that leaves the agent's other requests alone.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hub.errors import HubError
from hub.sdk import AgentClient, CustomerClient
from tests.kit.clients import sdk_never, sdk_round_trip
from tests.kit.hub import HandClock, HubServer
from tests.kit.video import OFFER_TIMEOUTS, Video

# The laser's budget refills on the hub's clock: time moves only when a test says so.
pytestmark = pytest.mark.usefixtures("manual_clock")


@pytest.fixture
def hub_config() -> dict[str, object]:
    return {"offer_timeout_s": OFFER_TIMEOUTS, "laser_rate_per_s": 40.0}


async def move(video: Video, **fields: Any) -> dict[str, Any]:
    return await video.agent.call("laser.move", {"contact_id": video.contact_id, **fields})


async def code_of(call: Any) -> str:
    with pytest.raises(HubError) as exc:
        await call
    return exc.value.code


async def moves_seen(customer: CustomerClient) -> list[dict[str, Any]]:
    await sdk_round_trip(customer)
    out = []
    while True:
        try:
            out.append(await customer.wait_for("laser.move", timeout=0))
        except TimeoutError:
            return out


async def test_the_agent_points_and_the_customer_follows(video: Video) -> None:
    contact_id = await video.request()
    await video.assign()
    assert await move(video, x=0.25, y=0.5, color="#ff3b30") == {"ok": True}
    assert await move(video, x=0, y=1) == {"ok": True}
    assert await moves_seen(video.customer) == [
        {"contact_id": contact_id, "x": 0.25, "y": 0.5, "color": "#ff3b30"},
        {"contact_id": contact_id, "x": 0, "y": 1},
    ]
    assert await video.agent.call("laser.end", {"contact_id": contact_id}) == {"ok": True}
    assert await video.customer.wait_for("laser.end") == {"contact_id": contact_id}
    # Nothing of it is in the timeline: the stroke, sent on release, is the record.
    history = await video.customer.history()
    assert [e for e in history if e["type"].startswith("annotation")] == []


BAD_POSITIONS = [
    {"x": 1.01, "y": 0.5},
    {"x": -0.1, "y": 0.5},
    {"x": 0.5},
    {"x": "0.5", "y": 0.5},
    {"x": True, "y": 0.5},
    {"x": 0.5, "y": 0.5, "color": "red"},
    {"x": 1e309, "y": 0.5},
]


async def test_a_bad_position_is_refused_and_not_relayed(video: Video) -> None:
    await video.request()
    await video.assign()
    for fields in BAD_POSITIONS:
        assert await code_of(move(video, **fields)) == "invalid", fields
    assert await moves_seen(video.customer) == []


async def test_only_the_contacts_agent_points_and_only_its_customer_sees(
    hub_server: HubServer, video: Video
) -> None:
    contact_id = await video.request()
    # Before anyone has joined, even May may not point.
    assert await code_of(move(video, x=0.5, y=0.5)) == "forbidden"
    await video.assign()
    await hub_server.add_agent("zed@example.com", "zed-password", name="Zed")
    bob = await AgentClient.login(hub_server.url, "zed@example.com", "zed-password")
    other = CustomerClient(hub_server.url, hub_server.site_key)
    await other.connect()
    try:
        call = bob.call("laser.move", {"contact_id": contact_id, "x": 0.5, "y": 0.5})
        assert await code_of(call) == "forbidden"
        assert await code_of(bob.call("laser.end", {"contact_id": contact_id})) == "forbidden"
        unknown = move(video, x=0.5, y=0.5, contact_id="nosuchcontact")
        assert await code_of(unknown) == "not_found"
        # A customer cannot send one.
        call = video.customer.call("laser.move", {"contact_id": contact_id, "x": 0.5, "y": 0.5})
        assert await code_of(call) == "unknown_event"
        assert await move(video, x=0.5, y=0.5) == {"ok": True}
        assert await sdk_never(other, "laser.move")
        assert [m["x"] for m in await moves_seen(video.customer)] == [0.5]
    finally:
        await other.close()
        await bob.close()


async def test_nothing_is_relayed_while_sharing_is_paused(video: Video) -> None:
    contact_id = await video.request()
    await video.assign()
    await video.customer.call("share.pause", {"contact_id": contact_id})
    assert await move(video, x=0.5, y=0.5) == {"ok": True, "paused": True}
    assert await moves_seen(video.customer) == []


async def test_the_laser_has_a_budget_of_its_own(video: Video, manual_clock: HandClock) -> None:
    contact_id = await video.request()
    await video.assign()

    async def point(n: int) -> str:
        try:
            await move(video, x=n / 100, y=0.5)
        except HubError as exc:
            return exc.code
        return "ok"

    # 40 a second, bursts of 20: with time standing still exactly 20 of 30 pass...
    results = await asyncio.gather(*(point(n) for n in range(30)))
    assert results.count("ok") == 20 and results.count("rate_limited") == 10
    assert len(await moves_seen(video.customer)) == 20
    # ...and they spent nothing of the agent's general budget (bursts of 40): still 40 of
    # its other requests pass at once.
    ends = await asyncio.gather(
        *(video.agent.call("laser.end", {"contact_id": contact_id}) for _ in range(40))
    )
    assert ends == [{"ok": True}] * 40
    # The budget refills: a quarter of a second later, ten more.
    await manual_clock.advance(0.25)
    results = [await point(n) for n in range(11)]
    assert results == ["ok"] * 10 + ["rate_limited"]
