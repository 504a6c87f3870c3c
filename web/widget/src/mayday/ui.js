// What the shopper sees of a Mayday session, in its own shadow root: the consent frame around
// the page (who sees it, Pause sharing, End) and the agent's video in a small window that can be
// dragged, moved with the arrow keys and shrunk.
import { h } from "../../../shared/dom.js";

const I = (d) => `<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${d}</svg>`;
const icons = {
  micOff: I('<path d="M2 2l20 20M9 9v3a3 3 0 0 0 5.1 2.1M15 9.3V5a3 3 0 0 0-5.9-.7"/><path d="M17 16.9A7 7 0 0 1 5 12v-2m14 0v2c0 .8-.1 1.5-.4 2.2M12 19v3"/>'),
  micOn: I('<rect x="9" y="2" width="6" height="12" rx="3"/><path d="M19 10v2a7 7 0 0 1-14 0v-2M12 19v3"/>'),
  screen: I('<rect x="2" y="3" width="20" height="14" rx="2"/><path d="M8 21h8M12 17v4"/>'),
  shrink: I('<path d="M4 14h6v6M20 10h-6V4M14 10l7-7M3 21l7-7"/>'),
  grow: I('<path d="M15 3h6v6M9 21H3v-6M21 3l-7 7M3 21l7-7"/>'),
  end: I('<path d="M18 6 6 18M6 6l12 12"/>'),
};

function css({ color, side }) {
  const x = side === "left" ? "left" : "right";
  return `:host{all:initial!important;position:fixed!important;inset:0!important;width:0!important;height:0!important;z-index:2147483001!important;
 display:block!important;visibility:visible!important;opacity:1!important;transform:none!important;filter:none!important}
*{box-sizing:border-box}
[hidden]{display:none!important}
.root{--c:${color};font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1c1d21;text-align:left;letter-spacing:normal}
button{font:inherit;cursor:pointer;margin:0}
:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
.frame{position:fixed;inset:0;border:4px solid var(--c);pointer-events:none;border-radius:2px}
.frame.paused{border-color:#8a8f98;border-style:dashed}
.bar{position:fixed;top:0;left:50%;transform:translateX(-50%);display:flex;align-items:center;gap:10px;max-width:calc(100vw - 16px);
 padding:6px 6px 6px 14px;background:var(--c);color:#fff;border-radius:0 0 12px 12px;box-shadow:0 4px 16px rgba(0,0,0,.2);pointer-events:auto}
.bar.paused{background:#5f6368}
.bar .txt{font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.bar .rec{width:9px;height:9px;border-radius:50%;background:#ff453a;box-shadow:0 0 0 2px rgba(255,255,255,.7);flex:none}
.bar.paused .rec{background:#c4c7c5}
.bar button{border:0;border-radius:8px;padding:6px 12px;font-weight:600;background:rgba(255,255,255,.18);color:#fff;white-space:nowrap}
.bar button:hover{background:rgba(255,255,255,.3)}
.bar button.end{background:#d93025}
.win{position:fixed;bottom:88px;${x}:20px;width:280px;border-radius:14px;overflow:hidden;background:#111;color:#fff;
 box-shadow:0 10px 36px rgba(0,0,0,.35);touch-action:none;cursor:grab;user-select:none;pointer-events:auto}
.win.dragging{cursor:grabbing}
.win.mini{width:132px}
.win video{display:block;width:100%;aspect-ratio:16/9;object-fit:cover;background:#222;pointer-events:none}
.win .msg{position:absolute;inset:0 0 40px;display:grid;place-items:center;padding:10px;text-align:center;font-size:13px;color:#ddd}
.win.failed .msg{position:static;background:#fff7e6;color:#5c3c00;font-size:13px}
.ctl{display:flex;justify-content:center;gap:6px;padding:6px;background:#1c1d21}
.ctl button{display:grid;place-items:center;width:32px;height:28px;border:0;border-radius:8px;background:#3c4043;color:#fff}
.ctl button:hover{background:#5f6368}
.ctl button.on{background:#1e8e3e}
.ctl button svg{width:18px;height:18px}
.win.mini .ctl button.opt{display:none}
.sr{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){.win{width:180px;bottom:80px}.win.mini{width:104px}
 .bar{left:0;right:0;transform:none;max-width:none;flex-wrap:wrap;border-radius:0;padding:6px 8px 6px 12px;gap:6px 10px}
 .bar .txt{flex:1 1 calc(100% - 30px);min-width:0;white-space:normal;overflow-wrap:anywhere}
 .bar button[data-action=pause]{margin-left:auto}}`;
}

export class MaydayUI {
  // actions: {pause(), resume(), end(), mic(), screen()}; onBar(px): the consent bar's height,
  // on show and whenever it changes, so the widget's panel keeps clear of it (0 when it goes).
  constructor({ t, color, side, actions, onBar }) {
    this.t = t;
    this.actions = actions;
    this.side = side;
    this.host = document.createElement("lifeline-mayday");
    const shadow = this.host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = css({ color, side });
    this.frame = h("div", { class: "frame", "aria-hidden": "true" });
    this.text = h("span", { class: "txt" });
    this.pauseBtn = h("button", { type: "button", "data-action": "pause", onclick: () => (this.paused ? actions.resume() : actions.pause()) });
    this.endBtn = h("button", { type: "button", class: "end", "data-action": "end", "aria-label": t("endLabel"), onclick: () => actions.end() }, t("end"));
    this.bar = h("div", { class: "bar", role: "region", "aria-label": t("endLabel") }, h("span", { class: "rec", "aria-hidden": "true" }), h("span", { role: "status", "aria-live": "polite", class: "txt" }, this.text), this.pauseBtn, this.endBtn);
    this.root = h("div", { class: "root" }, this.frame, this.bar);
    shadow.append(style, this.root);
    this.paused = false;
    this.agentName = "";
    this.render();
    document.documentElement.appendChild(this.host);
    this.onBar = onBar;
    if (onBar && typeof ResizeObserver === "function") {
      this.barWatch = new ResizeObserver(() => onBar(Math.ceil(this.bar.getBoundingClientRect().bottom)));
      this.barWatch.observe(this.bar);
    }
  }

  setAgent(name) {
    this.agentName = name || "";
    this.render();
    if (this.win) this.win.setAttribute("aria-label", this.t("videoOf", { name: this.who() }));
  }

  who() {
    return this.agentName || this.t("expert");
  }

  setPaused(paused) {
    this.paused = paused;
    this.render();
  }

  render() {
    const { t } = this;
    this.frame.classList.toggle("paused", this.paused);
    this.bar.classList.toggle("paused", this.paused);
    this.text.textContent = this.paused ? t("paused", { name: this.who() }) : this.agentName ? t("frame", { name: this.agentName }) : t("waitingFrame");
    this.pauseBtn.textContent = this.paused ? t("resume") : t("pause");
  }

  // The agent's video window, built when the session is assigned.
  showVideo() {
    if (this.win) return this.video;
    const { t } = this;
    this.video = h("video", { autoplay: true, playsinline: true });
    this.msg = h("div", { class: "msg", role: "status" }, t("connecting"));
    this.micBtn = h("button", { type: "button", "data-action": "mic", "aria-pressed": "false", title: t("mute"), "aria-label": t("mute"), html: icons.micOff, onclick: () => this.actions.mic() });
    this.shareBtn = navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia
      ? h("button", { type: "button", class: "opt", "data-action": "screen", "aria-pressed": "false", title: t("share"), "aria-label": t("share"), html: icons.screen, onclick: () => this.actions.screen() })
      : null;
    this.sizeBtn = h("button", { type: "button", "data-action": "size", title: t("shrink"), "aria-label": t("shrink"), html: icons.shrink, onclick: () => this.toggleSize() });
    const end = h("button", { type: "button", "data-action": "end", title: t("endLabel"), "aria-label": t("endLabel"), html: icons.end, onclick: () => this.actions.end() });
    this.win = h("div", { class: "win", role: "group", tabindex: "0", "aria-label": t("videoOf", { name: this.who() }) }, this.video, this.msg, h("div", { class: "ctl" }, this.micBtn, this.shareBtn, this.sizeBtn, end));
    this.root.append(this.win);
    this.dragging();
    return this.video;
  }

  setMessage(text) {
    if (!this.msg) return;
    this.msg.textContent = text || "";
    this.msg.hidden = !text;
  }

  setMic(on) {
    if (!this.micBtn) return;
    const label = this.t(on ? "unmute" : "mute");
    this.micBtn.innerHTML = on ? icons.micOn : icons.micOff;
    this.micBtn.classList.toggle("on", on);
    this.micBtn.setAttribute("aria-pressed", String(on));
    this.micBtn.title = label;
    this.micBtn.setAttribute("aria-label", label);
  }

  setSharing(on) {
    if (!this.shareBtn) return;
    const label = this.t(on ? "stopShare" : "share");
    this.shareBtn.classList.toggle("on", on);
    this.shareBtn.setAttribute("aria-pressed", String(on));
    this.shareBtn.title = label;
    this.shareBtn.setAttribute("aria-label", label);
  }

  // Media failed: the window keeps only the reason; the page view and the chat go on.
  showFailure(text) {
    this.showVideo();
    this.win.classList.add("failed");
    this.video.remove();
    for (const b of this.win.querySelectorAll(".ctl button:not([data-action=end])")) b.remove();
    this.setMessage(text);
  }

  toggleSize() {
    const mini = this.win.classList.toggle("mini");
    const label = this.t(mini ? "grow" : "shrink");
    this.sizeBtn.innerHTML = mini ? icons.grow : icons.shrink;
    this.sizeBtn.title = label;
    this.sizeBtn.setAttribute("aria-label", label);
    this.keepInside();
  }

  // Drag with a pointer (mouse, finger, pen) or move with the arrow keys; kept on screen.
  dragging() {
    const win = this.win;
    let start = null;
    win.addEventListener("pointerdown", (e) => {
      if (e.target.closest("button") || e.button > 0) return;
      const r = win.getBoundingClientRect();
      start = { x: e.clientX - r.left, y: e.clientY - r.top };
      win.setPointerCapture(e.pointerId);
      win.classList.add("dragging");
    });
    win.addEventListener("pointermove", (e) => start && this.moveTo(e.clientX - start.x, e.clientY - start.y));
    const stop = () => {
      start = null;
      win.classList.remove("dragging");
    };
    win.addEventListener("pointerup", stop);
    win.addEventListener("pointercancel", stop);
    win.addEventListener("keydown", (e) => {
      const step = e.shiftKey ? 80 : 20;
      const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
      if (!d || e.target !== win) return;
      e.preventDefault();
      const r = win.getBoundingClientRect();
      this.moveTo(r.left + d[0], r.top + d[1]);
    });
    this.onResize = () => this.keepInside();
    window.addEventListener("resize", this.onResize);
  }

  moveTo(left, top) {
    const r = this.win.getBoundingClientRect();
    const x = Math.max(0, Math.min(window.innerWidth - r.width, left));
    const y = Math.max(0, Math.min(window.innerHeight - r.height, top));
    Object.assign(this.win.style, { left: `${x}px`, top: `${y}px`, right: "auto", bottom: "auto" });
  }

  keepInside() {
    if (!this.win || !this.win.style.left) return;
    const r = this.win.getBoundingClientRect();
    this.moveTo(r.left, r.top);
  }

  remove() {
    if (this.barWatch) this.barWatch.disconnect();
    if (this.onBar) this.onBar(0);
    if (this.onResize) window.removeEventListener("resize", this.onResize);
    if (this.video) this.video.srcObject = null;
    this.host.remove();
  }
}
