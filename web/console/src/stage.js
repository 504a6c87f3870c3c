// The console's Mayday view of one video contact: the shopper's page replayed live with rrweb
// (or their shared screen), the agent's own camera, the customer's microphone, and the drawing
// tools. Strokes are sent with annotation.draw in page coordinates (which follow the replay's
// scroll) or in fractions of the picture on a shared screen; they come back as timeline events
// and are drawn from those, so the agent sees exactly what the shopper sees.
import { Replayer } from "@rrweb/replay";
import { EventType } from "@rrweb/types";
import { h } from "../../shared/dom.js";
import { strokeNode, svgRoot, vanish, TOOLS, COLORS, DEFAULT_TTL } from "../../shared/ink.js";
import { ANNOTATION_CLEAR, ANNOTATION_DRAW, COBROWSE_CHUNK, COBROWSE_EVENTS, LASER_END, LASER_MOVE, RTC_CONFIG, RTC_SIGNAL, RTC_STATE, SHARE_STATE } from "../../shared/events.js";
import { AgentRtc } from "./rtc.js";
import { UrlGuard } from "./replay-urls.js";

const TOOL_LABELS = { arrow: "Arrow", pen: "Pen", highlighter: "Highlighter", laser: "Laser", ink: "Vanishing ink" };
const COLOR_NAMES = { "#ff3b30": "Red", "#ffcc00": "Yellow", "#0a84ff": "Blue", "#34c759": "Green", "#111111": "Black" };
const MAX_POINTS = 2000;

let strokeSeq = 0;

export class MaydayView {
  // request(name, payload) -> Promise of the ack; media: Promise of the warm camera stream.
  constructor({ contactId, who, request, media, onEnd }) {
    this.contactId = contactId;
    this.who = who;
    this.request = request;
    this.mediaReady = media;
    this.onEnd = onEnd;
    this.tool = "arrow";
    this.color = COLORS[0];
    this.paused = false;
    this.ended = false;
    this.mode = "page"; // or "screen" while the shopper shares their screen
    this.received = 0; // rrweb events received, for the curious (and the tests)
    this.size = { width: 1024, height: 768 };
    this.scroll = { x: 0, y: 0 };
    this.blocked = new Set(); // ids of the replay's blocked nodes (see fixBlocked)
    this.chunks = null; // a big batch arriving in slices: {id, count, parts}
    this.held = []; // batches that arrived while it did, fed after it (in order)
    this.laser = { pos: null, busy: false, down: false, frame: 0 };
    this.build();
    this.frame = requestAnimationFrame(() => this.layout());
  }

  build() {
    const tools = TOOLS.map((tool) =>
      h("button", { type: "button", class: "tool", "data-tool": tool, "aria-pressed": String(tool === this.tool), title: TOOL_LABELS[tool], onclick: () => this.setTool(tool) }, TOOL_LABELS[tool]),
    );
    const colors = COLORS.map((c) =>
      h("button", { type: "button", class: "swatch", "data-color": c, "aria-pressed": String(c === this.color), title: COLOR_NAMES[c], "aria-label": COLOR_NAMES[c], style: `--sw:${c}`, onclick: () => this.setColor(c) }),
    );
    this.status = h("span", { class: "pill", role: "status" }, "Connecting video…");
    this.tools = h("div", { class: "tools", role: "toolbar", "aria-label": "Drawing tools" }, tools, h("span", { class: "sep" }), colors, h("span", { class: "sep" }), h("button", { type: "button", class: "tool", "data-action": "clear", onclick: () => this.clear() }, "Clear"));
    const bar = h(
      "div",
      { class: "stage-bar" },
      h("b", {}, `Live video · ${this.who}`),
      this.status,
      h("span", { class: "grow" }),
      this.tools,
      h("button", { type: "button", class: "danger", "data-action": "end-video", onclick: () => this.onEnd() }, "End video"),
    );
    this.replayRoot = h("div", { class: "replay" });
    this.pageInk = svgRoot({ class: "ink", "data-surface": "page" });
    this.pageInkScroll = document.createElementNS("http://www.w3.org/2000/svg", "g");
    this.pageInk.append(this.pageInkScroll);
    // The drawing surfaces take the keyboard too: the arrow keys move a pointer, Enter draws.
    this.hint = h("p", { class: "sr-only", id: `draw-hint-${this.contactId}` }, "Arrow keys move the pointer (with Shift, in bigger steps); Enter or Space draws there with the chosen tool, as a click does.");
    this.catcher = h("div", { class: "catcher", role: "application", tabindex: "0", "aria-label": "Drawing surface over the customer's page", "aria-describedby": this.hint.id });
    this.scaled = h("div", { class: "scaled" }, this.replayRoot, this.pageInk, this.catcher);
    this.screenVideo = h("video", { class: "screen", autoplay: true, playsinline: true, muted: true, hidden: true });
    this.screenInk = svgRoot({ class: "ink screen-ink", "data-surface": "video", hidden: true });
    this.screenCatcher = h("div", { class: "catcher screen-catcher", role: "application", tabindex: "0", "aria-label": "Drawing surface over the customer's shared screen", "aria-describedby": this.hint.id, hidden: true });
    this.msg = h("div", { class: "stage-msg", role: "status" }, "Waiting for the customer's page…");
    this.box = h("div", { class: "screen-box" }, this.scaled, this.screenVideo, this.screenInk, this.screenCatcher, this.msg);
    this.self = h("video", { class: "self", autoplay: true, playsinline: true, muted: true, "aria-label": "Your camera, as the customer sees it" });
    this.audio = h("audio", { autoplay: true });
    this.el = h("section", { class: "stage", "data-contact": this.contactId, "aria-label": `Live video with ${this.who}` }, bar, h("div", { class: "stage-main" }, this.box, this.self), this.audio, this.hint);
    for (const c of [this.catcher, this.screenCatcher]) {
      this.drawing(c);
      this.keyboard(c);
    }
  }

  // ---- hub events ------------------------------------------------------------------------
  handle(name, p) {
    if (this.ended) return;
    switch (name) {
      case RTC_CONFIG:
        this.connect(p.ice_servers || [], !!p.rejoin);
        break;
      case RTC_SIGNAL:
        if (p.from === "customer" && this.rtc) this.rtc.onSignal(p);
        break;
      case RTC_STATE:
        if (p.from !== "customer") break;
        if (p.state === "first_frame") {
          // Said once per connection, and kept: this connection's "connected" may come after.
          this.seenOn = this.attempt;
          this.setStatus("The customer sees you", "ok");
        }
        else if (p.state === "disconnected" && this.rtc) this.rtc.restart("customer");
        else if (p.state === "failed") this.mediaFailed(p.detail);
        break;
      case COBROWSE_EVENTS:
        if (this.chunks) this.held.push(p.events || []);
        else this.feed(p.events || []);
        break;
      case COBROWSE_CHUNK:
        this.chunk(p);
        break;
      case SHARE_STATE:
        this.setPaused(!!p.paused);
        break;
    }
  }

  // Timeline events of the conversation: the strokes, as the shopper receives them.
  timeline(ev) {
    const d = ev.data || {};
    if (d.contact_id !== this.contactId) return;
    if (ev.type === "annotation") this.drawStroke(d.stroke);
    else if (ev.type === "annotation.clear") this.clearInk();
    else if (ev.type === "video.failed") this.mediaFailed(d.reason);
  }

  // On assignment, and again on a rejoin (the shopper or this console reloaded): a rejoin
  // drops the old peer connection, if any, and makes a fresh offer.
  async connect(iceServers, rejoin) {
    if (this.rtc && !rejoin) return;
    if (this.rtc) {
      this.rtc.close();
      this.rtc = null;
      this.setStatus("Reconnecting video…");
    }
    const attempt = (this.attempt = (this.attempt || 0) + 1);
    // The camera was opened at sign-in; wait for it a little if sign-in was a moment ago.
    const media = await Promise.race([this.mediaReady, new Promise((r) => setTimeout(() => r(null), 3000))]);
    if (this.ended || attempt !== this.attempt) return;
    if (media) {
      for (const t of media.getTracks()) t.enabled = true;
      this.self.srcObject = media;
    } else this.self.hidden = true;
    this.rtc = new AgentRtc({
      iceServers,
      media,
      signal: (payload) => this.request(RTC_SIGNAL, { contact_id: this.contactId, ...payload }).catch(() => {}),
      report: (state, detail) => this.request(RTC_STATE, { contact_id: this.contactId, state, ...(detail ? { detail } : {}) }).catch(() => {}),
      on: {
        audio: (stream) => {
          this.audio.srcObject = stream;
          this.audio.play().catch(() => {});
        },
        screen: (track) => this.watchScreen(track),
        connected: () => {
          if (this.seenOn !== attempt) this.setStatus("Connected", "ok");
        },
        failed: (reason) => this.mediaFailed(reason),
      },
    });
    this.rtc.start().catch(() => this.mediaFailed("the offer could not be made"));
  }

  mediaFailed(reason) {
    this.setStatus(`Video failed${reason ? `: ${reason}` : ""} · carry on by chat`, "bad");
    if (this.rtc) this.rtc.close();
  }

  setStatus(text, tone) {
    this.status.textContent = text;
    this.status.className = "pill" + (tone ? " " + tone : "");
  }

  setPaused(paused) {
    this.paused = paused;
    this.el.classList.toggle("paused", paused);
    this.el.dataset.paused = String(paused);
    this.renderMsg();
  }

  renderMsg() {
    const text = this.paused
      ? "Paused by the customer · they will resume when ready"
      : this.mode === "page" && !this.hasPage
        ? "Waiting for the customer's page…"
        : "";
    this.msg.textContent = text;
    this.msg.hidden = !text;
  }

  // ---- the replay ------------------------------------------------------------------------
  // A batch too big for one message (a large page's full snapshot) comes in slices of its
  // JSON, in order; what comes meanwhile waits, so the page is built before it changes.
  chunk(p) {
    if (!p || typeof p.data !== "string") return;
    if (p.index === 0) this.chunks = { id: p.batch_id, count: p.count, parts: [] };
    const c = this.chunks;
    if (!c || c.id !== p.batch_id || p.index !== c.parts.length) return;
    c.parts.push(p.data);
    if (c.parts.length < c.count) return;
    this.chunks = null;
    let events = [];
    try {
      events = JSON.parse(c.parts.join(""));
    } catch (_) {
      /* a broken batch is skipped; the hub sent it whole, so this does not happen */
    }
    if (Array.isArray(events)) this.feed(events);
    const held = this.held;
    this.held = [];
    for (const batch of held) this.feed(batch);
  }

  feed(events) {
    if (!events.length) return;
    this.received += events.length;
    if (!this.replayer) {
      this.urls = new UrlGuard(null);
      this.replayer = new Replayer([], {
        root: this.replayRoot,
        liveMode: true,
        mouseTail: false,
        showWarning: false,
        triggerFocus: false,
        UNSAFE_replayCanvas: false,
        pauseAnimation: false,
        // The widget's own elements are blocked on the shopper's page; here they are nothing.
        insertStyleRules: ["lifeline-widget, lifeline-mayday, lifeline-overlay { display: none !important; }"],
      });
      // The replay's frame is named for screen readers (axe's frame-title); it takes no focus:
      // the drawing surface above it is what the keyboard works on.
      if (this.replayer.iframe) {
        this.replayer.iframe.setAttribute("title", `${this.who}'s page, replayed live`);
        this.replayer.iframe.setAttribute("tabindex", "-1");
      }
      this.replayer.on("resize", (d) => {
        if (d && d.width && d.height) this.size = { width: d.width, height: d.height };
      });
      // Play the newest event now: anything older (the page as it was while the customer
      // waited) is applied at once, so the agent never lags behind.
      this.replayer.startLive(events[events.length - 1].timestamp - 50);
    }
    for (const ev of events) {
      // All of it in the try: one broken event (a node list that is not one, a tree too deep
      // to walk) must not stop the view, nor lose the rest of its batch.
      try {
        // Only the page's own origin and data: URLs reach the agent's browser.
        this.urls.event(ev);
        this.findBlocked(ev);
        if (ev.type === EventType.FullSnapshot) this.hasPage = true;
        if (ev.type === EventType.Meta && ev.data && ev.data.width) this.size = { width: ev.data.width, height: ev.data.height };
        if (ev.type === EventType.Custom && ev.data && ev.data.tag === "lifeline.screen") this.screenShared = !!(ev.data.payload && ev.data.payload.sharing);
        this.replayer.addEvent(ev);
      } catch (_) {
        /* skipped: the next event is applied */
      }
    }
    if (this.screenShared === false && this.mode === "screen") this.setMode("page");
    // A second share brings no "unmute": the track stays unmuted after the shopper stops (their
    // side only replaces its track with none), so their word that they share again is the cue.
    else if (this.screenShared && this.mode === "page" && this.screenTrack && !this.screenTrack.muted) this.setMode("screen");
    this.renderMsg();
  }

  // The shopper's screen track sends frames only while they share: show it then.
  watchScreen(track) {
    this.screenTrack = track;
    this.screenVideo.srcObject = new MediaStream([track]);
    const live = () => {
      if (this.screenShared !== false) this.setMode("screen");
    };
    track.addEventListener("unmute", live);
    track.addEventListener("mute", () => this.setMode("page"));
    if (!track.muted) live();
  }

  setMode(mode) {
    if (this.mode === mode) return;
    this.mode = mode;
    const screen = mode === "screen";
    this.scaled.hidden = screen;
    this.screenVideo.hidden = !screen;
    this.screenInk.toggleAttribute("hidden", !screen);
    this.screenCatcher.hidden = !screen;
    if (screen) this.screenVideo.play().catch(() => {});
    this.renderMsg();
  }

  // Blocked elements are replayed as empty boxes sized like the original's border box; they
  // must be border-box sized too, or their padding would push the rest of the page down and
  // strokes would land off target. Their ids are noted here and checked on every frame (a
  // full snapshot rebuilds the page and numbers its nodes afresh).
  findBlocked(ev) {
    const walk = (n) => {
      if (!n) return;
      if (n.attributes && n.attributes.rr_width) this.blocked.add(n.id);
      for (const c of n.childNodes || []) walk(c);
    };
    if (ev.type === EventType.FullSnapshot) {
      this.blocked = new Set();
      walk(ev.data && ev.data.node);
    }
    else if (ev.type === EventType.IncrementalSnapshot && ev.data && ev.data.source === 0) for (const a of ev.data.adds || []) walk(a.node);
  }

  fixBlocked() {
    if (!this.blocked.size || !this.replayer) return;
    const mirror = this.replayer.getMirror();
    for (const id of this.blocked) {
      const node = mirror.getNode(id);
      if (node && node.style && node.style.boxSizing !== "border-box") node.style.boxSizing = "border-box";
    }
  }

  // Scale the replay to fit, and keep the page's ink in step with the replay's scroll.
  layout() {
    if (this.ended) return;
    const bw = this.box.clientWidth;
    const bh = this.box.clientHeight;
    const { width, height } = this.size;
    if (bw && bh) {
      const s = Math.min(bw / width, bh / height);
      this.scale = s;
      Object.assign(this.scaled.style, { width: `${width}px`, height: `${height}px`, transform: `scale(${s})`, left: `${Math.max(0, (bw - width * s) / 2)}px` });
      this.scaled.style.setProperty("--unscale", String(1 / s));
    }
    this.fixBlocked();
    const win = this.replayer && this.replayer.iframe && this.replayer.iframe.contentWindow;
    if (win) {
      const x = win.scrollX || 0;
      const y = win.scrollY || 0;
      if (x !== this.scroll.x || y !== this.scroll.y) {
        this.scroll = { x, y };
        this.pageInkScroll.setAttribute("transform", `translate(${-x} ${-y})`);
      }
    }
    this.frame = requestAnimationFrame(() => this.layout());
  }

  // ---- drawing ---------------------------------------------------------------------------
  setTool(tool) {
    this.tool = tool;
    for (const b of this.tools.querySelectorAll("[data-tool]")) b.setAttribute("aria-pressed", String(b.dataset.tool === tool));
  }

  setColor(color) {
    this.color = color;
    for (const b of this.tools.querySelectorAll("[data-color]")) b.setAttribute("aria-pressed", String(b.dataset.color === color));
  }

  // Where a pointer is, on the surface being shown: page pixels, or fractions of the picture.
  toSurface(e) {
    if (this.mode === "page") {
      const r = this.catcher.getBoundingClientRect();
      const s = this.scale || 1;
      return [Math.max(0, (e.clientX - r.left) / s + this.scroll.x), Math.max(0, (e.clientY - r.top) / s + this.scroll.y)];
    }
    const c = this.videoContent();
    const clamp = (v) => Math.min(1, Math.max(0, v));
    return [clamp((e.clientX - c.left) / c.width), clamp((e.clientY - c.top) / c.height)];
  }

  // The part of the <video> box the picture fills (object-fit: contain), in client pixels.
  videoContent() {
    const r = this.screenVideo.getBoundingClientRect();
    const vw = this.screenVideo.videoWidth || r.width;
    const vh = this.screenVideo.videoHeight || r.height;
    const s = Math.min(r.width / vw, r.height / vh);
    return { left: r.left + (r.width - vw * s) / 2, top: r.top + (r.height - vh * s) / 2, width: vw * s, height: vh * s };
  }

  drawing(catcher) {
    let stroke = null;
    catcher.addEventListener("pointerdown", (e) => {
      if (e.button > 0 || this.paused) return;
      e.preventDefault();
      catcher.setPointerCapture(e.pointerId);
      const surface = this.mode === "page" ? "page" : "video";
      stroke = { id: `${this.contactId.slice(0, 8)}-${Date.now().toString(36)}-${++strokeSeq}`, tool: this.tool, color: this.color, surface, points: [this.toSurface(e)] };
      if (DEFAULT_TTL[stroke.tool]) stroke.ttl_ms = DEFAULT_TTL[stroke.tool];
      this.preview(stroke);
      if (stroke.tool === "laser") this.laserAt(e, catcher, true);
    });
    catcher.addEventListener("pointermove", (e) => {
      if (!stroke) return;
      if (stroke.tool === "laser") this.laserAt(e, catcher, false);
      const p = this.toSurface(e);
      const last = stroke.points[stroke.points.length - 1];
      const min = stroke.surface === "page" ? 2 : 0.002;
      if (Math.abs(p[0] - last[0]) + Math.abs(p[1] - last[1]) < min) return;
      stroke.points.push(p);
      this.preview(stroke);
    });
    const finish = () => {
      if (!stroke) return;
      const s = stroke;
      stroke = null;
      if (s.tool === "laser") this.laserUp();
      this.send(s);
    };
    catcher.addEventListener("pointerup", finish);
    catcher.addEventListener("pointercancel", finish);
  }

  // ---- the live laser ------------------------------------------------------------------
  // While the laser is down the shopper sees a dot follow it: its place goes out with
  // laser.move at most once a frame, one at a time; while one waits for its ack only the
  // newest place is kept (the hub has a rate budget of its own for them, too).
  laserAt(e, catcher, down) {
    const l = this.laser;
    if (down) l.down = true;
    if (!l.down) return;
    const clamp = (v) => Math.min(1, Math.max(0, Math.round(v * 10000) / 10000));
    let fx, fy;
    if (this.mode === "page") {
      const r = catcher.getBoundingClientRect();
      fx = (e.clientX - r.left) / (r.width || 1);
      fy = (e.clientY - r.top) / (r.height || 1);
    } else {
      const c = this.videoContent();
      fx = (e.clientX - c.left) / (c.width || 1);
      fy = (e.clientY - c.top) / (c.height || 1);
    }
    l.pos = [clamp(fx), clamp(fy)];
    // Nothing in flight and none sent this frame: at once (no wait for the next frame).
    if (!l.busy && !l.frame && performance.now() - (l.sentAt || 0) >= 16) this.laserPump();
    else if (!l.frame) l.frame = requestAnimationFrame(() => ((l.frame = 0), this.laserPump()));
  }

  laserPump() {
    const l = this.laser;
    if (this.ended || l.busy) return;
    if (l.pos) {
      const [x, y] = l.pos;
      l.pos = null;
      l.busy = true;
      l.sentAt = performance.now();
      this.request(LASER_MOVE, { contact_id: this.contactId, x, y, color: this.color })
        .catch(() => {}) // over the hub's budget: the next place goes at the next frame
        .finally(() => {
          l.busy = false;
          if (l.pos && !l.frame) l.frame = requestAnimationFrame(() => ((l.frame = 0), this.laserPump()));
          else if (!l.down && l.ending) this.laserPump();
        });
    } else if (!l.down && l.ending) {
      l.ending = false;
      this.request(LASER_END, { contact_id: this.contactId }).catch(() => {});
    }
  }

  // Released: the place not sent yet is dropped, and laser.end follows the one in flight.
  laserUp() {
    const l = this.laser;
    l.down = false;
    l.pos = null;
    if (l.frame) cancelAnimationFrame(l.frame);
    l.frame = 0;
    l.ending = true;
    this.laserPump();
  }

  // The keyboard's pointer: where on the surface (in fractions of it) Enter would draw.
  keyboard(catcher) {
    const pointer = h("span", { class: "kbd-pointer", "aria-hidden": "true", hidden: true });
    catcher.append(pointer);
    const place = () => {
      pointer.style.left = `${this.kbd[0] * 100}%`;
      pointer.style.top = `${this.kbd[1] * 100}%`;
    };
    this.kbd = this.kbd || [0.5, 0.5];
    catcher.addEventListener("focus", () => {
      pointer.hidden = false;
      place();
    });
    catcher.addEventListener("blur", () => (pointer.hidden = true));
    catcher.addEventListener("pointerdown", () => (pointer.hidden = true));
    catcher.addEventListener("keydown", (e) => {
      const step = e.shiftKey ? 0.1 : 0.02;
      const move = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
      if (move && !e.altKey && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        const clamp = (v) => Math.min(1, Math.max(0, v));
        this.kbd = [clamp(this.kbd[0] + move[0]), clamp(this.kbd[1] + move[1])];
        pointer.hidden = false;
        place();
      } else if ((e.key === "Enter" || e.key === " ") && !e.repeat && !this.paused) {
        e.preventDefault();
        const [x, y] = this.keyboardPoint();
        const surface = this.mode === "page" ? "page" : "video";
        const stroke = { id: `${this.contactId.slice(0, 8)}-${Date.now().toString(36)}-${++strokeSeq}`, tool: this.tool, color: this.color, surface, points: [[x, y]] };
        if (DEFAULT_TTL[stroke.tool]) stroke.ttl_ms = DEFAULT_TTL[stroke.tool];
        this.preview(stroke);
        this.send(stroke);
      }
    });
  }

  // Where the keyboard's pointer is, in the surface's coordinates (as a click there would be).
  keyboardPoint() {
    const catcher = this.mode === "page" ? this.catcher : this.screenCatcher;
    const r = catcher.getBoundingClientRect();
    const [fx, fy] = this.kbd || [0.5, 0.5];
    return this.toSurface({ clientX: r.left + fx * r.width, clientY: r.top + fy * r.height });
  }

  preview(stroke) {
    const node = this.drawStroke(stroke, true);
    if (node) node.classList.add("preview");
  }

  async send(stroke) {
    let pts = stroke.points;
    if (stroke.tool === "arrow") pts = [pts[0], pts[pts.length - 1]];
    else if (pts.length > MAX_POINTS) {
      const step = pts.length / MAX_POINTS;
      pts = Array.from({ length: MAX_POINTS }, (_, i) => pts[Math.floor(i * step)]);
    }
    const round = stroke.surface === "page" ? (v) => Math.round(v * 10) / 10 : (v) => Math.round(v * 10000) / 10000;
    const out = { ...stroke, points: pts.map(([x, y]) => [round(x), round(y)]) };
    try {
      await this.request(ANNOTATION_DRAW, { contact_id: this.contactId, stroke: out });
    } catch (err) {
      this.removeStroke(stroke.id);
      this.setStatus(err && err.code === "rate_limited" ? "Drawing too fast: wait a moment" : "The drawing was not sent", "bad");
    }
  }

  drawStroke(stroke, keep) {
    if (!stroke || !stroke.points || !stroke.points.length) return null;
    this.removeStroke(stroke.id);
    let node;
    if (stroke.surface === "video") {
      const box = this.box.getBoundingClientRect();
      const c = this.videoContent();
      node = strokeNode(stroke, stroke.points.map(([x, y]) => [c.left - box.left + x * c.width, c.top - box.top + y * c.height]));
      this.screenInk.append(node);
    } else {
      node = strokeNode(stroke, stroke.points);
      this.pageInkScroll.append(node);
    }
    if (!keep) vanish(node, stroke);
    return node;
  }

  removeStroke(id) {
    for (const n of this.el.querySelectorAll(`g[data-stroke="${String(id).replace(/["\\]/g, "")}"]`)) n.remove();
  }

  clearInk() {
    this.pageInkScroll.textContent = "";
    this.screenInk.textContent = "";
  }

  clear() {
    this.clearInk();
    this.request(ANNOTATION_CLEAR, { contact_id: this.contactId }).catch(() => {});
  }

  // ---- the end ---------------------------------------------------------------------------
  end() {
    if (this.ended) return;
    this.ended = true;
    cancelAnimationFrame(this.frame);
    if (this.rtc) this.rtc.close();
    if (this.replayer) {
      try {
        this.replayer.destroy();
      } catch (_) {
        /* already gone */
      }
    }
    for (const v of [this.self, this.audio, this.screenVideo]) v.srcObject = null;
    this.el.remove();
  }
}
