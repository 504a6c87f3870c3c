"""Mayday's limits and relays, through the wire: strokes, batch and buffer sizes, milestones.

No WebRTC peer is made: signalling payloads are sent as the browsers would send them, and the
hub only relays them.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hub.errors import HubError
from tests.kit.hub import HandClock, HubServer
from tests.kit.video import OFFER_TIMEOUTS, Video, milestones

# Time moves only when a test says so: the stroke limiter refills on the hub's clock.
pytestmark = pytest.mark.usefixtures("manual_clock")

KB = 1024


def stroke(n: int) -> dict[str, Any]:
    return {
        "id": f"s{n}",
        "tool": "pen",
        "color": "#ff3b30",
        "points": [[10.0, 20.0], [30.0, 40.0]],
        "surface": "page",
    }


def rrweb(kind: int, n: int, size: int = 16) -> dict[str, Any]:
    """An rrweb-shaped event of about ``size`` bytes: 2 full snapshot, 3 incremental, 4 meta."""
    return {"type": kind, "data": {"n": n, "blob": "x" * size}, "timestamp": n}


@pytest.fixture
def hub_config() -> dict[str, object]:
    return {"offer_timeout_s": OFFER_TIMEOUTS}


# strokes


async def test_strokes_past_a_burst_of_30_are_refused_and_not_stored(
    hub_server: HubServer, video: Video, manual_clock: HandClock
) -> None:
    contact_id = await video.request()
    await video.assign()

    async def draw(n: int) -> int | str:
        try:
            ack = await video.agent.call(
                "annotation.draw", {"contact_id": contact_id, "stroke": stroke(n)}
            )
        except HubError as exc:
            return exc.code
        return int(ack["seq"])

    # Time stands still while the 45 are handled: exactly the burst of 30 passes.
    results = await asyncio.gather(*(draw(n) for n in range(45)))
    seqs = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if not isinstance(r, int)]
    assert set(refused) == {"rate_limited"}
    assert len(seqs) == 30 and len(refused) == 15, (len(seqs), len(refused))

    # Refused strokes are not in the timeline; accepted ones are, once each.
    history = await video.customer.history()
    assert sorted(e["seq"] for e in history if e["type"] == "annotation") == sorted(seqs)

    # The bucket refills at 10 a second: nothing yet, one stroke 0.15 s later, then (with the
    # half token left) three more 0.3 s later.
    assert await draw(96) == "rate_limited"
    await manual_clock.advance(0.15)
    assert isinstance(await draw(97), int)
    assert await draw(98) == "rate_limited"
    await manual_clock.advance(0.3)
    assert [isinstance(await draw(n), int) for n in range(100, 104)] == [True, True, True, False]


# one batch


async def test_a_batch_over_200_kb_is_refused_and_nothing_is_relayed_or_kept(
    video: Video,
) -> None:
    await video.request()
    too_big = [rrweb(2, 1, size=201 * KB)]
    # Before the agent joins: refused, and not buffered for later.
    with pytest.raises(HubError) as refused:
        await video.cobrowse(too_big)
    assert refused.value.code == "invalid"
    assert "200 KB" in refused.value.message
    await video.assign()
    assert await video.snapshot_asked()
    assert await video.relayed_pages() == []

    # After: refused, and not relayed.
    with pytest.raises(HubError) as refused:
        await video.cobrowse(too_big)
    assert refused.value.code == "invalid"
    assert await video.relayed_pages() == []

    # Just under the cap goes through.
    fits = [rrweb(2, 2, size=195 * KB)]
    assert await video.cobrowse(fits) == {"ok": True, "delivered": True}
    assert await video.relayed_pages() == fits


# the buffer kept before the agent joins


async def test_page_shared_while_waiting_reaches_the_agent_on_assignment(video: Video) -> None:
    await video.request()
    stale = [rrweb(3, 1)]
    page = [rrweb(4, 2), rrweb(2, 3), rrweb(3, 4)]
    later = [rrweb(3, 5), rrweb(3, 6)]
    for batch in (stale, page, later):
        assert await video.cobrowse(batch) == {"ok": True, "delivered": False}
    await video.assign()
    # Everything since the last full snapshot (with its meta event), in order; nothing before.
    assert await video.relayed_pages() == page + later
    assert not await video.snapshot_asked()

    # From now on batches go straight through.
    live = [rrweb(3, 7)]
    assert await video.cobrowse(live) == {"ok": True, "delivered": True}
    assert await video.relayed_pages() == live


async def test_nothing_buffered_asks_the_customer_for_a_snapshot(video: Video) -> None:
    await video.request()
    await video.assign()
    assert await video.snapshot_asked()
    assert await video.relayed_pages() == []
    # Once the agent has joined, the snapshot the widget sends goes straight to them.
    assert await video.cobrowse([rrweb(2, 1)]) == {"ok": True, "delivered": True}
    assert [e["type"] for e in await video.relayed_pages()] == [2]


async def test_a_buffer_just_under_4_mb_is_kept_whole(video: Video) -> None:
    await video.request()
    # 20 batches of 195 KB after a full snapshot: about 3.8 MB, under the 4 MB cap.
    sent = [rrweb(2, 0, size=195 * KB)]
    assert (await video.cobrowse(sent))["ok"]
    for n in range(1, 20):
        batch = [rrweb(3, n, size=195 * KB)]
        assert (await video.cobrowse(batch))["ok"]
        sent.extend(batch)
    await video.assign()
    got = await video.relayed_pages()
    assert [e["data"]["n"] for e in got] == list(range(20))
    assert got == sent
    assert not await video.snapshot_asked()


@pytest.mark.parametrize("snapshot_after", [False, True])
async def test_a_buffer_over_4_mb_is_dropped_until_the_next_full_snapshot(
    video: Video, snapshot_after: bool
) -> None:
    await video.request()
    assert (await video.cobrowse([rrweb(2, 0, size=195 * KB)]))["ok"]
    # 23 batches of 195 KB: about 4.4 MB, over the cap. Once over, incremental events are no
    # use to a viewer without the snapshot they follow, so none is kept.
    for n in range(1, 23):
        assert (await video.cobrowse([rrweb(3, n, size=195 * KB)]))["ok"]
    assert (await video.cobrowse([rrweb(3, 100)]))["ok"]
    fresh = [rrweb(4, 200), rrweb(2, 201), rrweb(3, 202)]
    if snapshot_after:
        assert (await video.cobrowse(fresh))["ok"]
    await video.assign()
    got = await video.relayed_pages()
    if snapshot_after:
        assert got == fresh
        assert not await video.snapshot_asked()
    else:
        assert got == []
        assert await video.snapshot_asked()


# signalling and milestones


async def test_relayed_signals_say_who_sent_them(video: Video) -> None:
    contact_id = await video.request()
    await video.assign()
    offer = {"type": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"}
    ack = await video.agent.call("rtc.signal", {"contact_id": contact_id, "description": offer})
    assert ack == {"ok": True}
    got = await video.customer.wait_for("rtc.signal")
    assert got == {"contact_id": contact_id, "from": "agent", "description": offer}

    candidate = {"candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host", "sdpMid": "0"}
    await video.customer.call("rtc.signal", {"contact_id": contact_id, "candidate": candidate})
    got = await video.agent.wait_for("rtc.signal")
    assert got == {
        "contact_id": contact_id,
        "from": "customer",
        "candidate": {**candidate, "sdpMLineIndex": None},
    }

    # End of candidates is an explicit null; an ICE restart is flagged.
    await video.customer.call("rtc.signal", {"contact_id": contact_id, "candidate": None})
    assert await video.agent.wait_for("rtc.signal") == {
        "contact_id": contact_id,
        "from": "customer",
        "candidate": None,
    }
    await video.agent.call(
        "rtc.signal", {"contact_id": contact_id, "description": offer, "restart": True}
    )
    assert await video.customer.wait_for("rtc.signal") == {
        "contact_id": contact_id,
        "from": "agent",
        "description": offer,
        "restart": True,
    }


@pytest.mark.parametrize("reporter", ["customer", "agent"])
async def test_media_disconnected_is_stored_and_relayed(
    hub_server: HubServer, video: Video, reporter: str
) -> None:
    contact_id = await video.request()
    await video.assign()
    sender, other = (
        (video.customer, video.agent) if reporter == "customer" else (video.agent, video.customer)
    )
    ack = await sender.call(
        "rtc.state", {"contact_id": contact_id, "state": "disconnected", "detail": "ice lost"}
    )
    assert ack == {"ok": True}
    relayed = await other.wait_for("rtc.state")
    assert relayed == {
        "contact_id": contact_id,
        "from": reporter,
        "state": "disconnected",
        "detail": "ice lost",
    }
    stored = [m for m in await milestones(hub_server, contact_id) if m[0] == "media_disconnected"]
    assert stored == [("media_disconnected", {"from": reporter, "detail": "ice lost"})]
    # Unlike failed, a disconnect is not a timeline event: the call may come back.
    history = await video.customer.history()
    assert not [e for e in history if e["type"] == "video.failed"]
