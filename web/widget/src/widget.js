// The widget: a help button and a panel (home, chat, call me back) in a closed-off shadow root.
// It keeps what the customer sees in step with the hub's events; network code is in net.js.
import { Connection, newClientId, MAYDAY_EVENTS } from "./net.js";
import { css } from "./styles.js";
import { h, icons } from "./dom.js";
import { translator } from "./i18n.js";
import { toE164 } from "./phone.js";

// The Mayday part (rrweb, WebRTC, consent frame, video window, drawing) is a second file,
// loaded at the "Live video help" tap only: it is most of the weight and most pages never need it.
const MAYDAY_PATH = "/widget-mayday.js";

function loadMayday(hubUrl) {
  const ready = () => window.Lifeline && window.Lifeline.Mayday;
  if (ready()) return Promise.resolve(ready());
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = `${hubUrl}${MAYDAY_PATH}?v=${__VERSION__}`;
    s.async = true;
    s.onload = () => (s.remove(), ready() ? resolve(ready()) : reject(new Error("no Mayday")));
    s.onerror = () => (s.remove(), reject(new Error("Mayday could not load")));
    document.head.appendChild(s);
  });
}

// The video session this tab holds, kept per tab (sessionStorage): a reload or the next page
// of the shop in the same tab rejoins it, another tab of the same shopper leaves it alone.
const videoKey = (siteKey) => `lifeline:${siteKey}:video`;

function tabVideo(siteKey, contactId) {
  try {
    if (contactId === undefined) return window.sessionStorage.getItem(videoKey(siteKey));
    if (contactId) window.sessionStorage.setItem(videoKey(siteKey), contactId);
    else window.sessionStorage.removeItem(videoKey(siteKey));
  } catch (_) {
    /* storage blocked: no rejoin after a reload */
  }
  return null;
}

const LIVE = ["queued", "offered", "assigned", "requested", "scheduled", "retry", "due"];

function textColorFor(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!m) return "#fff";
  const n = parseInt(m[1], 16);
  const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const L = 0.2126 * lin(n >> 16) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return L > 0.4 ? "#111" : "#fff";
}

export class Widget {
  constructor(config) {
    this.config = config;
    this.t = translator(config.lang);
    this.handlers = {};
    this.contacts = new Map();
    this.pending = new Map(); // client_id -> element, messages not yet in the timeline
    this.unread = 0;
    this.isOpen = false;
    this.view = "home";
    this.loaded = false;
    this.online = false;
    this.agentsOnline = true;
    this.channels = ["chat", "callback"];
    this.typingTimer = null;
    this.sentTyping = 0;
    this.idleTimer = null;
    this.mount();
    this.conn = new Connection({
      hubUrl: config.hubUrl,
      siteKey: config.siteKey,
      listener: (name, p) => this.onNet(name, p),
    });
  }

  // ---- public API ------------------------------------------------------------------------
  on(name, fn) {
    (this.handlers[name] = this.handlers[name] || []).push(fn);
    if (name === "ready" && this.loaded) fn(this.readyInfo());
  }

  emit(name, payload) {
    for (const fn of this.handlers[name] || []) {
      try {
        fn(payload);
      } catch (e) {
        setTimeout(() => {
          throw e;
        });
      }
    }
  }

  identify(who) {
    const p = {};
    if (who.userId != null) p.user_id = String(who.userId);
    if (who.userHash != null) p.user_hash = String(who.userHash);
    for (const k of ["email", "phone", "name"]) if (who[k] != null) p[k] = String(who[k]);
    if (who.phone) this.knownPhone = String(who.phone);
    return this.conn.sendIdentify(p);
  }

  open(view) {
    if (this.conn.refused) return;
    this.isOpen = true;
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.classList.add("open");
    this.show(view || (this.hasChat() ? "chat" : this.view === "callback" ? "callback" : "home"));
    this.emit("open");
  }

  close() {
    if (!this.isOpen) return;
    const hadFocus = this.root.contains(this.shadow.activeElement);
    this.isOpen = false;
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.classList.remove("open");
    if (hadFocus) this.launcher.focus();
    this.emit("close");
  }

  reset() {
    if (this.mayday) this.mayday.end(true);
    this.close();
    this.pending.clear();
    this.knownPhone = null;
    this.forgetCallback = null;
    this.clearUnread();
    this.conn.reset();
    this.view = "home";
  }

  readyInfo() {
    const s = this.conn.session || {};
    return { customerId: s.customer_id, conversationId: this.conn.conversationId, agentsOnline: this.agentsOnline };
  }

  // ---- building the DOM --------------------------------------------------------------------
  mount() {
    const { t, config } = this;
    this.host = document.createElement("lifeline-widget");
    this.host.setAttribute("data-lifeline-state", "connecting");
    this.shadow = this.host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = css({ color: config.color, text: textColorFor(config.color), side: config.position });
    this.badge = h("span", { class: "badge", hidden: true, "aria-hidden": "true" });
    this.launcherLabel = h("span", {}, config.label || t("launcher"));
    this.launcher = h(
      "button",
      {
        class: "launcher",
        type: "button",
        part: "launcher",
        "aria-expanded": "false",
        "aria-controls": "ll-panel",
        "aria-label": t("openHelp"),
        hidden: true,
        onclick: () => (this.isOpen ? this.close() : this.open()),
      },
      h("span", { html: icons.help, style: "display:contents" }),
      this.launcherLabel,
      this.badge,
    );
    this.unreadText = h("span", { class: "sr", "aria-live": "polite" });

    this.backBtn = h("button", { class: "icon", type: "button", "aria-label": t("back"), hidden: true, html: icons.back, onclick: () => this.show("home") });
    this.avatar = h("div", { class: "avatar", "aria-hidden": "true" }, "?");
    this.title = h("h2", { id: "ll-title" }, t("title"));
    this.dot = h("span", { class: "dot" });
    this.subtitle = h("span", {}, t("connecting"));
    const closeBtn = h("button", { class: "icon", type: "button", "aria-label": t("closeHelp"), html: icons.close, onclick: () => this.close() });
    const head = h("header", { class: "head" }, this.backBtn, this.avatar, h("div", { class: "ttl" }, this.title, h("p", {}, this.dot, this.subtitle)), closeBtn);

    this.homeView = this.buildHome();
    this.chatView = this.buildChat();
    this.cbView = this.buildCallback();
    this.panel = h(
      "div",
      { class: "panel", id: "ll-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "ll-title", hidden: true, lang: config.lang },
      head,
      h("div", { class: "body" }, this.homeView, this.chatView, this.cbView),
      h("div", { class: "foot" }, t("poweredBy")),
    );
    this.panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        this.close();
      }
    });
    this.root = h("div", { class: "root", lang: config.lang }, this.launcher, this.panel, this.unreadText);
    this.shadow.append(style, this.root);
    // Under <html>, not <body>: a transform or filter the shop puts on <body> would otherwise
    // become the containing block of our fixed-position button.
    document.documentElement.appendChild(this.host);
  }

  buildHome() {
    const { t } = this;
    const card = (icon, title, hint, onclick, extra = {}) =>
      h("button", { class: "card", type: "button", onclick, ...extra }, h("span", { class: "ci", html: icon }), h("span", {}, h("b", {}, title), h("span", { class: "h" }, hint)));
    this.offlineNotice = h("div", { class: "notice", hidden: true, role: "status" }, t("noAgent"));
    this.cbCard = h("div", { class: "notice", hidden: true, role: "status" });
    this.chatCard = card(icons.chat, t("chat"), t("chatHint"), () => this.show("chat"), { "data-action": "chat" });
    this.videoCard = card(icons.video, t("video"), t("videoHint"), () => this.startVideo(), { hidden: true, "data-action": "video" });
    return h(
      "section",
      { class: "home", "data-view": "home" },
      h("h3", {}, t("greeting")),
      h("p", { class: "lead" }, t("greetingText")),
      this.offlineNotice,
      this.cbCard,
      this.chatCard,
      card(icons.phone, t("callback"), t("callbackHint"), () => this.show("callback"), { "data-action": "callback" }),
      this.videoCard,
    );
  }

  buildChat() {
    const { t } = this;
    this.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": t("chat"), tabindex: "0" });
    this.typingEl = h("div", { class: "typing", "aria-live": "polite", hidden: true });
    this.statusEl = h("div", { class: "status", role: "status", "aria-live": "polite", hidden: true });
    this.input = h("textarea", { rows: "1", placeholder: t("composer"), "aria-label": t("composerLabel"), maxlength: "4000" });
    this.sendBtn = h("button", { class: "send", type: "submit", "aria-label": t("send"), html: icons.send, disabled: true });
    this.input.addEventListener("input", () => this.onInput());
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submitChat();
      }
    });
    const form = h("form", { class: "compose", onsubmit: (e) => (e.preventDefault(), this.submitChat()) }, this.input, this.sendBtn);
    return h("section", { class: "body", "data-view": "chat", hidden: true }, this.log, this.typingEl, this.statusEl, form);
  }

  buildCallback() {
    const { t } = this;
    this.phone = h("input", { class: "in", id: "ll-phone", type: "tel", autocomplete: "tel", inputmode: "tel", "aria-describedby": "ll-phone-hint ll-phone-err", required: true });
    this.phoneErr = h("div", { class: "err", id: "ll-phone-err", role: "alert" });
    this.asap = h("input", { type: "radio", name: "ll-when", value: "asap", checked: true, onchange: () => this.syncSlot() });
    this.later = h("input", { type: "radio", name: "ll-when", value: "later", onchange: () => this.syncSlot() });
    this.slot = h("select", { class: "in", id: "ll-slot", "aria-label": t("slotLabel"), hidden: true });
    this.cbForm = h(
      "form",
      { class: "form", novalidate: true, onsubmit: (e) => (e.preventDefault(), this.submitCallback()) },
      h("h3", {}, t("callbackTitle")),
      h("label", { class: "f", for: "ll-phone" }, t("phoneLabel")),
      this.phone,
      h("span", { class: "hint", id: "ll-phone-hint" }, t("phoneHint")),
      this.phoneErr,
      h(
        "fieldset",
        {},
        h("legend", {}, t("when")),
        h("label", { class: "radio" }, this.asap, t("asap")),
        h("label", { class: "radio" }, this.later, t("later")),
        this.slot,
      ),
      h("button", { class: "btn wide", type: "submit" }, t("requestCall")),
    );
    this.cbStatus = h("div", { class: "form", hidden: true },
      h("h3", {}, t("callbackTitle")),
      (this.cbStatusText = h("div", { class: "notice", role: "status", "aria-live": "polite" })),
      (this.cbCancelBtn = h("button", { class: "btn ghost", type: "button", onclick: () => this.cancelCallback() }, t("cbCancel"))),
      (this.cbAgainBtn = h("button", { class: "btn", type: "button", hidden: true, onclick: () => this.resetCallbackForm() }, t("cbAnother"))),
    );
    return h("section", { class: "body", "data-view": "callback", hidden: true }, this.cbForm, this.cbStatus);
  }

  // ---- views -----------------------------------------------------------------------------
  show(view) {
    this.view = view;
    this.homeView.hidden = view !== "home";
    this.chatView.hidden = view !== "chat";
    this.cbView.hidden = view !== "callback";
    this.backBtn.hidden = view === "home";
    if (view === "chat") {
      this.clearUnread();
      this.scrollDown();
    }
    if (view === "callback") this.renderCallback();
    this.renderHeader();
    if (!this.isOpen) return;
    const focus =
      view === "chat" ? this.input : view === "callback" ? (this.cbForm.hidden ? this.cbStatus.querySelector("button:not([hidden])") : this.phone) : this.homeView.querySelector(".card");
    if (focus) setTimeout(() => focus.focus(), 0);
  }

  renderHeader() {
    const { t } = this;
    const chat = this.activeChat();
    const agent = chat && chat.state === "assigned" && chat.agent;
    this.title.textContent = agent ? agent.name : t("title");
    this.avatar.textContent = agent ? (agent.name || "?").trim().charAt(0).toUpperCase() : "?";
    this.avatar.hidden = !agent;
    this.dot.className = "dot" + (this.online && this.agentsOnline ? " on" : "");
    this.subtitle.textContent = !this.online ? t(this.loaded ? "reconnecting" : "connecting") : this.agentsOnline ? t("online") : t("offline");
  }

  // ---- network events -----------------------------------------------------------------------
  onNet(name, p) {
    if (MAYDAY_EVENTS.includes(name) || name === "contact.assigned" || name === "contact.ended") this.toMayday(name, p);
    switch (name) {
      case "connection":
        this.online = p.state === "online";
        if (p.session) this.onSession(p.session);
        this.host.setAttribute("data-lifeline-state", this.online ? "online" : "reconnecting");
        this.renderHeader();
        break;
      case "refused":
        this.host.setAttribute("data-lifeline-state", "refused");
        this.launcher.hidden = true;
        this.close();
        if (window.console) console.warn("Lifeline: the hub refused this page:", p.message);
        this.emit("error", { code: "refused", message: p.message });
        break;
      case "ready":
        this.launcher.hidden = false;
        this.rejoinVideo();
        if (!this.loaded) {
          this.loaded = true;
          this.renderHeader();
          this.emit("ready", this.readyInfo());
        }
        break;
      case "reset":
        this.contacts.clear();
        this.renderLog();
        break;
      case "event":
        this.onEvent(p);
        break;
      case "identified":
        this.renderHeader();
        // Signing in may bring an earlier conversation: show it rather than the menu.
        if (this.isOpen && this.view === "home" && this.hasChat()) this.show("chat");
        this.emit("identified", { customerId: p.customer_id, verified: p.verified, conversationId: p.conversation_id });
        break;
      case "identify_failed":
        this.emit("error", p);
        break;
      case "contact.queued": {
        const c = this.contact(p.contact_id);
        Object.assign(c, { state: "queued", position: p.position, wait: p.estimated_wait_s });
        this.renderStatus();
        break;
      }
      case "contact.assigned": {
        const c = this.contact(p.contact_id, p.channel);
        Object.assign(c, { state: "assigned", agent: p.agent });
        this.renderStatus();
        this.renderHeader();
        this.renderCallback();
        this.emit("assigned", { contactId: p.contact_id, channel: p.channel, agent: p.agent });
        break;
      }
      case "contact.ended": {
        const c = this.contact(p.contact_id);
        c.state = "ended";
        this.renderStatus();
        this.renderHeader();
        this.emit("ended", { contactId: p.contact_id, reason: p.reason });
        break;
      }
      case "contact.no_agent": {
        const c = this.contact(p.contact_id, p.channel);
        c.noAgent = true;
        this.agentsOnline = false;
        this.renderHeader();
        if (p.channel !== "callback") this.renderNoAgent();
        this.offlineNotice.hidden = false;
        break;
      }
      case "callback.updated": {
        const c = this.contact(p.contact_id, "callback");
        Object.assign(c, { status: p.status, attempts: p.attempts, next_attempt_at: p.next_attempt_at, outcome: p.outcome });
        if (p.status === "done" || p.status === "failed") c.state = "ended";
        this.renderCallback();
        break;
      }
      case "typing":
        if (p.role !== "customer" && p.conversation_id === this.conn.conversationId) this.showTyping(p.typing, p.name);
        break;
    }
  }

  onSession(s) {
    this.agentsOnline = s.agents_online !== false;
    this.channels = s.channels || this.channels;
    this.videoCard.hidden = !this.channels.includes("video");
    this.offlineNotice.hidden = this.agentsOnline;
    this.sendPage(true);
  }

  contact(id, channel) {
    let c = this.contacts.get(id);
    if (!c) this.contacts.set(id, (c = { id, channel: channel || "chat", state: "queued" }));
    else if (channel) c.channel = channel;
    return c;
  }

  activeChat() {
    let found = null;
    for (const c of this.contacts.values()) if (c.channel !== "callback" && LIVE.includes(c.state)) found = c;
    return found;
  }

  activeCallback() {
    let found = null;
    for (const c of this.contacts.values()) if (c.channel === "callback") found = c;
    return found;
  }

  hasChat() {
    return this.activeChat() || this.conn.timeline().some((e) => e.type === "message") || this.pending.size > 0;
  }

  // Timeline events rebuild contact states too, so a reload knows where things stand.
  onEvent(ev) {
    const d = ev.data || {};
    this.toMayday("event", ev);
    if (d.contact_id) {
      const c = this.contact(d.contact_id, d.channel);
      if (ev.type === "contact.requested") {
        if (d.phone) c.phone = d.phone;
        if (d.not_before) c.not_before = d.not_before;
        if (c.channel === "callback" && !c.status) c.status = "scheduled";
      } else if (ev.type === "contact.assigned") {
        c.state = c.state === "ended" ? "ended" : "assigned";
        c.agent = d.agent || (ev.author && ev.author.role === "agent" ? ev.author : c.agent);
      } else if (ev.type === "contact.ended") c.state = "ended";
      else if (ev.type === "contact.requeued" && c.state !== "ended") {
        c.state = "queued";
        c.agent = null;
      }
      else if (ev.type === "callback.outcome") {
        c.outcome = d.outcome;
        if (d.outcome === "reached") c.status = "done";
        if (d.outcome === "wrong_number" || (d.outcome === "no_answer" && d.will_retry === false)) c.status = "failed";
        if (d.outcome === "no_answer" && d.will_retry) c.status = "retry";
        if (d.attempt) c.attempts = d.attempt;
      }
    }
    if (ev.type === "message") this.settlePending(ev);
    this.appendEvent(ev);
    this.renderStatus();
    this.renderHeader();
    if (ev.type.startsWith("contact.") || ev.type === "callback.outcome") this.renderCallback();
    if (ev.type === "message") {
      const mine = ev.author && ev.author.role === "customer";
      if (!mine) this.showTyping(false);
      if (this.loaded) {
        if (!mine && !(this.isOpen && this.view === "chat")) this.bumpUnread(ev);
        this.emit("message", { seq: ev.seq, text: d.text, author: ev.author || null, mine });
      }
    }
  }

  // A pending bubble leaves when its message is in the timeline: matched by client_id, or, for
  // the text sent with contact.request (which has none), by being the customer's same text.
  settlePending(ev) {
    const d = ev.data || {};
    let id = d.client_id && this.pending.has(d.client_id) ? d.client_id : null;
    if (!id && !d.client_id && ev.author && ev.author.role === "customer") {
      for (const [k, el] of this.pending) if (el.dataset.viaRequest && el.dataset.text === d.text) id = k;
    }
    if (!id) return;
    this.pending.get(id).remove();
    this.pending.delete(id);
  }

  // ---- the chat log ------------------------------------------------------------------------
  renderLog() {
    this.log.textContent = "";
    this.lastRendered = 0;
    this.lastAuthor = null;
    for (const ev of this.conn.timeline()) this.appendEvent(ev, true);
    for (const el of this.pending.values()) this.log.append(el);
    this.scrollDown();
  }

  appendEvent(ev, rebuilding) {
    if (!rebuilding && ev.seq < (this.lastRendered || 0)) return this.renderLog();
    this.lastRendered = ev.seq;
    const nodes = this.nodesFor(ev);
    if (!nodes.length) return;
    const firstPending = this.log.querySelector(".pending");
    for (const n of nodes) this.log.insertBefore(n, firstPending);
    if (!rebuilding) this.scrollDown();
  }

  nodesFor(ev) {
    const { t } = this;
    const d = ev.data || {};
    const a = ev.author || {};
    const out = [];
    if (ev.type === "message") {
      const mine = a.role === "customer";
      const key = mine ? "me" : a.id || a.name || "them";
      if (this.lastAuthor !== key) out.push(h("div", { class: "who" + (mine ? " me" : "") }, mine ? t("you") : a.name || t("agent")));
      this.lastAuthor = key;
      out.push(h("div", { class: "msg " + (mine ? "me" : "them"), "data-seq": ev.seq }, d.text || ""));
      return out;
    }
    this.lastAuthor = null;
    const sys = (text) => out.push(h("div", { class: "sys", "data-seq": ev.seq, "data-type": ev.type }, text));
    if (ev.type === "contact.assigned") sys(t("assigned", { name: (d.agent && d.agent.name) || a.name || t("agent") }));
    else if (ev.type === "contact.ended" && (d.channel || this.contact(d.contact_id).channel) !== "callback") sys(t("ended"));
    else if (ev.type === "contact.requested" && d.channel && d.channel !== "chat") sys(t("requested", { channel: t("chan" + d.channel) }));
    else if (ev.type === "callback.outcome") sys(t("outcome_" + d.outcome));
    else if (ev.type === "identity.merged") sys(t("merged"));
    else if (ev.type === "video.failed") sys(t("videoFailed", { reason: d.reason || "" }));
    return out;
  }

  renderNoAgent() {
    if (this.log.querySelector(".alert")) return;
    const { t } = this;
    const btn = h("button", { class: "btn", type: "button", "data-action": "callback", onclick: () => this.show("callback") }, t("offerCallback"));
    const box = h("div", { class: "sys alert", role: "alert" }, t("noAgent"), btn);
    this.log.append(box);
    this.scrollDown();
  }

  scrollDown() {
    requestAnimationFrame(() => (this.log.scrollTop = this.log.scrollHeight));
  }

  renderStatus() {
    const { t } = this;
    const c = this.activeChat();
    let text = "";
    if (c && c.state === "queued" && c.position) {
      const w = c.wait;
      const wait = w == null || w < 15 ? t("waitSoon") : w < 90 ? t("seconds", { n: Math.round(w / 5) * 5 }) : t("minutes", { n: Math.round(w / 60) });
      text = c.position <= 1 ? t("queuedFirst", { wait }) : t("queued", { position: c.position, wait });
    }
    this.statusEl.textContent = text;
    this.statusEl.hidden = !text;
  }

  showTyping(on, name) {
    clearTimeout(this.typingTimer);
    this.typingEl.hidden = !on;
    if (!on) return;
    const c = this.activeChat();
    const who = name || (c && c.agent && c.agent.name) || this.t("someone");
    this.typingEl.innerHTML = "<i></i><i></i><i></i> ";
    this.typingEl.append(this.t("typing", { name: who }));
    this.typingTimer = setTimeout(() => (this.typingEl.hidden = true), 8000);
  }

  bumpUnread(ev) {
    this.unread += 1;
    this.badge.textContent = String(this.unread);
    this.badge.hidden = false;
    const label = this.unread === 1 ? this.t("unread1") : this.t("unread", { n: this.unread });
    this.launcher.setAttribute("aria-label", `${this.t("openHelp")} (${label})`);
    this.unreadText.textContent = this.t("newMessageFrom", { name: (ev.author && ev.author.name) || this.t("agent") });
  }

  clearUnread() {
    this.unread = 0;
    this.badge.hidden = true;
    this.launcher.setAttribute("aria-label", this.t("openHelp"));
  }

  // ---- sending ---------------------------------------------------------------------------
  onInput() {
    const text = this.input.value;
    this.sendBtn.disabled = !text.trim();
    this.input.style.height = "auto";
    this.input.style.height = Math.min(this.input.scrollHeight, 120) + "px";
    const cid = this.conn.conversationId;
    if (!cid || !this.activeChat()) return;
    const now = Date.now();
    if (text && now - this.sentTyping > 3000) {
      this.sentTyping = now;
      this.conn.signal("typing", { conversation_id: cid, typing: true });
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stopTyping(), 4000);
  }

  stopTyping() {
    clearTimeout(this.idleTimer);
    if (this.sentTyping && this.conn.conversationId) this.conn.signal("typing", { conversation_id: this.conn.conversationId, typing: false });
    this.sentTyping = 0;
  }

  async submitChat() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.onInput();
    this.stopTyping();
    const clientId = newClientId();
    const el = h("div", { class: "msg me pending", "data-client-id": clientId }, text);
    this.pending.set(clientId, el);
    this.log.append(el);
    this.scrollDown();
    try {
      if (this.activeChat() && this.conn.conversationId) {
        await this.conn.sendMessage(text, clientId);
      } else {
        el.dataset.viaRequest = "1";
        el.dataset.text = text;
        const ack = await this.conn.requestContact({ channel: "chat", text });
        this.contact(ack.contact_id, "chat");
        // The hub posted the text as our message; it is in the timeline now.
        if (this.pending.has(clientId)) {
          el.remove();
          this.pending.delete(clientId);
        }
        this.renderStatus();
      }
    } catch (err) {
      el.classList.add("failed");
      el.title = (err && err.message) || this.t("error");
      el.append(h("div", { class: "err", role: "alert" }, this.t("error")));
    }
  }

  syncSlot() {
    this.slot.hidden = !this.later.checked;
    if (this.later.checked && !this.slot.options.length) this.fillSlots();
  }

  // Half-hour slots in the customer's local time, 08:00 to 20:00, today and tomorrow.
  fillSlots() {
    const { t } = this;
    const fmt = new Intl.DateTimeFormat(this.config.lang, { hour: "2-digit", minute: "2-digit" });
    const now = new Date();
    const d = new Date(now);
    d.setSeconds(0, 0);
    d.setMinutes(d.getMinutes() < 30 ? 30 : 60);
    d.setMinutes(d.getMinutes() + 30);
    const groups = {};
    for (let i = 0; i < 96 && Object.values(groups).flat().length < 30; i++, d.setMinutes(d.getMinutes() + 30)) {
      if (d.getHours() < 8 || d.getHours() >= 20) continue;
      const day = d.getDate() === now.getDate() ? "today" : "tomorrow";
      if (d.getDate() !== now.getDate() && d - now > 36 * 3600e3) break;
      (groups[day] = groups[day] || []).push(h("option", { value: d.toISOString() }, `${t(day)} ${fmt.format(d)}`));
    }
    for (const day of Object.keys(groups)) this.slot.append(h("optgroup", { label: t(day) }, groups[day]));
  }

  async submitCallback() {
    const phone = toE164(this.phone.value);
    if (!phone) {
      this.phone.setAttribute("aria-invalid", "true");
      this.phoneErr.textContent = this.t("phoneInvalid");
      this.phone.focus();
      return;
    }
    this.phone.removeAttribute("aria-invalid");
    this.phoneErr.textContent = "";
    const payload = { channel: "callback", phone };
    if (this.later.checked && this.slot.value) payload.not_before = this.slot.value;
    try {
      const ack = await this.conn.requestContact(payload);
      const c = this.contact(ack.contact_id, "callback");
      Object.assign(c, { phone, not_before: payload.not_before, status: c.status || "scheduled", state: c.state === "ended" ? "ended" : "queued" });
      this.renderCallback();
      const b = this.cbStatus.querySelector("button:not([hidden])");
      if (b) b.focus();
    } catch (err) {
      this.phoneErr.textContent = (err && err.code === "invalid" && this.t("phoneInvalid")) || this.t("error");
    }
  }

  async cancelCallback() {
    const c = this.activeCallback();
    if (!c) return;
    try {
      await this.conn.cancel(c.id);
      c.state = "ended";
      c.status = "cancelled";
      this.renderCallback();
    } catch (_) {
      this.cbStatusText.textContent = this.t("error");
    }
  }

  resetCallbackForm() {
    this.forgetCallback = this.activeCallback();
    this.renderCallback();
    this.phone.focus();
  }

  callbackText(c) {
    const { t } = this;
    const phone = c.phone || "";
    const time = (iso) =>
      iso ? new Intl.DateTimeFormat(this.config.lang, { weekday: "short", hour: "2-digit", minute: "2-digit" }).format(new Date(typeof iso === "number" ? iso * 1000 : iso)) : "";
    if (c.status === "cancelled") return [t("cbCancelled"), ""];
    if (c.status === "done" || c.outcome === "reached") return [t("cbDone"), "ok"];
    if (c.status === "failed") return [t("cbFailed", { phone }), "bad"];
    if (c.status === "retry") return [t("cbRetry", { attempts: c.attempts || 1, time: time(c.next_attempt_at) }), ""];
    if (c.state === "assigned") return [t("cbInProgress"), "ok"];
    if (c.not_before) return [t("cbScheduledAt", { phone, time: time(c.not_before) }), ""];
    return [t("cbScheduledAsap", { phone }), ""];
  }

  renderCallback() {
    let c = this.activeCallback();
    if (c && c === this.forgetCallback) c = null;
    this.cbForm.hidden = !!c;
    this.cbStatus.hidden = !c;
    this.cbCard.hidden = !c;
    if (!c) {
      if (!this.phone.value && this.knownPhone) this.phone.value = this.knownPhone;
      return;
    }
    const [text, tone] = this.callbackText(c);
    const finished = c.state === "ended" || ["done", "failed", "cancelled"].includes(c.status);
    this.cbStatusText.textContent = text;
    this.cbStatusText.className = "notice" + (tone ? " " + tone : "");
    this.cbCard.textContent = text;
    this.cbCard.className = "notice" + (tone ? " " + tone : "");
    this.cbCancelBtn.hidden = finished || c.state === "assigned";
    this.cbAgainBtn.hidden = !finished;
  }

  // ---- Mayday: live video help ------------------------------------------------------------
  // The tap asks for a video contact and loads widget-mayday.js at the same time; hub events
  // for the session that arrive meanwhile wait in an inbox, then go to the session in order.
  startVideo() {
    this.show("chat");
    if (this.mayday || this.maydayInbox) return;
    this.emit("video", {});
    this.maydayInbox = [];
    Promise.all([this.conn.requestContact({ channel: "video" }), loadMayday(this.config.hubUrl)]).then(
      ([ack, Session]) => {
        const c = this.contact(ack.contact_id, "video");
        const inbox = this.maydayInbox || [];
        this.maydayInbox = null;
        if (c.state === "ended") return;
        tabVideo(this.config.siteKey, ack.contact_id);
        this.newSession(Session, ack.contact_id);
        for (const [name, p] of inbox) this.mayday.handle(name, p);
      },
      () => {
        this.maydayInbox = null;
        this.log.append(h("div", { class: "sys alert", role: "alert" }, this.t("videoUnavailable")));
      },
    );
  }

  // After a reload the timeline shows a video session still live with its agent: load the
  // Mayday part again, start recording and the consent frame, and ask the hub to rejoin.
  rejoinVideo() {
    if (this.mayday || this.maydayInbox) return;
    const mine = tabVideo(this.config.siteKey);
    const c = mine && this.contacts.get(mine);
    if (!c || c.channel !== "video" || c.state !== "assigned") return;
    this.maydayInbox = [];
    loadMayday(this.config.hubUrl).then(
      (Session) => {
        const inbox = this.maydayInbox || [];
        this.maydayInbox = null;
        if (c.state !== "assigned") return;
        this.newSession(Session, c.id, true);
        for (const [name, p] of inbox) this.mayday.handle(name, p);
        this.mayday.rejoin(c.agent);
      },
      () => {
        this.maydayInbox = null;
      },
    );
  }

  newSession(Session, contactId, rejoining) {
    const { config } = this;
    this.mayday = new Session({
      contactId,
      rejoining,
      conn: this.conn,
      lang: config.lang,
      color: config.color,
      side: config.position,
      maskSelectors: config.maskSelectors,
      hooks: {
        // The agent's face is up: fold the panel away so the shopper sees their page.
        firstFrame: () => this.close(),
        failed: () => this.open("chat"),
        // Ended by the agent: show the shopper the conversation, where the end is said.
        ended: (local) => {
          this.mayday = null;
          tabVideo(config.siteKey, null);
          this.renderStatus();
          if (!local) this.open("chat");
        },
      },
    });
  }

  toMayday(name, p) {
    if (this.mayday) this.mayday.handle(name, p);
    else if (this.maydayInbox) this.maydayInbox.push([name, p]);
  }

  sendPage(force) {
    const url = location.href;
    if (!force && url === this.lastUrl) return;
    this.lastUrl = url;
    this.conn.signal("page", { url, title: document.title });
  }
}
