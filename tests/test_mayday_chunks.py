"""Large pages through the wire: a full snapshot too big for one batch, sent as ``cobrowse.chunk``.

The customer slices the JSON of an events list; the hub reassembles it (one batch at a time,
capped), keeps it like any batch and relays it to the agent as chunks of its own.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from hub.errors import HubError
from hub.sdk import CustomerClient
from tests.kit.clients import sdk_round_trip
from tests.kit.hub import HubServer
from tests.kit.video import OFFER_TIMEOUTS, Video

KB = 1024
STEP = 32 * KB  # what the test's "widget" puts in one chunk, as the widget does


@pytest.fixture
def hub_config() -> dict[str, object]:
    return {"offer_timeout_s": OFFER_TIMEOUTS}


def page(n: int, size: int) -> list[dict[str, Any]]:
    """A meta event and a full snapshot of about ``size`` bytes, as rrweb would record them."""
    return [
        {"type": 4, "data": {"href": "https://shop.example/", "n": n}, "timestamp": n},
        {"type": 2, "data": {"node": {"text": "é" + "x" * size + f" end-{n}"}}, "timestamp": n},
    ]


def slices(events: list[dict[str, Any]], step: int = STEP) -> list[str]:
    text = json.dumps(events, separators=(",", ":"), ensure_ascii=False)
    return [text[i : i + step] for i in range(0, len(text), step)]


async def send(
    video: Video, batch_id: str, index: int, count: int, data: str, contact_id: str | None = None
) -> dict[str, Any]:
    return await video.customer.call(
        "cobrowse.chunk",
        {
            "contact_id": contact_id or video.contact_id,
            "batch_id": batch_id,
            "index": index,
            "count": count,
            "data": data,
        },
    )


async def send_all(video: Video, batch_id: str, parts: list[str]) -> dict[str, Any]:
    ack: dict[str, Any] = {}
    for index, data in enumerate(parts):
        ack = await send(video, batch_id, index, len(parts), data)
    return ack


async def refused(video: Video, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(HubError) as exc:
        await send(video, *args, **kwargs)
    return exc.value.code


async def relayed_chunked(video: Video) -> list[list[dict[str, Any]]]:
    """The batches the agent got as ``cobrowse.chunk``, each put back together."""
    await sdk_round_trip(video.agent)
    batches: dict[str, list[dict[str, Any]]] = {}
    while True:
        try:
            chunk = await video.agent.wait_for("cobrowse.chunk", timeout=0)
        except TimeoutError:
            break
        assert chunk["contact_id"] == video.contact_id
        assert len(chunk["data"]) <= 40 * KB  # no message the agent gets is near the limit
        batches.setdefault(chunk["batch_id"], []).append(chunk)
    out = []
    for chunks in batches.values():
        assert [c["index"] for c in chunks] == list(range(chunks[0]["count"]))
        out.append(json.loads("".join(c["data"] for c in chunks)))
    return out


async def test_a_2_mb_page_shared_while_waiting_reaches_the_agent_in_chunks(video: Video) -> None:
    await video.request()
    big = page(1, 2 * 1024 * KB)
    parts = slices(big)
    # More slices than the general request budget's burst (40): they have a budget of their own.
    assert len(parts) == 65
    for index, data in enumerate(parts[:-1]):
        assert await send(video, "b1", index, len(parts), data) == {
            "ok": True,
            "received": index + 1,
        }
    assert await send(video, "b1", 64, 65, parts[-1]) == {"ok": True, "delivered": False}
    await video.assign()
    # Kept whole like any full snapshot, and relayed without a message over the limit: the
    # small meta event as it is, the big snapshot in chunks.
    assert await relayed_chunked(video) == [big[1:]]
    assert await video.relayed_pages() == big[:1]
    assert not await video.snapshot_asked()

    # Once the agent has joined, a chunked batch goes straight to them, and small live
    # batches still go as cobrowse.events.
    again = page(2, 300 * KB)
    assert await send_all(video, "b2", slices(again)) == {"ok": True, "delivered": True}
    assert await relayed_chunked(video) == [again[1:]]
    assert await video.relayed_pages() == again[:1]
    live = [{"type": 3, "data": {"source": 0}, "timestamp": 3}]
    assert await video.cobrowse(live) == {"ok": True, "delivered": True}
    assert await video.relayed_pages() == live


async def test_chunks_out_of_order_are_refused_and_change_nothing(video: Video) -> None:
    await video.request()
    await video.assign()
    assert await video.snapshot_asked()
    big = page(1, 250 * KB)  # over one batch: relayed to the agent in chunks too
    parts = slices(big)
    n = len(parts)
    assert n == 8
    # A chunk of a batch that was never started.
    assert await refused(video, "b1", 1, n, parts[1]) == "out_of_order"
    assert await send(video, "b1", 0, n, parts[0]) == {"ok": True, "received": 1}
    # One missing (2 before 1), one skipped further, a wrong count, another batch's next one,
    # an index past the count.
    assert await refused(video, "b1", 2, n, parts[2]) == "out_of_order"
    assert await refused(video, "b1", 3, n, parts[3]) == "out_of_order"
    assert await refused(video, "b1", 1, n + 1, parts[1]) == "invalid"
    assert await refused(video, "other", 1, n, parts[1]) == "out_of_order"
    assert await refused(video, "b1", n, n, parts[1]) == "invalid"
    assert await relayed_chunked(video) == []
    # The batch is as it was: the right next chunks complete it.
    for index in range(1, n):
        await send(video, "b1", index, n, parts[index])
    assert await relayed_chunked(video) == [big[1:]]


async def test_an_unfinished_batch_is_dropped_by_the_next_one(video: Video) -> None:
    await video.request()
    await video.assign()
    first, second = slices(page(1, 250 * KB)), slices(page(2, 250 * KB))
    await send(video, "b1", 0, len(first), first[0])
    await send(video, "b1", 1, len(first), first[1])
    # The widget gave up on b1 (a newer snapshot): b2 starts, b1 can no longer go on.
    await send_all(video, "b2", second)
    assert await refused(video, "b1", 2, len(first), first[2]) == "out_of_order"
    assert await relayed_chunked(video) == [page(2, 250 * KB)[1:]]


@pytest.mark.parametrize(
    "hub_config", [{"offer_timeout_s": OFFER_TIMEOUTS, "cobrowse_max_bytes": 450 * KB}]
)
async def test_a_batch_over_the_cap_is_refused_too_large(video: Video) -> None:
    await video.request()
    await video.assign()
    parts = slices(page(1, 500 * KB))
    assert len(parts) == 16
    for index in range(14):
        await send(video, "b1", index, 16, parts[index])
    # The fifteenth chunk would take the batch past 450 KB (14 of 32 KB are 448 KB).
    assert await refused(video, "b1", 14, 16, parts[14]) == "too_large"
    assert await relayed_chunked(video) == []
    # A batch that fits is still welcome.
    fits = page(2, 300 * KB)
    assert await send_all(video, "b2", slices(fits)) == {"ok": True, "delivered": True}
    assert await relayed_chunked(video) == [fits[1:]]


async def test_chunks_for_someone_elses_contact_are_refused(
    hub_server: HubServer, video: Video
) -> None:
    await video.request()
    await video.assign()
    parts = slices(page(1, 10 * KB))
    other = CustomerClient(hub_server.url, hub_server.site_key)
    await other.connect()
    try:
        with pytest.raises(HubError) as exc:
            await other.call(
                "cobrowse.chunk",
                {
                    "contact_id": video.contact_id,
                    "batch_id": "b1",
                    "index": 0,
                    "count": 1,
                    "data": parts[0],
                },
            )
        assert exc.value.code == "forbidden"
    finally:
        await other.close()
    assert await refused(video, "b1", 0, 1, parts[0], contact_id="nosuchcontact") == "not_found"
    # The agent may not send the page.
    with pytest.raises(HubError) as exc:
        await video.agent.call(
            "cobrowse.chunk",
            {"contact_id": video.contact_id, "batch_id": "b", "index": 0, "count": 1, "data": "[]"},
        )
    assert exc.value.code == "unknown_event"
    assert await relayed_chunked(video) == []


async def test_chunks_that_are_not_an_events_list_are_refused(video: Video) -> None:
    await video.request()
    await video.assign()
    # Cut short, not a list, not events, empty, holding NaN.
    for text in ['[{"type":2', '{"type":2}', "[1]", "[]", '[{"type":2,"data":NaN}]']:
        half = math.ceil(len(text) / 2)
        assert await send(video, "b1", 0, 2, text[:half]) == {"ok": True, "received": 1}
        assert await refused(video, "b1", 1, 2, text[half:]) == "invalid", text
    assert await relayed_chunked(video) == []
    assert await video.relayed_pages() == []


async def test_chunks_while_paused_are_dropped(video: Video) -> None:
    await video.request()
    await video.assign()
    parts = slices(page(1, 150 * KB))
    await send(video, "b1", 0, len(parts), parts[0])
    await video.customer.call("share.pause", {"contact_id": video.contact_id})
    assert await send(video, "b1", 1, len(parts), parts[1]) == {"ok": True, "paused": True}
    await video.customer.call("share.resume", {"contact_id": video.contact_id})
    # The batch begun before the pause is gone: a resumed share starts a new one.
    assert await refused(video, "b1", 1, len(parts), parts[1]) == "out_of_order"
    assert await relayed_chunked(video) == []
