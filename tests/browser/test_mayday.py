"""Mayday in Chromium: a shopper taps live video help, an auto-answer agent sees their page and
draws on it; the shopper sees the agent, can pause and end; a password never leaves the page."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.kit.browser import REPLAY, shot, start, w

pytestmark = pytest.mark.browser

PASSWORD = "hunter2-Tr0ub4dor"
ARROW_TOOL = "[data-tool=arrow]"


async def test_mayday_video_page_view_arrow_password_pause_end(
    hub_server: Any, browser: Any, shop_site: Any
) -> None:
    s = await start(hub_server, browser, shop_site)
    shop, agent = s.shop, s.agent
    assert s.first_frame_s < 10, s.first_frame_s

    # The shopper sees the agent: frames decoded keep rising.
    before, after = await s.rising(shop, "video")
    assert after > before > 0, (before, after)
    # Their camera was never asked for (nor their microphone: they did not unmute).
    assert await shop.evaluate("window.__gum") == []
    await agent.locator(".stage .pill", has_text="customer sees you").wait_for()

    # The agent sees the shopper's page, with what the shop marks blocked.
    replay = s.replay()
    await replay.locator("#bike-name", has_text="Seaside Cruiser").wait_for()
    html = await replay.locator("html").inner_html()
    for secret in ("4242", "happy birthday", "HB-99812"):
        assert secret not in html, secret

    # A password typed on the page never leaves it: masked in the replay and on the wire.
    await shop.click("#password")
    await shop.keyboard.type(PASSWORD, delay=15)
    masked = "*" * len(PASSWORD)
    await agent.wait_for_function(
        f"""() => {{ const f = document.querySelector("{REPLAY}");
                    const i = f && f.contentDocument.querySelector("#password");
                    return i && i.value === "{masked}"; }}"""
    )
    await shop.fill("#email", "sam@example.com")
    await shop.wait_for_timeout(400)
    assert PASSWORD not in await replay.locator("html").inner_html()
    assert await replay.locator("#password").input_value() != PASSWORD
    received = await s.received()
    assert received and not [b for b in received if PASSWORD in b]
    assert not [f for f in s.sent if PASSWORD in f]
    assert not [b for b in received if "sam@example.com" in b]  # every input is masked

    # The shopper scrolls; the replay follows; the agent points an arrow at the checkout button.
    await shop.evaluate("document.querySelector('#checkout').scrollIntoView({block: 'center'})")
    scroll_y = await shop.evaluate("window.scrollY")
    assert scroll_y > 300
    await agent.wait_for_function(
        f"""() => {{ const f = document.querySelector("{REPLAY}");
                    return f && Math.abs(f.contentWindow.scrollY - {scroll_y}) < 2; }}"""
    )
    target = await replay.locator("#checkout").bounding_box()
    assert target
    tip = (target["x"] + target["width"] / 2, target["y"] + target["height"] / 2)
    await agent.click(f".stage {ARROW_TOOL}")
    await agent.mouse.move(tip[0] + 140, tip[1] - 110)
    await agent.mouse.down()
    for i in range(1, 9):
        await agent.mouse.move(tip[0] + 140 - 140 * i / 8, tip[1] - 110 + 110 * i / 8)
    await agent.mouse.up()

    arrow = shop.locator("lifeline-overlay g[data-tool=arrow] line").first
    await arrow.wait_for(state="attached")
    x, y = (float(v) for v in (await arrow.get_attribute("data-tip")).split(","))
    box = await shop.evaluate(
        """() => {
          const r = document.querySelector('#checkout').getBoundingClientRect();
          return {x: r.left + scrollX + r.width / 2, y: r.top + scrollY + r.height / 2};
        }"""
    )
    assert abs(x - box["x"]) < 8 and abs(y - box["y"]) < 8, ((x, y), box)
    # The arrow's tip is on the button, and the overlay never takes the shopper's click.
    hit = await shop.evaluate(f"document.elementFromPoint({x} - scrollX, {y} - scrollY).id")
    assert hit == "checkout"
    await agent.wait_for_timeout(300)
    await shot(shop, "mayday-arrow")
    await shot(agent, "mayday-console")

    # Pause: the console says so and nothing more of the page leaves it.
    await s.mayday("[data-action=pause]").click()
    await agent.locator(".stage[data-paused=true] .stage-msg", has_text="Paused").wait_for()
    frames_at_pause = len(s.sent)
    batches_at_pause = len(await s.received())
    await shop.fill("#email", "while-paused@example.com")
    await shop.evaluate("window.scrollTo(0, 0)")
    await shop.mouse.move(200, 200)
    await shop.mouse.move(300, 260)
    await shop.wait_for_timeout(700)
    assert len(await s.received()) == batches_at_pause
    assert not [f for f in s.sent[frames_at_pause:] if "cobrowse.events" in f]
    await shot(agent, "mayday-paused")
    await s.mayday("[data-action=pause]").click()  # resume
    await agent.locator(".stage[data-paused=false]").wait_for()
    await agent.wait_for_function(f"window.__cobrowse.length > {batches_at_pause}")
    await s.replay().locator("#page-title").wait_for()

    # The agent ends: everything is torn down on both sides.
    await agent.click(".stage [data-action=end-video]")
    await shop.locator("lifeline-mayday").wait_for(state="detached")
    await shop.locator("lifeline-overlay").wait_for(state="detached")
    await agent.locator(".stage").wait_for(state="detached")
    for page in (shop, agent):
        await page.wait_for_function(
            "window.__pcs.length > 0 && window.__pcs.every((pc) => pc.signalingState === 'closed')"
        )
    assert shop.js_errors == [] and agent.js_errors == []
    # The replay of the shop's page and the video ran under the console's strict policy.
    assert agent.csp_refusals == []


async def test_mayday_unmute_ice_restart_and_shopper_ends(
    hub_server: Any, browser: Any, shop_site: Any
) -> None:
    s = await start(hub_server, browser, shop_site)
    shop, agent = s.shop, s.agent

    # Unmuting asks for the microphone only, and its sound reaches the agent.
    await s.mayday("[data-action=mic]").click()
    await s.mayday("[data-action=mic][aria-pressed=true]").wait_for()
    asked = [json.loads(c) for c in await shop.evaluate("window.__gum")]
    assert asked and all(not c.get("video") for c in asked), asked
    for _ in range(30):
        before, after = await s.rising(agent, "audio")
        # Counted from the first packets seen: on a busy machine the sound may start between
        # the two readings of a second (0, then some), which does not yet show it flowing.
        if after > before > 0:
            break
    assert after > before > 0, (before, after)

    # A network change: the shopper's side asks, the agent makes an ICE restart offer, and the
    # media goes on.
    ufrag = "() => (window.__pcs[0].remoteDescription.sdp.match(/a=ice-ufrag:(\\S+)/) || [])[1]"
    first = await shop.evaluate(ufrag)
    await shop.evaluate("window.dispatchEvent(new Event('online'))")
    await shop.wait_for_function(f"({ufrag})() !== {json.dumps(first)}")
    await shop.wait_for_function("window.__pcs[0].connectionState === 'connected'")
    before, after = await s.rising(shop, "video")
    assert after > before

    # Media that cannot go on: the conversation carries on as chat, and the shopper is told why
    # (here the agent's side reports the failure, as it would after failed restarts).
    await agent.evaluate(
        """() => window.lifelineConsole.socket.emit("rtc.state", {
          contact_id: window.lifelineConsole.mayday.contactId,
          state: "failed", detail: "no route to the customer"})"""
    )
    await s.mayday(".win.failed .msg", has_text="no route to the customer").wait_for()
    await w(shop, ".sys[data-type='video.failed']", has_text="by chat").wait_for()
    await agent.locator(".stage .pill.bad", has_text="no route").wait_for()
    await s.mayday(".bar", has_text="can see this page").wait_for()  # the page view goes on

    # The shopper ends: the console's stage goes, and the contact waits for its wrap-up.
    await s.mayday("[data-action=end] >> nth=0").click()
    await agent.locator(".stage").wait_for(state="detached")
    await agent.locator("#wrapup-open", has_text="Wrap up").wait_for()
    await shop.locator("lifeline-mayday").wait_for(state="detached")
    for page in (shop, agent):
        await page.wait_for_function("window.__pcs.every((pc) => pc.signalingState === 'closed')")
    await asyncio.sleep(0)
    assert shop.js_errors == [] and agent.js_errors == []
