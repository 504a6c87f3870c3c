"""Browser helpers: pages in headless Debian Chromium, the widget, the console, a shop site,
and the two pages of a Mayday session."""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("HUB_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
FIXTURES = Path(__file__).parents[1] / "browser" / "fixtures"
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
TIMEOUT_MS = 10_000
# Offers last long enough for a browser to click them; tests of expiry shorten them.
BROWSER_OFFER_TIMEOUTS = {"chat": 8.0, "video": 8.0, "callback": 10.0}


async def new_page(
    browser: Any, *, width: int = 1280, height: int = 800, locale: str = "en-US"
) -> Any:
    context = await browser.new_context(
        viewport={"width": width, "height": height}, locale=locale, reduced_motion="reduce"
    )
    context.set_default_timeout(TIMEOUT_MS)
    # Every page of the context, also one a test opens beside it (context.new_page()).
    context.on("page", _as_functions)
    page = await context.new_page()
    _as_functions(page)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    # What the page's Content-Security-Policy refused (the console's is strict).
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.csp_refusals = refused  # type: ignore[attr-defined]
    return page


# A JavaScript function as Playwright takes one: ``function``, ``(a) => ...``, ``a => ...``.
FUNCTION = re.compile(r"^(async\s+)?(function\b|\([^()]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)")


def _as_functions(page: Any) -> None:
    """``page.wait_for_function("x.y")`` polls the expression through the page's own ``eval``,
    which the console's Content-Security-Policy forbids (no ``unsafe-eval``): the tests run
    the console under its real policy, so a bare expression is sent as an arrow function."""
    if getattr(page, "_kit_functions", False):
        return
    page._kit_functions = True
    original = page.wait_for_function

    async def wait_for_function(expression: str, *args: Any, **kwargs: Any) -> Any:
        text = expression.strip()
        if not FUNCTION.match(text):
            expression = f"() => ({text})"
        return await original(expression, *args, **kwargs)

    page.wait_for_function = wait_for_function


async def open_shop(page: Any, hub: Any, site_key: str = "demo", path: str = "/demo/") -> None:
    """Open the demo shop and wait until the widget is connected and shows its button."""
    await page.goto(f"{hub.url}{path}?site_key={site_key}")
    await widget_ready(page)


async def widget_ready(page: Any) -> None:
    await page.wait_for_selector("lifeline-widget[data-lifeline-state=online]", state="attached")
    await page.locator("lifeline-widget .launcher").wait_for(state="visible")


def w(page: Any, selector: str, **kw: Any) -> Any:
    """A locator inside the widget's shadow root (Playwright's CSS pierces open shadow roots)."""
    return page.locator(f"lifeline-widget {selector}", **kw)


class ShopSite:
    """A second web server on loopback that plays the shop: its pages embed the hub's widget.

    A real server rather than page.route: Chromium lets a page reach a loopback hub only from
    a loopback page, and the page's origin must differ from the hub's to test origin checks.
    """

    def __init__(self, hub_url: str) -> None:
        self.hub_url = hub_url
        self.pages: dict[str, str] = {}
        self.origin = ""

    def page(self, name: str, **subst: str) -> str:
        """Serve fixtures/NAME with {{hub}}, {{key}}... filled in; return its URL."""
        html = (FIXTURES / name).read_text()
        values = {"hub": self.hub_url, "key": "", "widget": "", **subst}
        self.pages[name] = re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], html)
        return f"{self.origin}/{name}"

    async def handle(self, request: Any) -> Any:
        from aiohttp import web

        html = self.pages.get(request.match_info["name"])
        if html is None:
            raise web.HTTPNotFound()
        return web.Response(text=html, content_type="text/html")


async def agent_login(
    browser: Any,
    hub: Any,
    index: int = 0,
    *,
    available: bool = True,
    init_script: str | None = None,
    **kw: Any,
) -> Any:
    """A console page, signed in as hub.agents[index], set available (or away)."""
    email, password = hub.agents[index]
    page = await new_page(browser, **({"width": 1400, "height": 860} | kw))
    if init_script:
        await page.add_init_script(init_script)
    await page.goto(f"{hub.url}/console/")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("#login-form button[type=submit]")
    await page.wait_for_function("window.lifelineConsole && window.lifelineConsole.connected")
    await page.select_option("#presence", "available" if available else "away")
    await page.wait_for_function(
        f"window.lifelineConsole.state.presence === {'`available`' if available else '`away`'}"
    )
    return page


async def first_offered(pages: list[Any], timeout_s: float = 5.0) -> Any:
    """The console page among PAGES that shows an offer first."""
    for _ in range(int(timeout_s * 10)):
        for page in pages:
            if await page.locator(".offer").count():
                return page
        await asyncio.sleep(0.1)
    raise AssertionError("no agent was offered the contact")


async def shot(page: Any, name: str, **kw: Any) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **kw)


# Mayday: a shopper's page and an agent's console in one session

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

REPLAY = ".stage .replayer-wrapper iframe"


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


async def start(
    hub: Any,
    browser: Any,
    shop_site: Any,
    page: str = "mayday-shop.html",
    *,
    subst: dict[str, str] | None = None,
    **shop_page: Any,
) -> Session:
    """A Mayday session up to the agent's first frame, on the shop page PAGE (its ``{name}``s
    replaced by SUBST); shop_page: new_page's width, height, locale for the shopper's page (a
    phone: width=390, height=844)."""
    await hub.add_site("vid", settings={"channels": ["chat", "callback", "video"]})
    await hub.add_agent("may@example.com", "may-password", name="May", auto_answer=True)
    agent = await agent_login(browser, hub, len(hub.agents) - 1, init_script=SPY)
    # What the console receives of the page, seen as its own code sees it.
    await agent.evaluate(
        """window.__cobrowse = [];
        window.lifelineConsole.socket.onAny((name, payload) => {
          if (name === "cobrowse.events") window.__cobrowse.push(JSON.stringify(payload));
          if (name === "cobrowse.chunk") window.__chunks.push(payload.data.length);
        });
        window.__chunks = [];"""
    )
    shop = await new_page(browser, **shop_page)
    await shop.add_init_script(SPY)
    sent: list[str] = []
    shop.on(
        "websocket",
        lambda ws: ws.on(
            "framesent", lambda f: sent.append(f if isinstance(f, str) else f.decode("latin-1"))
        ),
    )
    await shop.goto(shop_site.page(page, **({"key": "vid"} | (subst or {}))))
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


# A chat in the console, its customer on a raw socket (tests.kit.wire)


async def say(shopper: Any, conversation_id: str, text: str) -> None:
    """The customer on SHOPPER writes TEXT in the conversation."""
    payload = {"conversation_id": conversation_id, "client_id": str(uuid.uuid4()), "text": text}
    assert (await shopper.call("message.send", payload))["ok"]


async def console_chat(
    hub: Any,
    browser: Any,
    clients: Any,
    *,
    settings: dict[str, Any] | None = None,
    text: str = "My order is late",
    **size: int,
) -> tuple[Any, Any, str]:
    """Ada's console with one chat accepted, the hub's test site changed by SETTINGS first:
    her page, the customer's socket and the conversation's id."""
    from hub.actions import admin

    if settings:
        await admin.update_site(hub.database_url, hub.site_key, settings=settings)
    agent = await agent_login(browser, hub, 0, **size)
    shopper = await clients.customer()
    ack = await shopper.call("contact.request", {"channel": "chat", "text": text})
    assert ack["ok"], ack
    await agent.locator(".offer button.primary").click()
    await agent.locator(".bubble.theirs", has_text=text).wait_for()
    return agent, shopper, ack["conversation_id"]
