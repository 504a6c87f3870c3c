"""Mayday after a reload: the shopper's page, then the console, reload during a live session;
each time both rebuild their peer connection and the agent's replay of the page starts again."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from hub.store.schema import contact_events
from tests.kit.browser import INBOUND, Session, start, widget_ready

pytestmark = pytest.mark.browser

PLAYING = """() => {
  const m = document.querySelector("lifeline-mayday");
  const v = m && m.shadowRoot.querySelector("video");
  return !!v && v.readyState >= 2 && v.videoWidth > 0;
}"""

# What the console sends: video frames encoded on its open peer connections.
OUTBOUND = """async () => {
  let frames = 0;
  for (const pc of window.__pcs) {
    if (pc.signalingState === "closed") continue;
    (await pc.getStats()).forEach((r) => {
      if (r.type === "outbound-rtp" && r.kind === "video") frames += r.framesEncoded || 0;
    });
  }
  return frames;
}"""


@pytest.fixture
def hub_config() -> dict[str, Any]:
    return {"offer_timeout_s": {"chat": 8.0, "video": 8.0, "callback": 10.0}}


async def rising(page: Any, script: str, *args: Any) -> None:
    """The count of ``script`` keeps going up (media flows), within a few seconds."""
    before = after = await page.evaluate(script, *args)
    for _ in range(20):
        await page.wait_for_timeout(500)
        after = await page.evaluate(script, *args)
        if after > before > 0:
            return
        before = before or after  # counted from the first frame seen
    raise AssertionError((script[:40], before, after))


async def agent_sees_shop_change(s: Session, text: str) -> None:
    """The shopper changes their page; the console's replay shows it (so it follows live)."""
    await s.shop.evaluate(f"document.querySelector('#bike-name').textContent = {text!r}")
    await s.replay().locator("#bike-name", has_text=text).wait_for()


async def test_mayday_rejoins_after_the_shop_and_then_the_console_reload(
    hub_server: Any, browser: Any, shop_site: Any
) -> None:
    s = await start(hub_server, browser, shop_site)
    shop, agent = s.shop, s.agent
    await agent_sees_shop_change(s, "Before any reload")
    contact_id = await agent.evaluate("window.lifelineConsole.mayday.contactId")

    # The shopper reloads: the widget finds its live session in the timeline, shows the consent
    # frame again, records the page again and rejoins; the console makes a fresh offer.
    await shop.reload()
    await widget_ready(shop)
    await s.mayday(".bar", has_text="can see this page").wait_for()
    await shop.wait_for_function(PLAYING, timeout=15_000)
    await rising(shop, INBOUND, "video")
    await agent.wait_for_function(
        "window.__pcs.filter((pc) => pc.connectionState === 'connected').length === 1"
    )
    await agent.locator(".stage .pill", has_text="customer sees you").wait_for()
    await agent_sees_shop_change(s, "After the shop reloaded")
    assert await agent.evaluate("window.lifelineConsole.mayday.contactId") == contact_id

    # The console reloads: it finds the live video contact in its snapshot, opens the stage and
    # rejoins; the widget answers with a new peer connection.
    await agent.reload()
    await agent.wait_for_function(
        "window.lifelineConsole && window.lifelineConsole.connected"
        " && window.lifelineConsole.mayday"
    )
    assert await agent.evaluate("window.lifelineConsole.mayday.contactId") == contact_id
    await agent.wait_for_function("window.__pcs.some((pc) => pc.connectionState === 'connected')")
    await rising(agent, OUTBOUND)
    await shop.wait_for_function(
        "window.__pcs.filter((pc) => pc.connectionState === 'connected').length === 1"
    )
    await shop.wait_for_function(PLAYING, timeout=15_000)
    await rising(shop, INBOUND, "video")
    await agent.locator(".stage .pill", has_text="customer sees you").wait_for()
    await s.replay().locator("#bike-name").wait_for()
    await agent_sees_shop_change(s, "After the console reloaded")

    # Another tab of the same shopper (same visitor, its own sessionStorage) leaves the session
    # to the tab that holds it.
    other = await shop.context.new_page()
    await other.goto(shop.url)
    await widget_ready(other)
    await other.wait_for_timeout(1000)
    assert await other.locator("lifeline-mayday").count() == 0
    await other.close()
    await rising(shop, INBOUND, "video")

    # Both reloads are milestones of the session.
    async with hub_server.hub.db.connect() as conn:
        rows = await conn.execute(
            select(contact_events.c.data).where(
                contact_events.c.contact_id == contact_id,
                contact_events.c.type == "media_rejoined",
            )
        )
        assert sorted(r[0]["from"] for r in rows) == ["agent", "customer"]

    # Ending still tears everything down on both sides.
    await agent.click(".stage [data-action=end-video]")
    await shop.locator("lifeline-mayday").wait_for(state="detached")
    for page in (shop, agent):
        await page.wait_for_function("window.__pcs.every((pc) => pc.signalingState === 'closed')")
    assert shop.js_errors == [] and agent.js_errors == []
    # Nothing of this session keeps running (camera, reconnect loops) into the next tests.
    for page in (shop, agent):
        await page.context.close()
