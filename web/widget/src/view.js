// What the customer sees: the help button and the panel (home, chat, call me back, survey) in a
// closed-off shadow root, drawn from the widget's state. It changes no state and sends nothing:
// what the customer does goes to the controller (widget.js) through `actions`.
import { css } from "./styles.js";
import { h, icons } from "../../shared/dom.js";
import { activeChat, contact, situation } from "./state.js";
import { CallbackView } from "./callback-view.js";
import { SurveyView } from "./survey-view.js";
import { attachControl, attachCss, attachmentNode, words } from "./attach.js";

function textColorFor(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!m) return "#fff";
  const n = parseInt(m[1], 16);
  const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const L = 0.2126 * lin(n >> 16) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return L > 0.4 ? "#111" : "#fff";
}

export class WidgetView {
  // state: the widget's state (state.js), read only; timeline(): the conversation's events in
  // order; actions: {toggle, close, show(view), startVideo, input, submitChat, callback: {...}}.
  constructor({ config, t, state, timeline, actions }) {
    this.config = config;
    this.t = t;
    this.state = state;
    this.timeline = timeline;
    this.actions = actions;
    this.pending = new Map(); // client_id -> element, messages not yet in the timeline
    this.unread = 0;
    this.typingTimer = null;
    this.w = words(config.lang); // attachments' words (attach.js)
    this.mount();
  }

  // ---- building the DOM --------------------------------------------------------------------
  mount() {
    const { t, config, actions } = this;
    this.host = document.createElement("lifeline-widget");
    this.host.setAttribute("data-lifeline-state", "connecting");
    this.shadow = this.host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = css({ color: config.color, text: textColorFor(config.color), side: config.position }) + attachCss;
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
        onclick: () => actions.toggle(),
      },
      h("span", { html: icons.help, style: "display:contents" }),
      this.launcherLabel,
      this.badge,
    );
    this.unreadText = h("span", { class: "sr", "aria-live": "polite" });

    this.backBtn = h("button", { class: "icon", type: "button", "aria-label": t("back"), hidden: true, html: icons.back, onclick: () => actions.show("home") });
    this.avatar = h("div", { class: "avatar", "aria-hidden": "true" }, "?");
    this.title = h("h2", { id: "ll-title" }, t("title"));
    this.dot = h("span", { class: "dot" });
    this.subtitle = h("span", {}, t("connecting"));
    const closeBtn = h("button", { class: "icon", type: "button", "aria-label": t("closeHelp"), html: icons.close, onclick: () => actions.close() });
    // A div, not <header>: inside the dialog it would be the page's second "banner" landmark.
    const head = h("div", { class: "head" }, this.backBtn, this.avatar, h("div", { class: "ttl" }, this.title, h("p", {}, this.dot, this.subtitle)), closeBtn);

    this.homeView = this.buildHome();
    this.chatView = this.buildChat();
    this.callback = new CallbackView({ config, t, state: this.state, actions: actions.callback });
    this.cbView = this.callback.el;
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
        actions.close();
      }
    });
    this.root = h("div", { class: "root", lang: config.lang }, this.launcher, this.panel, this.unreadText);
    this.shadow.append(style, this.root);
    // Under <html>, not <body>: a transform or filter the shop puts on <body> would otherwise
    // become the containing block of our fixed-position button.
    document.documentElement.appendChild(this.host);
  }

  buildHome() {
    const { t, actions } = this;
    const card = (icon, title, hint, onclick, extra = {}) =>
      h("button", { class: "card", type: "button", onclick, ...extra }, h("span", { class: "ci", html: icon }), h("span", {}, h("b", {}, title), h("span", { class: "h" }, hint)));
    this.offlineNotice = h("div", { class: "notice", hidden: true, role: "status" }, t("noAgent"));
    this.signInText = h("span", {});
    this.signInLink = h("a", { class: "signin-link", target: "_top" }, t("signIn"));
    this.signInNotice = h("div", { class: "notice signin", hidden: true, role: "status", tabindex: "-1", "data-signin": "" }, this.signInText, " ", this.signInLink);
    this.cbCard = h("div", { class: "notice", hidden: true, role: "status" });
    this.chatCard = card(icons.chat, t("chat"), t("chatHint"), () => actions.show("chat"), { "data-action": "chat" });
    this.videoCard = card(icons.video, t("video"), t("videoHint"), () => actions.startVideo(), { hidden: true, "data-action": "video" });
    return h(
      "section",
      { class: "home", "data-view": "home" },
      h("h3", {}, t("greeting")),
      (this.lead = h("p", { class: "lead" }, t("greetingText"))),
      this.offlineNotice,
      this.signInNotice,
      this.cbCard,
      this.chatCard,
      card(icons.phone, t("callback"), t("callbackHint"), () => actions.show("callback"), { "data-action": "callback" }),
      this.videoCard,
    );
  }

  buildChat() {
    const { t, actions } = this;
    this.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": t("chat"), tabindex: "0" });
    this.typingEl = h("div", { class: "typing", "aria-live": "polite", hidden: true });
    this.statusEl = h("div", { class: "status", role: "status", "aria-live": "polite", hidden: true });
    // End chat, asked once more before it ends: a stray tap does not end a conversation.
    this.endBtn = h("button", { class: "btn ghost small", type: "button", "data-action": "end-chat", onclick: () => this.askEnd(true) }, t("endChat"));
    this.endAsk = h(
      "div",
      { class: "endask", role: "group", "aria-label": t("endChatAsk"), hidden: true },
      h("span", {}, t("endChatAsk")),
      h("button", { class: "btn small", type: "button", "data-action": "end-chat-yes", onclick: () => (this.askEnd(false), actions.endChat()) }, t("endChatYes")),
      h("button", { class: "btn ghost small", type: "button", "data-action": "end-chat-no", onclick: () => this.askEnd(false, true) }, t("endChatNo")),
    );
    this.chatBar = h("div", { class: "chatbar", hidden: true }, this.statusEl, this.endBtn, this.endAsk);
    this.input = h("textarea", { rows: "1", placeholder: t("composer"), "aria-label": t("composerLabel"), maxlength: "4000" });
    this.sendBtn = h("button", { class: "send", type: "submit", "aria-label": t("send"), html: icons.send, disabled: true });
    this.input.addEventListener("input", () => actions.input());
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        actions.submitChat();
      }
    });
    const clip = attachControl(this.w, (file) => actions.attach(file));
    this.composeForm = h("form", { class: "compose", onsubmit: (e) => (e.preventDefault(), actions.submitChat()) }, clip, this.input, this.sendBtn);
    this.survey = new SurveyView({ t, state: this.state, actions: actions.survey });
    return h("section", { class: "body", "data-view": "chat", hidden: true }, this.log, this.typingEl, this.chatBar, this.survey.el, this.composeForm);
  }

  // ---- the frame: state attribute, open or closed, which view ------------------------------
  setConnection(state) {
    this.host.setAttribute("data-lifeline-state", state);
  }

  setOpen(open) {
    this.panel.hidden = !open;
    this.launcher.setAttribute("aria-expanded", String(open));
    this.launcher.classList.toggle("open", open);
  }

  // px: how far down the page's top the Mayday consent bar reaches (0: none).
  keepClearOf(px) {
    this.panel.style.setProperty("--ll-top", `${Math.max(0, px | 0)}px`);
  }

  hasFocus() {
    return this.root.contains(this.shadow.activeElement);
  }

  focusLauncher() {
    this.launcher.focus();
  }

  // Hidden until the hub has said hello, and for good once it refuses the page.
  showLauncher(shown) {
    this.launcher.hidden = !shown;
  }

  // open: whether the panel is open, which moves the focus into the view shown.
  show(view, open) {
    this.current = view;
    this.placeSurvey();
    this.homeView.hidden = view !== "home";
    this.chatView.hidden = view !== "chat";
    this.cbView.hidden = view !== "callback";
    this.backBtn.hidden = view === "home";
    if (view === "chat") this.scrollDown();
    if (view === "callback") this.renderCallback();
    this.renderHeader();
    if (!open) return;
    const focus = this.survey.asking()
      ? this.survey.focusTarget()
      : view === "chat"
        ? this.input
        : view === "callback"
          ? this.callback.focusTarget()
          : this.homeView.querySelector(".card");
    if (focus) setTimeout(() => focus.focus(), 0);
  }

  // The header, the home's words and the chat's status line all say one situation
  // (state.js situation()): never "we're away" beside an agent who answers.
  renderHeader() {
    const { t, state } = this;
    const now = situation(state);
    const chat = activeChat(state);
    const agent = now === "joined" && chat.agent;
    this.host.setAttribute("data-lifeline-situation", now);
    this.title.textContent = agent ? agent.name || t("agent") : t("title");
    this.avatar.textContent = agent ? (agent.name || "?").trim().charAt(0).toUpperCase() : "?";
    this.avatar.hidden = !agent;
    this.dot.className = "dot" + (now === "online" || now === "waiting" || now === "joined" ? " on" : "");
    const sub = { connecting: "connecting", reconnecting: "reconnecting", joined: "joinedSub", noOne: "offline" };
    this.subtitle.textContent = t(sub[now] || "online");
    this.lead.textContent = t(now === "noOne" ? "greetingAway" : "greetingText");
    if (now === "noOne") this.offlineNotice.hidden = false;
    else if (now !== "connecting" && now !== "reconnecting") this.offlineNotice.hidden = true;
    this.renderStatus();
  }

  renderChannels() {
    this.videoCard.hidden = !this.state.channels.includes("video");
    this.renderHeader();
  }

  // The site wants the shop's sign-in for this channel: say so, with the shop's sign-in page.
  showSignIn(channel) {
    const { t, state } = this;
    this.signInText.textContent = state.identityMode === "required" || channel === "chat" ? t("signInToContact") : t("signInForChannel");
    this.signInLink.hidden = !state.loginUrl;
    if (state.loginUrl) this.signInLink.href = state.loginUrl;
    this.signInNotice.hidden = false;
    setTimeout(() => (state.loginUrl ? this.signInLink : this.signInNotice).focus(), 0);
  }

  hideSignIn() {
    this.signInNotice.hidden = true;
  }

  // A contact found no agent: the home view says so too.
  showOffline() {
    this.renderHeader();
  }

  // The End chat control: asking (on) shows the question with Yes and No instead of it.
  askEnd(on, refocus) {
    this.endAsk.hidden = !on;
    this.endBtn.hidden = on;
    const target = on ? this.endAsk.querySelector("[data-action=end-chat-no]") : refocus ? this.endBtn : this.input;
    if (target) target.focus();
  }

  renderCallback() {
    const shown = this.callback.render();
    this.cbCard.hidden = !shown;
    if (!shown) return;
    this.cbCard.textContent = shown.text;
    this.cbCard.className = "notice" + (shown.tone ? " " + shown.tone : "");
  }

  // The survey goes in the view on show: under the chat's log (where the composer makes way
  // for it while it asks), under a callback's status, or on the home view.
  placeSurvey() {
    const el = this.survey.el;
    if (this.current === "callback") {
      if (el.parentNode !== this.cbView) this.cbView.append(el);
    } else if (this.current === "home") {
      if (el.parentNode !== this.homeView) this.homeView.append(el);
    } else if (el.parentNode !== this.chatView) this.chatView.insertBefore(el, this.composeForm);
  }

  renderSurvey() {
    const shown = this.survey.render();
    this.composeForm.hidden = this.survey.asking();
    // The log lost room to the survey: keep its end ("the conversation has ended") in view.
    this.scrollDown();
    return shown;
  }

  focusSurvey() {
    const el = this.survey.focusTarget();
    if (el) el.focus();
  }

  // A survey waits while the panel is closed: a dot on the button, not the panel popping open.
  markSurvey(on) {
    this.surveyDot = on;
    this.renderBadge();
  }

  // ---- the chat log ------------------------------------------------------------------------
  renderLog() {
    this.log.textContent = "";
    this.lastRendered = 0;
    this.lastAuthor = null;
    for (const ev of this.timeline()) this.appendEvent(ev, true);
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
    if (ev.type === "attachment") {
      const node = attachmentNode(ev, { hubUrl: this.config.hubUrl, mine: a.role === "customer", w: this.w, fresh: (e) => this.actions.fileLink(e) });
      return node ? [node] : [];
    }
    const sys = (text) => out.push(h("div", { class: "sys", "data-seq": ev.seq, "data-type": ev.type }, text));
    if (ev.type === "contact.assigned") sys(t("assigned", { name: (d.agent && d.agent.name) || a.name || t("agent") }));
    else if (ev.type === "contact.ended" && (d.channel || contact(this.state, d.contact_id).channel) !== "callback") sys(this.endedText(d));
    else if (ev.type === "contact.requested" && d.channel && d.channel !== "chat") sys(t("requested", { channel: t("chan" + d.channel) }));
    else if (ev.type === "callback.outcome") sys(t("outcome_" + d.outcome));
    else if (ev.type === "identity.merged") sys(t("merged"));
    else if (ev.type === "video.failed") sys(t("videoFailed", { reason: d.reason || "" }));
    return out;
  }

  // Why it ended, in words (never the hub's reason code).
  endedText(d) {
    const { t } = this;
    const c = contact(this.state, d.contact_id);
    const key = "ended_" + d.reason;
    if (!d.reason || t(key) === key) return t("ended");
    return t(key, { name: (c.agent && c.agent.name) || t("agent") });
  }

  renderNoAgent() {
    if (this.log.querySelector(".alert")) return;
    const { t } = this;
    const btn = h("button", { class: "btn", type: "button", "data-action": "callback", onclick: () => this.actions.show("callback") }, t("offerCallback"));
    const box = h("div", { class: "sys alert", role: "alert" }, t("noAgent"), btn);
    this.log.append(box);
    this.scrollDown();
  }

  alert(text) {
    this.log.append(h("div", { class: "sys alert", role: "alert" }, text));
  }

  scrollDown() {
    requestAnimationFrame(() => (this.log.scrollTop = this.log.scrollHeight));
  }

  // A message on its way: shown at once, removed when the timeline has it (settlePending).
  // viaRequest: sent as the text of contact.request, which carries no client_id.
  addPending(clientId, text, viaRequest) {
    const el = h("div", { class: "msg me pending", "data-client-id": clientId }, text);
    if (viaRequest) {
      el.dataset.viaRequest = "1";
      el.dataset.text = text;
    }
    this.pending.set(clientId, el);
    this.log.append(el);
    this.scrollDown();
    return el;
  }

  dropPending(clientId) {
    const el = this.pending.get(clientId);
    if (!el) return;
    el.remove();
    this.pending.delete(clientId);
  }

  hasPending() {
    return this.pending.size > 0;
  }

  // Forgetting the visitor: the bubbles go with the log, which the reset redraws.
  forgetPending() {
    this.pending.clear();
  }

  failPending(el, message) {
    el.classList.add("failed");
    el.title = message || this.t("error");
    el.append(h("div", { class: "err", role: "alert" }, this.t("error")));
  }

  // A pending bubble leaves when its message is in the timeline: matched by client_id, or, for
  // the text sent with contact.request (which has none), by being the customer's same text.
  settlePending(ev) {
    const d = ev.data || {};
    let id = d.client_id && this.pending.has(d.client_id) ? d.client_id : null;
    if (!id && !d.client_id && ev.author && ev.author.role === "customer") {
      for (const [k, el] of this.pending) if (el.dataset.viaRequest && el.dataset.text === d.text) id = k;
    }
    if (id) this.dropPending(id);
  }

  renderStatus() {
    const { t } = this;
    const c = activeChat(this.state);
    const now = situation(this.state);
    let text = "";
    if (c && c.state !== "assigned" && now === "noOne") text = t("queuedAway");
    else if (c && c.state === "queued" && c.position) {
      const w = c.wait;
      const wait = w == null || w < 15 ? t("waitSoon") : w < 90 ? t("seconds", { n: Math.round(w / 5) * 5 }) : t("minutes", { n: Math.round(w / 60) });
      text = c.position <= 1 ? t("queuedFirst", { wait }) : t("queued", { position: c.position, wait });
    }
    this.statusEl.textContent = text;
    this.statusEl.hidden = !text;
    // A chat (not a video, which ends from its own bar) going on can be ended by the shopper.
    const endable = !!c && c.channel === "chat";
    if (!endable && !this.endAsk.hidden) this.endAsk.hidden = true;
    this.endBtn.hidden = !endable || !this.endAsk.hidden;
    this.chatBar.hidden = !text && !endable;
  }

  showTyping(on, name) {
    clearTimeout(this.typingTimer);
    this.typingEl.hidden = !on;
    if (!on) return;
    const c = activeChat(this.state);
    const who = name || (c && c.agent && c.agent.name) || this.t("someone");
    this.typingEl.innerHTML = "<i></i><i></i><i></i> ";
    this.typingEl.append(this.t("typing", { name: who }));
    this.typingTimer = setTimeout(() => (this.typingEl.hidden = true), 8000);
  }

  composerText() {
    return this.input.value;
  }

  clearComposer() {
    this.input.value = "";
  }

  setComposer(text) {
    this.input.value = text;
    this.fitComposer();
  }

  // The composer's text changed: the send button and the height follow it.
  fitComposer() {
    this.sendBtn.disabled = !this.input.value.trim();
    this.input.style.height = "auto";
    this.input.style.height = Math.min(this.input.scrollHeight, 120) + "px";
  }

  bumpUnread(ev) {
    this.unread += 1;
    this.renderBadge();
    this.unreadText.textContent = this.t("newMessageFrom", { name: (ev.author && ev.author.name) || this.t("agent") });
  }

  clearUnread() {
    this.unread = 0;
    this.renderBadge();
  }

  // The button's badge: the unread count, else a dot for a survey waiting; its label says which.
  renderBadge() {
    const { t } = this;
    const n = this.unread;
    this.badge.hidden = !n && !this.surveyDot;
    this.badge.textContent = n ? String(n) : "";
    this.badge.classList.toggle("dot-only", !n && !!this.surveyDot);
    const said = [n ? (n === 1 ? t("unread1") : t("unread", { n })) : null, this.surveyDot ? t("surveyWaiting") : null].filter(Boolean);
    this.launcher.setAttribute("aria-label", said.length ? `${t("openHelp")} (${said.join(", ")})` : t("openHelp"));
  }
}
