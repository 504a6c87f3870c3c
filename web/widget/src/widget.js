// The widget's controller: it applies the hub's events to the state (state.js), has the view
// (view.js) show them, and turns what the customer does into requests (net.js).
import { Connection, newClientId, readToken } from "./net.js";
import { freshLink, sendAttachment } from "./attach.js";
import { translator } from "./i18n.js";
import { phoneToSend } from "./phone.js";
import { WidgetView } from "./view.js";
import { loadMayday, tabVideo } from "./mayday-loader.js";
import * as S from "./state.js";
import { AGENTS_ONLINE, CALLBACK_UPDATED, CONTACT_ASSIGNED, CONTACT_ENDED, CONTACT_NO_AGENT, CONTACT_QUEUED, EVENT, MAYDAY_TO_CUSTOMER, PAGE, SURVEY_REQUEST, TYPING } from "../../shared/events.js";

// The event names of the JS API (docs/widget.md) for the ones the widget emitted first.
const ALIASES = { assigned: "contact.assigned", ended: "contact.ended", surveyAnswered: "survey.answered" };

export class Widget {
  constructor(config) {
    this.config = config;
    this.t = translator(config.lang);
    this.handlers = {};
    this.state = S.createState();
    this.isOpen = false;
    this.view = "home";
    this.sentTyping = 0;
    this.identifying = null; // the identify() in flight
    this.idleTimer = null;
    this.context = {}; // what the shop's page says it shows (setContext): {product}
    this.ui = new WidgetView({
      config,
      t: this.t,
      state: this.state,
      timeline: () => this.conn.timeline(),
      actions: {
        toggle: () => (this.isOpen ? this.close() : this.open()),
        close: () => this.close(),
        show: (view) => this.tap(view),
        startVideo: () => this.tap("video"),
        input: () => this.onInput(),
        submitChat: () => this.submitChat(),
        endChat: () => this.endChat(),
        fileLink: (ev) => freshLink(this.conn, ev),
        attach: (file) => sendAttachment({ ui: this.ui, conn: this.conn, config, token: readToken(config.siteKey), clientId: newClientId() }, file),
        callback: { submit: () => this.submitCallback(), cancel: () => this.cancelCallback(), again: () => this.resetCallbackForm() },
        survey: { submit: () => this.submitSurvey(), dismiss: () => this.dismissSurvey() },
      },
    });
    this.conn = new Connection({
      hubUrl: config.hubUrl,
      siteKey: config.siteKey,
      listener: (name, p) => this.onNet(name, p),
    });
  }

  // ---- public API ------------------------------------------------------------------------
  on(name, fn) {
    (this.handlers[name] = this.handlers[name] || []).push(fn);
    if (name === "ready" && this.state.loaded) fn(this.readyInfo());
  }

  emit(name, payload) {
    // The names of DESIGN §13 as well as the widget's first ones.
    const alias = ALIASES[name];
    if (alias) this.emitOne(alias, payload);
    this.emitOne(name, payload);
  }

  emitOne(name, payload) {
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
    if (who.phone) this.state.knownPhone = String(who.phone);
    // A shop often calls identify() and open() in one breath: until the hub has answered, a
    // channel that wants a sign-in waits for the answer rather than asking for one.
    const pending = this.conn.sendIdentify(p);
    this.identifying = pending;
    const settle = () => {
      if (this.identifying === pending) this.identifying = null;
    };
    pending.then(settle, settle);
    return pending;
  }

  // Runs again once the identify in flight is answered; true when it waits.
  afterIdentify(again) {
    if (!this.identifying) return false;
    this.identifying.then(again, again);
    return true;
  }

  open(view) {
    if (this.conn.refused) return;
    this.isOpen = true;
    this.ui.setOpen(true);
    this.show(view || (this.surveyWaiting() || this.hasChat() ? "chat" : this.view === "callback" ? "callback" : "home"));
    this.emit("open");
  }

  // Lifeline("open", channel, {text}): the home view without a channel; with one, that
  // channel at once (chat: the composer, holding the text; video: the session starts;
  // callback: the form). An unknown channel, or one the site does not offer, throws.
  openChannel(channel, opts) {
    if (channel == null) return this.open();
    if (!["chat", "video", "callback"].includes(channel)) throw new Error(`Lifeline: open() takes "chat", "video" or "callback", not ${JSON.stringify(channel)}`);
    const offered = (this.conn.session && this.conn.session.channels) || null;
    if (offered && !offered.includes(channel)) throw new Error(`Lifeline: this site does not offer ${channel}`);
    if (S.needsSignIn(this.state, channel)) {
      if (this.afterIdentify(() => this.openChannel(channel, opts))) return;
      this.open("home");
      return this.ui.showSignIn(channel);
    }
    if (channel === "video") {
      this.open("chat");
      return this.startVideo();
    }
    this.open(channel);
    if (channel === "chat" && opts.text != null) this.ui.setComposer(String(opts.text).slice(0, 4000));
  }

  close() {
    if (!this.isOpen) return;
    const hadFocus = this.ui.hasFocus();
    this.isOpen = false;
    this.ui.setOpen(false);
    if (hadFocus) this.ui.focusLauncher();
    this.emit("close");
  }

  reset() {
    if (this.mayday) this.mayday.end(true);
    this.close();
    this.ui.forgetPending();
    this.state.knownPhone = null;
    this.identifying = null;
    this.state.forgetCallback = null;
    this.state.survey = null;
    this.ui.markSurvey(false);
    this.ui.renderSurvey();
    this.ui.clearUnread();
    this.conn.reset();
    this.view = "home";
  }

  readyInfo() {
    const s = this.conn.session || {};
    return { customerId: s.customer_id, conversationId: this.conn.conversationId, agentsOnline: this.state.agentsOnline };
  }

  // The page tells what it shows (Lifeline("setContext", {product})): sent to the hub with the
  // page, so the agent sees it and the wrap-up's product defaults to it. null clears it.
  // setContext({product, order_id, cart}): each key given replaces what was said (null clears
  // it); the agent sees them beside the conversation.
  setContext(ctx) {
    const text = (v, max) => (v == null ? "" : String(v).trim().slice(0, max));
    if (ctx && "product" in ctx) this.keep("product", text(ctx.product, 120));
    if (ctx && "order_id" in ctx) this.keep("order_id", text(ctx.order_id, 100));
    if (ctx && "cart" in ctx) {
      const items = Array.isArray(ctx.cart) ? ctx.cart.slice(0, 50) : [];
      const cart = items
        .map((it) => ({ sku: text(it && (it.sku ?? it.id), 120), ...(it && it.name ? { name: text(it.name, 200) } : {}), ...(it && Number.isInteger(it.qty) && it.qty > 0 && it.qty < 1000 ? { qty: it.qty } : {}) }))
        .filter((it) => it.sku);
      this.keep("cart", cart.length ? cart : null);
    }
    this.sendPage(true);
  }

  keep(key, value) {
    if (value) this.context[key] = value;
    else delete this.context[key];
  }

  // A tap on a channel: the shop's sign-in first when the site wants it for that channel.
  tap(view) {
    if ((view === "chat" || view === "callback" || view === "video") && S.needsSignIn(this.state, view)) {
      if (this.afterIdentify(() => this.tap(view))) return;
      this.show("home");
      return this.ui.showSignIn(view);
    }
    return view === "video" ? this.startVideo() : this.show(view);
  }

  show(view) {
    this.view = view;
    if (this.isOpen) this.ui.markSurvey(false);
    if (view === "chat") this.ui.clearUnread();
    this.ui.show(view, this.isOpen);
  }

  hasChat() {
    return S.activeChat(this.state) || this.conn.timeline().some((e) => e.type === "message") || this.ui.hasPending();
  }

  // ---- network events -----------------------------------------------------------------------
  onNet(name, p) {
    const { state, ui } = this;
    if (MAYDAY_TO_CUSTOMER.includes(name) || name === CONTACT_ASSIGNED || name === CONTACT_ENDED) this.toMayday(name, p);
    switch (name) {
      case "connection":
        state.online = p.state === "online";
        if (p.session) this.onSession(p.session);
        ui.setConnection(state.online ? "online" : "reconnecting");
        ui.renderHeader();
        break;
      case "refused":
        ui.setConnection("refused");
        ui.showLauncher(false);
        this.close();
        if (window.console) console.warn("Lifeline: the hub refused this page:", p.message);
        this.emit("error", { code: "refused", message: p.message });
        break;
      case "ready":
        ui.showLauncher(true);
        this.rejoinVideo();
        if (!state.loaded) {
          state.loaded = true;
          ui.renderHeader();
          this.emit("ready", this.readyInfo());
        }
        break;
      case "reset":
        S.resetContacts(state);
        ui.renderLog();
        break;
      case EVENT:
        this.onEvent(p);
        break;
      case "identified":
        ui.renderHeader();
        // Signing in may bring an earlier conversation: show it rather than the menu.
        if (this.isOpen && this.view === "home" && this.hasChat()) this.show("chat");
        this.state.verified = this.state.verified || !!p.verified;
        this.ui.hideSignIn();
        this.emit("identified", { customerId: p.customer_id, verified: p.verified, conversationId: p.conversation_id });
        break;
      case "identify_failed":
        this.emit("error", p);
        break;
      case CONTACT_QUEUED:
        S.apply(state, name, p);
        ui.renderStatus();
        break;
      case CONTACT_ASSIGNED:
        S.apply(state, name, p);
        ui.renderStatus();
        ui.renderHeader();
        ui.renderCallback();
        this.emit("assigned", { contactId: p.contact_id, channel: p.channel, agent: p.agent });
        break;
      case CONTACT_ENDED:
        S.apply(state, name, p);
        ui.renderStatus();
        ui.renderHeader();
        this.emit("ended", { contactId: p.contact_id, reason: p.reason });
        break;
      case CONTACT_NO_AGENT:
        S.apply(state, name, p);
        ui.renderHeader();
        if (p.channel !== "callback") ui.renderNoAgent();
        ui.showOffline();
        break;
      case AGENTS_ONLINE:
        S.apply(state, name, p);
        ui.renderHeader();
        break;
      case CALLBACK_UPDATED:
        S.apply(state, name, p);
        ui.renderCallback();
        break;
      case SURVEY_REQUEST:
        S.apply(state, name, p);
        this.renderSurvey(true);
        break;
      case TYPING:
        if (p.role !== "customer" && p.conversation_id === this.conn.conversationId) ui.showTyping(p.typing, p.name);
        break;
    }
  }

  onSession(s) {
    S.applySession(this.state, s);
    this.ui.renderChannels();
    this.sendPage(true);
  }

  onEvent(ev) {
    const { ui } = this;
    const d = ev.data || {};
    this.toMayday(EVENT, ev);
    S.applyTimeline(this.state, ev);
    if (ev.type === "survey") this.renderSurvey(false);
    if (ev.type === "message") ui.settlePending(ev);
    ui.appendEvent(ev);
    ui.renderStatus();
    ui.renderHeader();
    if (ev.type.startsWith("contact.") || ev.type === "callback.outcome") ui.renderCallback();
    if (ev.type === "message") {
      const mine = ev.author && ev.author.role === "customer";
      if (!mine) ui.showTyping(false);
      if (this.state.loaded) {
        if (!mine && !(this.isOpen && this.view === "chat")) {
          ui.bumpUnread(ev);
          this.emit("unread", { count: ui.unread });
        }
        this.emit("message", { seq: ev.seq, text: d.text, author: ev.author || null, mine });
      }
    }
  }

  // ---- the survey after a contact -----------------------------------------------------------
  surveyWaiting() {
    return !!S.pendingSurvey(this.state, Date.now() / 1000);
  }

  // asked: a survey.request just came. Open panel: the survey takes it, the focus on the
  // question. Closed panel: only a dot on the button; the survey shows when the shopper opens.
  renderSurvey(asked) {
    const { ui } = this;
    ui.renderSurvey();
    const waiting = this.surveyWaiting();
    if (!asked || !waiting) {
      if (!waiting) ui.markSurvey(false);
      return;
    }
    // Open: the survey shows in the view on show, the focus on its question; closed: a dot.
    if (!this.isOpen) ui.markSurvey(true);
    else ui.focusSurvey();
    this.emit("survey", { contactId: this.state.survey.contact_id, channel: this.state.survey.channel });
  }

  // The outcome read: it goes, and the composer has the focus.
  dismissSurvey() {
    if (this.state.survey) this.state.survey.dismissed = true;
    this.ui.renderSurvey();
    if (this.isOpen) this.show(this.view);
  }

  async submitSurvey() {
    const { ui, state } = this;
    const s = state.survey;
    if (!s || s.status !== "asked") return;
    const view = ui.survey;
    view.clearErrors();
    const country = this.config.country;
    const answer = view.values((typed) => phoneToSend(typed, country));
    if (answer.error) return view.showError(answer.error, answer.message);
    if (answer.phone && country) answer.country = country;
    s.status = "sending";
    s.error = null;
    ui.renderSurvey();
    try {
      const ack = await this.conn.answerSurvey({ contact_id: s.contact_id, ...answer });
      S.surveyAnswered(state, ack, answer.phone);
    } catch (err) {
      // A number the hub cannot call is said beside the field, as the widget's own check does.
      if (err && err.code === "invalid" && answer.phone && /^phone/.test(err.message || "")) {
        s.status = "asked";
        ui.renderSurvey();
        return view.showError("phone", this.t("phoneInvalid"));
      }
      S.surveyFailed(state, err);
    }
    ui.renderSurvey();
    if (s.status !== "asked" && this.isOpen) ui.focusSurvey();
    if (s.status === "done") this.emit("surveyAnswered", { contactId: s.contact_id, resolved: answer.resolved, followUp: s.outcome.kind === "thanks" ? null : s.outcome });
  }

  // ---- sending ---------------------------------------------------------------------------
  onInput() {
    const text = this.ui.composerText();
    this.ui.fitComposer();
    const cid = this.conn.conversationId;
    if (!cid || !S.activeChat(this.state)) return;
    const now = Date.now();
    if (text && now - this.sentTyping > 3000) {
      this.sentTyping = now;
      this.conn.signal(TYPING, { conversation_id: cid, typing: true });
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stopTyping(), 4000);
  }

  stopTyping() {
    clearTimeout(this.idleTimer);
    if (this.sentTyping && this.conn.conversationId) this.conn.signal(TYPING, { conversation_id: this.conn.conversationId, typing: false });
    this.sentTyping = 0;
  }

  async submitChat() {
    const { ui } = this;
    const text = ui.composerText().trim();
    if (!text) return;
    ui.clearComposer();
    this.onInput();
    this.stopTyping();
    const clientId = newClientId();
    // Without a live chat the text goes with the request for one, which the hub posts for us.
    const direct = S.activeChat(this.state) && this.conn.conversationId;
    const el = ui.addPending(clientId, text, !direct);
    try {
      if (direct) {
        await this.conn.sendMessage(text, clientId);
      } else {
        const ack = await this.conn.requestContact({ channel: "chat", text });
        S.contact(this.state, ack.contact_id, "chat");
        // The hub posted the text as our message; it is in the timeline now.
        ui.dropPending(clientId);
        ui.renderStatus();
      }
    } catch (err) {
      if (err && err.code === "identity_required") {
        ui.dropPending(clientId);
        this.show("home");
        return ui.showSignIn("chat");
      }
      ui.failPending(el, err && err.message);
    }
  }

  // The shopper ends the chat (End chat): contact.cancel, which for a chat an agent has ends
  // it for the agent too; the hub's contact.ended and survey.request follow as for any end.
  async endChat() {
    const c = S.activeChat(this.state);
    if (!c) return;
    try {
      await this.conn.cancel(c.id);
    } catch (_) {
      this.ui.alert(this.t("error"));
    }
  }

  async submitCallback() {
    const cb = this.ui.callback;
    const { phone: typed, notBefore } = cb.values();
    const country = this.config.country;
    const phone = phoneToSend(typed, country);
    if (!phone) return cb.phoneInvalid(this.t("phoneInvalid"));
    cb.phoneValid();
    const payload = { channel: "callback", phone };
    if (country) payload.country = country;
    if (notBefore) payload.not_before = notBefore;
    try {
      const ack = await this.conn.requestContact(payload);
      S.callbackRequested(this.state, ack.contact_id, ack.phone || phone, payload.not_before, ack.phone_display);
      this.ui.renderCallback();
      cb.focusStatus();
    } catch (err) {
      if (err && err.code === "identity_required") {
        this.show("home");
        return this.ui.showSignIn("callback");
      }
      if (err && err.code === "invalid") return cb.phoneInvalid(this.t("phoneInvalid"));
      cb.formError(this.t("error"));
    }
  }

  async cancelCallback() {
    const c = S.activeCallback(this.state);
    if (!c) return;
    try {
      await this.conn.cancel(c.id);
      S.callbackCancelled(c);
      this.ui.renderCallback();
    } catch (_) {
      this.ui.callback.showError(this.t("error"));
    }
  }

  resetCallbackForm() {
    this.state.forgetCallback = S.activeCallback(this.state);
    this.ui.renderCallback();
    this.ui.callback.focusPhone();
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
        const c = S.contact(this.state, ack.contact_id, "video");
        const inbox = this.maydayInbox || [];
        this.maydayInbox = null;
        if (c.state === "ended") return;
        tabVideo(this.config.siteKey, ack.contact_id);
        this.newSession(Session, ack.contact_id);
        for (const [name, p] of inbox) this.mayday.handle(name, p);
      },
      () => {
        this.maydayInbox = null;
        this.ui.alert(this.t("videoUnavailable"));
      },
    );
  }

  // After a reload the timeline shows a video session still live with its agent: load the
  // Mayday part again, start recording and the consent frame, and ask the hub to rejoin.
  rejoinVideo() {
    if (this.mayday || this.maydayInbox) return;
    const mine = tabVideo(this.config.siteKey);
    const c = mine && this.state.contacts.get(mine);
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
        // The consent bar's bottom edge: the panel starts below it (on a phone it is full screen).
        bar: (px) => this.ui.keepClearOf(px),
        failed: () => this.open("chat"),
        // Ended by the agent: show the shopper the conversation, where the end is said.
        ended: (local) => {
          this.mayday = null;
          tabVideo(config.siteKey, null);
          this.ui.renderStatus();
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
    const page = { url, title: document.title };
    for (const key of ["product", "order_id", "cart"]) if (this.context[key]) page[key] = this.context[key];
    this.conn.signal(PAGE, page);
  }
}
