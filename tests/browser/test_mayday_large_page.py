"""A large page in Chromium: a shop page of about 2 MB, whose rrweb full snapshot is far over
one 200 KB batch, reaches the agent's replay in ``cobrowse.chunk`` slices, masked as always."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.kit.browser import start

pytestmark = pytest.mark.browser

MARKER = "ZX-END-7781"
KB = 1024


def catalogue(size: int) -> str:
    """About ``size`` bytes of product rows: few nodes, long texts (as a catalogue page has)."""
    row = "Spare part {n}: chain ring, brake pad, inner tube, bell, saddle, mudguard. " * 40
    rows, total, n = [], 0, 0
    while total < size:
        html = f'<p class="row" id="row-{n}">{row.format(n=n)}</p>'
        rows.append(html)
        total += len(html)
        n += 1
    return "\n".join(rows)


async def test_a_2_mb_page_replays_in_the_console(
    hub_server: Any, browser: Any, shop_site: Any
) -> None:
    bulk = catalogue(2 * 1024 * KB)
    assert len(bulk) >= 2 * 1024 * KB
    s = await start(
        hub_server,
        browser,
        shop_site,
        "mayday-large-shop.html",
        subst={"bulk": bulk, "marker": MARKER},
    )
    replay = s.replay()
    # The end of the page is in the agent's replay.
    await replay.locator("#the-end", has_text=MARKER).wait_for(timeout=20_000)
    await replay.locator("#row-0").wait_for(state="attached")

    # It came in slices, none near the transport's 256 KB, and so did it leave the shop page.
    chunks = list(await s.agent.evaluate("window.__chunks"))
    assert len(chunks) >= 50 and max(chunks) <= 40 * KB, chunks
    sent = [f for f in s.sent if "cobrowse.chunk" in f]
    assert len(sent) >= 64 and max(len(f.encode()) for f in sent) < 128 * KB

    # Masked as always: the blocked box, the configured selector and every input's value.
    html = await replay.locator("html").inner_html()
    for secret in ("4242", "happy birthday", "sam@example.com"):
        assert secret not in html, secret
    for frame in sent:
        data = json.loads(frame[frame.index("[") :])[1]["data"]
        assert "happy birthday" not in data and "sam@example.com" not in data
