"""Share my screen in Chromium: in a live video session the shopper shares their screen, the
console shows it as video in place of the page view, and goes back to the page when they stop.

Chromium's fake media UI and devices (``tests.kit.browser.ARGS``) grant getDisplayMedia without
a prompt and give a synthetic 1280x720 screen, so no extra browser flags are needed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.browser import Session, start

pytestmark = pytest.mark.browser

SCREEN = ".stage video.screen"

# Frames decoded from the shopper's screen: the third m-line (mid 2) of the console's offer.
SCREEN_FRAMES = """async () => {
  let frames = 0;
  for (const pc of window.__pcs) {
    if (pc.signalingState === "closed") continue;
    const screen = pc.getTransceivers()[2];
    if (!screen) continue;
    (await screen.receiver.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0;
    });
  }
  return frames;
}"""

# What the console's <video> for the screen is playing.
PLAYING = f"""() => {{
  const v = document.querySelector("{SCREEN}");
  return {{hidden: v.hidden, width: v.videoWidth, height: v.videoHeight, time: v.currentTime}};
}}"""

# The shopper's own screen tracks, as getDisplayMedia gives them to the widget.
SPY_DISPLAY = """() => {
  window.__screens = [];
  const gdm = navigator.mediaDevices.getDisplayMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getDisplayMedia = async (c) => {
    const stream = await gdm(c);
    window.__screens.push(...stream.getVideoTracks());
    return stream;
  };
}"""


async def screen_frames_rising(agent: Any) -> tuple[int, int]:
    before = await agent.evaluate(SCREEN_FRAMES)
    await agent.wait_for_timeout(1000)
    return before, await agent.evaluate(SCREEN_FRAMES)


async def sees_screen(s: Session) -> None:
    """The console shows the shopper's screen: a playing video in place of the replay."""
    agent = s.agent
    await agent.locator(SCREEN).wait_for(state="visible")
    await agent.locator(".stage .scaled").wait_for(state="hidden")
    await agent.wait_for_function(
        f"""() => {{ const v = document.querySelector("{SCREEN}");
                    return v.videoWidth > 0 && v.readyState >= 2 && v.currentTime > 0; }}"""
    )
    first = await agent.evaluate(PLAYING)
    before, after = await screen_frames_rising(agent)
    second = await agent.evaluate(PLAYING)
    assert after > before > 0, (before, after)
    assert (first["width"], first["height"]) == (1280, 720), first
    assert second["time"] > first["time"], (first, second)


async def sees_page(s: Session) -> None:
    """The console is back on the page view: the replay shows, the screen's video is hidden."""
    await s.agent.locator(SCREEN).wait_for(state="hidden")
    await s.agent.locator(".stage .scaled").wait_for(state="visible")
    await s.replay().locator("#bike-name", has_text="Seaside Cruiser").wait_for()


async def test_share_screen_shows_on_console_and_stops(
    hub_server: Any, browser: Any, shop_site: Any
) -> None:
    s = await start(hub_server, browser, shop_site)
    shop, agent = s.shop, s.agent
    await shop.evaluate(SPY_DISPLAY)  # the widget's file is loaded: spy on what it asks for
    await s.replay().locator("#bike-name", has_text="Seaside Cruiser").wait_for()
    assert await agent.locator(SCREEN).is_hidden()
    assert await agent.evaluate(SCREEN_FRAMES) == 0  # nothing is sent before the shopper shares

    # The shopper shares: one screen track, sent on the already negotiated third m-line.
    share = s.mayday("[data-action=screen]")
    await share.click()
    await s.mayday("[data-action=screen][aria-pressed=true]").wait_for()
    assert await shop.evaluate("window.__screens.map((t) => t.readyState)") == ["live"]
    await sees_screen(s)
    await agent.wait_for_function(
        """() => window.__cobrowse.some((b) => b.includes('"lifeline.screen"')
                                           && b.includes('"sharing":true'))"""
    )

    # Paused, the shared screen sends nothing either; resumed, it shows again.
    await s.mayday("[data-action=pause]").click()
    await agent.locator(".stage[data-paused=true] .stage-msg", has_text="Paused").wait_for()
    await agent.wait_for_timeout(500)  # frames already on their way
    before, after = await screen_frames_rising(agent)
    assert after == before, (before, after)
    await s.mayday("[data-action=pause]").click()  # resume
    await agent.locator(".stage[data-paused=false]").wait_for()
    await sees_screen(s)

    # The shopper stops: their track ends, and the console goes back to the page.
    await share.click()
    await s.mayday("[data-action=screen][aria-pressed=false]").wait_for()
    assert await shop.evaluate("window.__screens.map((t) => t.readyState)") == ["ended"]
    await sees_page(s)
    # The page view is live again: a change on the page reaches the replay.
    await shop.evaluate("document.querySelector('#page-title').textContent = 'Back to basket'")
    await s.replay().locator("#page-title", has_text="Back to basket").wait_for()

    # Sharing a second time shows the new screen again.
    await share.click()
    await s.mayday("[data-action=screen][aria-pressed=true]").wait_for()
    await sees_screen(s)
    await share.click()
    await sees_page(s)

    assert shop.js_errors == [] and agent.js_errors == []
