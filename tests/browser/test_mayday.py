"""Mayday in Chromium: a shopper taps live video help, an auto-answer agent sees their page and
draws on it; the shopper sees the agent, can pause and end; a password never leaves the page."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from tests.browser.conftest import agent_login, new_page, shot, w, widget_ready

pytestmark = pytest.mark.browser

# Test instruments, added before any page script runs: every RTCPeerConnection the page makes,
# and every getUserMedia it asks for.
SPY = """
window.__pcs = [];
window.__gum = [];
const NativePC = window.RTCPeerConnection;
window.RTCPeerConnection = class extends NativePC {
  constructor(...args) { super(...args); window.__pcs.push(this); }
};
if (navigator.mediaDevices) {
  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (c) => {
    window.__gum.push(JSON.stringify(c));
    return gum(c);
  };
}
"""

INBOUND = """async (kind) => {
  let frames = 0, packets = 0;
  for (const pc of window.__pcs) {
    if (pc.signalingState === "closed") continue;
    (await pc.getStats()).forEach((r) => {
      if (r.type !== "inbound-rtp" || r.kind !== kind) return;
      frames += r.framesDecoded || 0;
      packets += r.packetsReceived || 0;
    });
  }
  return kind === "video" ? frames : packets;
}"""

PASSWORD = "hunter2-Tr0ub4dor"
ARROW_TOOL = "[data-tool=arrow]"
REPLAY = ".stage .replayer-wrapper iframe"


@pytest.fixture
def hub_config() -> dict[str, Any]:
    return {"offer_timeout_s": {"chat": 8.0, "video": 8.0, "callback": 10.0}}


class Session:
    """A shopper's page and an agent's console in one Mayday session."""

    def __init__(self, shop: Any, agent: Any, sent: list[str]) -> None:
        self.shop = shop
        self.agent = agent
        self.sent = sent  # every websocket frame the shop page sent
        self.first_frame_s = 0.0  # from the tap to the agent's video playing on the page

    def mayday(self, selector: str, **kw: Any) -> Any:
        return self.shop.locator(f"lifeline-mayday {selector}", **kw)

    def replay(self) -> Any:
        return self.agent.frame_locator(REPLAY)

    async def received(self) -> list[str]:
        """The cobrowse.events batches the console received, as JSON text."""
        return list(await self.agent.evaluate("window.__cobrowse"))

    async def rising(self, page: Any, kind: str) -> tuple[int, int]:
        before = await page.evaluate(INBOUND, kind)
        await page.wait_for_timeout(1000)
        return before, await page.evaluate(INBOUND, kind)


async def start(hub: Any, browser: Any, shop_site: Any) -> Session:
    await hub.add_site("vid", settings={"channels": ["chat", "callback", "video"]})
    await hub.add_agent("may@example.com", "may-password", name="May", auto_answer=True)
    agent = await agent_login(browser, hub, len(hub.agents) - 1, init_script=SPY)
    # What the console receives of the page, seen as its own code sees it.
    await agent.evaluate(
        """window.__cobrowse = [];
        window.lifelineConsole.socket.onAny((name, payload) => {
          if (name === "cobrowse.events") window.__cobrowse.push(JSON.stringify(payload));
        });"""
    )
    shop = await new_page(browser)
    await shop.add_init_script(SPY)
    sent: list[str] = []
    shop.on(
        "websocket",
        lambda ws: ws.on(
            "framesent", lambda f: sent.append(f if isinstance(f, str) else f.decode("latin-1"))
        ),
    )
    await shop.goto(shop_site.page("mayday-shop.html", key="vid"))
    await widget_ready(shop)
    await w(shop, ".launcher").click()
    video_card = w(shop, "[data-action=video]")
    await video_card.wait_for()
    tapped = time.monotonic()
    await video_card.click()

    s = Session(shop, agent, sent)
    # Auto-answer: the console accepts, shows the stage and makes the offer; the shopper's
    # page plays the agent's camera.
    await agent.locator(".stage").wait_for()
    await s.mayday("video").wait_for()
    await shop.wait_for_function(
        """() => {
          const v = document.querySelector("lifeline-mayday").shadowRoot.querySelector("video");
          return v && v.readyState >= 2 && v.videoWidth > 0;
        }""",
        timeout=15_000,
    )
    s.first_frame_s = time.monotonic() - tapped
    print(f"tap to the agent's first frame on the page: {s.first_frame_s * 1000:.0f} ms")
    return s


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
        if after > before:
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
