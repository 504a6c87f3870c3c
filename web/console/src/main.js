// The agent console: log in, take offers, hold several conversations, call back, wrap up,
// and (for supervisors) watch the live queue. It loads a snapshot, then applies events.
import { h } from "../../widget/src/dom.js";
import { login, connect, request } from "./net.js";
import { fromSnapshot, apply, addContact, insertEvent, normalize, siteLists } from "./state.js";
import { unlockAudio, beep, askNotificationPermission, notify } from "./alert.js";
import { icons, fmtTime, fmtWait, channelLabel, describeEvent, initials, customerName } from "./view.js";
import { MaydayView } from "./stage.js";

const MAYDAY_EVENTS = ["rtc.config", "rtc.signal", "rtc.state", "cobrowse.events", "share.state"];

const TOKEN = "lifeline:console:token";
const $ = (id) => document.getElementById(id);

function newClientId() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
}

class Console {
  constructor() {
    this.state = null;
    this.socket = null;
    this.tab = "inbox";
    this.selected = null; // contact id
    this.unread = {};
    this.drafts = {};
    this.noteMode = false;
    this.pending = {}; // contact id -> [{client_id, text, note}]
    this.typing = {}; // conversation id -> {name, until}
    this.wrapFor = null;
    this.connected = false;
    this.buffer = null; // events received while a snapshot is being fetched
    this.mayday = null; // the live video session (MaydayView), one at a time
    this.media = null; // Promise of the agent's camera and microphone, opened at sign-in
    window.lifelineConsole = this; // for tests and curious developers
  }

  start() {
    const saved = sessionStorage.getItem(TOKEN);
    if (saved) {
      const { token, agent } = JSON.parse(saved);
      this.begin(token, agent);
    } else this.showLogin();
    $("login-form").addEventListener("submit", (e) => this.onLogin(e));
    document.addEventListener("keydown", (e) => this.onKey(e));
    setInterval(() => this.tick(), 250);
  }

  showLogin(message) {
    $("app").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    $("email").focus();
  }

  async onLogin(e) {
    e.preventDefault();
    unlockAudio();
    askNotificationPermission();
    const btn = e.target.querySelector("button");
    btn.disabled = true;
    try {
      const res = await login($("email").value.trim(), $("password").value);
      sessionStorage.setItem(TOKEN, JSON.stringify({ token: res.token, agent: res.agent }));
      this.begin(res.token, res.agent);
    } catch (err) {
      $("login-error").textContent = (err && err.message) || "Could not sign in";
    } finally {
      btn.disabled = false;
    }
  }

  logout() {
    this.endMayday();
    if (this.media) this.media.then((m) => m && m.getTracks().forEach((t) => t.stop()));
    this.media = null;
    sessionStorage.removeItem(TOKEN);
    if (this.socket) this.socket.disconnect();
    this.socket = null;
    this.state = null;
    this.showLogin();
  }

  begin(token, agent) {
    this.me = agent;
    $("login").hidden = true;
    $("app").hidden = false;
    this.buildShell();
    this.warmMedia();
    document.addEventListener("pointerdown", unlockAudio, { once: true });
    const s = (this.socket = connect(token));
    s.on("connect", () => this.loadSnapshot());
    s.on("disconnect", () => {
      this.connected = false;
      this.renderTop();
    });
    s.on("connect_error", (err) => {
      if (!s.active) {
        sessionStorage.removeItem(TOKEN);
        this.showLogin("Your session has expired. Please sign in again.");
      }
    });
    for (const name of ["offer", "offer.revoked", "event", "contact.ended", "presence", "queue.updated", "agent.updated", "callback.updated", "customer.page"]) {
      s.on(name, (p) => this.onServer(name, p));
    }
    for (const name of MAYDAY_EVENTS) s.on(name, (p) => this.onMayday(name, p));
    s.on("typing", (p) => {
      if (p.role === "agent") return;
      this.typing[p.conversation_id] = p.typing ? { until: Date.now() + 8000 } : null;
      this.renderTyping();
    });
  }

  async loadSnapshot() {
    this.buffer = [];
    try {
      const snap = await request(this.socket, "snapshot", {});
      this.state = fromSnapshot(snap);
      this.me = { ...this.me, ...snap.agent };
      const buffered = this.buffer;
      this.buffer = null;
      for (const [name, p] of buffered) this.applyServer(name, p);
      this.connected = true;
      if (this.selected && !this.state.contacts[this.selected]) this.selected = null;
      if (!this.selected) this.selected = Object.keys(this.state.contacts)[0] || null;
      this.renderAll();
      for (const o of Object.values(this.state.offers)) this.autoAnswer(o);
      this.rejoinVideo();
    } catch (err) {
      this.buffer = null;
      this.toast((err && err.message) || "Could not load your work");
    }
  }

  // Fetch a fresh snapshot without touching the UI: what the snapshot-equals-events test compares.
  async freshSnapshot() {
    return fromSnapshot(await request(this.socket, "snapshot", {}));
  }

  async compareWithFresh() {
    const fresh = await this.freshSnapshot();
    return { live: normalize(this.state), fresh: normalize(fresh) };
  }

  onServer(name, p) {
    if (this.buffer) return this.buffer.push([name, p]);
    if (!this.state) return;
    this.applyServer(name, p);
    this.renderAll();
  }

  applyServer(name, p) {
    const effect = apply(this.state, name, p);
    if (this.mayday && name === "event") this.mayday.timeline(p);
    if (this.mayday && name === "contact.ended" && p.contact_id === this.mayday.contactId) this.endMayday();
    if (name === "offer") this.onOffer(p);
    if (name === "event" && p.type === "message") {
      delete this.typing[p.conversation_id];
      for (const cid of effect.fresh || []) {
        const item = this.state.contacts[cid];
        const mine = p.author && p.author.role === "agent" && p.author.id === this.me.id;
        if (mine) this.dropPending(cid, p.data && p.data.client_id);
        else if (cid !== this.selected || document.hidden) this.unread[cid] = (this.unread[cid] || 0) + 1;
        if (!mine && document.hidden) notify(`${customerName(item.customer)}`, (p.data && p.data.text) || "");
      }
    }
    if (name === "event" && p.type === "note") for (const cid of effect.fresh || []) this.dropPending(cid, p.data && p.data.client_id);
    if (name === "presence" && p.reason) this.toast(p.reason === "missed_offers" ? "You missed two offers in a row, so you were set to away." : `You are now ${p.status}: ${p.reason}`);
    if (name === "contact.ended") {
      const item = this.state.contacts[p.contact_id];
      if (item && p.reason !== "agent") this.toast(`The ${channelLabel(item.contact.channel).toLowerCase()} with ${customerName(item.customer)} ended (${(p.reason || "ended").replace("_", " ")}).`);
    }
  }

  dropPending(cid, clientId) {
    if (!clientId || !this.pending[cid]) return;
    this.pending[cid] = this.pending[cid].filter((m) => m.client_id !== clientId);
  }

  onOffer(o) {
    beep();
    const who = customerName(o.customer);
    notify(`${who} needs help (${channelLabel(o.channel)})`, "Press Alt+A to accept", () => this.accept(o.contact_id));
    this.autoAnswer(o);
  }

  autoAnswer(o) {
    if (o.channel === "video" && this.state.agent && this.state.agent.auto_answer) this.accept(o.contact_id);
  }

  // ---- Mayday: live video -------------------------------------------------------------------
  // The camera and microphone are opened once, at sign-in, so that accepting a video costs
  // nothing; they stay disabled (no picture, no sound leaves) until a session starts.
  warmMedia() {
    if (this.media || !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) return;
    const gum = (c) => navigator.mediaDevices.getUserMedia(c);
    const video = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } };
    this.media = gum({ video, audio: { echoCancellation: true, noiseSuppression: true } })
      .catch(() => gum({ video }))
      .catch(() => gum({ audio: true }))
      .then((m) => (this.idleMedia(m), m))
      .catch(() => {
        this.toast("No camera or microphone: video customers will hear and see nothing from you.");
        return null;
      });
  }

  idleMedia(m) {
    if (m && !this.mayday) for (const t of m.getTracks()) t.enabled = false;
  }

  // Signalling and screen view arrive from the moment the hub assigns the contact (rtc.config
  // first), possibly before offer.accept's ack: the session starts on rtc.config.
  onMayday(name, p) {
    if (name === "rtc.config" && (!this.mayday || this.mayday.contactId !== p.contact_id)) this.startMayday(p.contact_id);
    if (this.mayday && this.mayday.contactId === p.contact_id) this.mayday.handle(name, p);
  }

  // Back after a reload with a video session still live: open its view and ask the hub to
  // rejoin; its rtc.config (with rejoin) then makes the offer.
  rejoinVideo() {
    if (this.mayday) return;
    const item = Object.values(this.state.contacts).find((i) => i.contact.channel === "video" && i.contact.state === "assigned" && i.contact.agent_id === this.me.id);
    if (!item) return;
    const contactId = item.contact.id;
    this.startMayday(contactId);
    request(this.socket, "rtc.rejoin", { contact_id: contactId }).catch((err) => {
      if (this.mayday && this.mayday.contactId === contactId) this.endMayday();
      if (err.code !== "not_found") this.toast(err.message);
    });
  }

  startMayday(contactId) {
    this.endMayday();
    const item = this.state && this.state.contacts[contactId];
    const offer = this.state && this.state.offers[contactId];
    const who = customerName((item && item.customer) || (offer && offer.customer));
    this.mayday = new MaydayView({
      contactId,
      who,
      request: (name, payload) => request(this.socket, name, payload),
      media: this.media || Promise.resolve(null),
      onEnd: () => this.endVideo(contactId),
    });
    this.selected = contactId;
    this.tab = "inbox";
    if (this.state) this.renderAll();
  }

  endMayday() {
    if (!this.mayday) return;
    this.mayday.end();
    this.mayday = null;
    if (this.media) this.media.then((m) => this.idleMedia(m));
    if (this.state) this.renderAll();
  }

  // "End video": the contact ends for both sides (contact.end); the wrap-up can follow.
  async endVideo(contactId) {
    this.endMayday();
    try {
      await request(this.socket, "contact.end", { contact_id: contactId });
    } catch (err) {
      if (err.code !== "not_found") this.toast(err.message);
    }
  }

  // ---- actions -----------------------------------------------------------------------------
  async setPresence(status) {
    try {
      await request(this.socket, "presence", { status });
      this.state.presence = status;
      this.state.presenceReason = null;
      this.renderTop();
    } catch (err) {
      this.toast(err.message);
    }
  }

  async accept(contactId) {
    const offer = this.state.offers[contactId];
    if (!offer) return;
    offer.busy = true;
    this.renderOffers();
    try {
      const ack = await request(this.socket, "offer.accept", { contact_id: contactId });
      const item = addContact(
        this.state,
        { id: contactId, site_id: offer.site_id, channel: offer.channel, state: "assigned", conversation_id: ack.conversation_id || offer.conversation_id, phone: offer.phone, attempts: offer.attempts },
        ack.customer || offer.customer,
        ack.events || [],
      );
      this.selected = contactId;
      this.tab = "inbox";
      this.renderAll();
      // A site added since the snapshot: fetch its lists rather than show another site's.
      if (offer.site_id && !this.state.sites[offer.site_id]) this.refreshSites();
      const hist = await request(this.socket, "history", { conversation_id: item.contact.conversation_id, after_seq: 0 });
      for (const ev of hist.events || []) insertEvent(item, ev);
      this.renderAll();
      this.focusComposer();
    } catch (err) {
      delete this.state.offers[contactId];
      this.toast(err.code === "offer_expired" ? "Too late: that offer has expired." : err.message);
      this.renderAll();
    }
  }

  async refreshSites() {
    try {
      this.state.sites = (await this.freshSnapshot()).sites;
      this.renderAll();
    } catch (_) {
      /* offline: the top-level lists stand in until the next snapshot */
    }
  }

  async decline(contactId) {
    delete this.state.offers[contactId];
    this.renderAll();
    try {
      await request(this.socket, "offer.decline", { contact_id: contactId });
    } catch (_) {
      /* already gone */
    }
  }

  select(contactId) {
    this.saveDraft();
    this.selected = contactId;
    this.tab = "inbox";
    delete this.unread[contactId];
    this.renderAll();
    this.loadDraft();
    this.focusComposer();
  }

  saveDraft() {
    if (this.selected && this.input) this.drafts[this.selected] = this.input.value;
  }

  loadDraft() {
    if (this.input) this.input.value = this.drafts[this.selected] || "";
  }

  focusComposer() {
    if (this.input && !this.input.disabled) setTimeout(() => this.input.focus(), 0);
  }

  async send() {
    const item = this.state && this.state.contacts[this.selected];
    const text = this.input.value.trim();
    if (!item || !text) return;
    const note = this.noteMode;
    const clientId = newClientId();
    this.input.value = "";
    this.drafts[this.selected] = "";
    this.stopTyping(item);
    (this.pending[item.contact.id] = this.pending[item.contact.id] || []).push({ client_id: clientId, text, note });
    this.renderLog();
    const payload = { conversation_id: item.contact.conversation_id, client_id: clientId, text };
    try {
      await request(this.socket, note ? "note.add" : "message.send", payload);
    } catch (err) {
      this.dropPending(item.contact.id, clientId);
      this.input.value = text;
      this.toast(err.message || "Not sent");
      this.renderLog();
    }
  }

  onComposerInput() {
    const item = this.state.contacts[this.selected];
    if (!item || this.noteMode || !this.socket.connected) return;
    const now = Date.now();
    if (now - (this.sentTyping || 0) > 3000) {
      this.sentTyping = now;
      this.socket.volatile.emit("typing", { conversation_id: item.contact.conversation_id, typing: true });
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stopTyping(item), 4000);
  }

  stopTyping(item) {
    clearTimeout(this.idleTimer);
    if (this.sentTyping && this.socket.connected) this.socket.volatile.emit("typing", { conversation_id: item.contact.conversation_id, typing: false });
    this.sentTyping = 0;
  }

  async outcome(contactId, outcome) {
    try {
      await request(this.socket, "callback.outcome", { contact_id: contactId, outcome });
      // The hub ends the contact (reached, wrong number, last attempt) or requeues it for a retry.
      delete this.state.contacts[contactId];
      if (this.selected === contactId) this.selected = Object.keys(this.state.contacts)[0] || null;
      this.toast(outcome === "no_answer" ? "No answer recorded: a retry is scheduled if attempts remain." : "Outcome recorded.");
      this.renderAll();
    } catch (err) {
      this.toast(err.message);
    }
  }

  openWrapUp(contactId) {
    const item = this.state.contacts[contactId || this.selected];
    if (!item) return;
    this.wrapFor = item.contact.id;
    const dlg = $("wrapup");
    const sel = $("wrap-reason");
    sel.textContent = "";
    sel.append(h("option", { value: "" }, "Choose a reason…"));
    for (const r of siteLists(this.state, item.contact).reasons) sel.append(h("option", { value: r }, r));
    $("wrap-title").textContent = `Wrap up: ${customerName(item.customer)} · ${channelLabel(item.contact.channel)}`;
    const resolved = item.outcome ? item.outcome === "reached" : true;
    $("wrap-yes").checked = resolved;
    $("wrap-no").checked = !resolved;
    $("wrap-error").textContent = "";
    dlg.showModal();
    sel.focus();
  }

  async submitWrapUp(e) {
    e.preventDefault();
    const contactId = this.wrapFor;
    const reason = $("wrap-reason").value;
    const payload = { contact_id: contactId, resolved: $("wrap-yes").checked };
    if (reason) payload.reason = reason;
    try {
      await request(this.socket, "contact.end", payload);
    } catch (err) {
      const item = this.state.contacts[contactId];
      const gone = (item && item.contact.state === "ended") || ["not_found", "conflict"].includes(err.code);
      if (!gone) {
        $("wrap-error").textContent = err.message;
        return;
      }
    }
    $("wrapup").close();
    delete this.state.contacts[contactId];
    delete this.unread[contactId];
    delete this.pending[contactId];
    if (this.selected === contactId) this.selected = Object.keys(this.state.contacts)[0] || null;
    this.renderAll();
    this.loadDraft();
  }

  insertCanned(text) {
    const item = this.state.contacts[this.selected];
    const name = (item && item.customer.name) || "";
    const filled = text.replace(/\{name\}/g, name.split(" ")[0] || "").replace(/\{agent\}/g, this.me.name || "");
    const el = this.input;
    const at = el.selectionStart ?? el.value.length;
    el.value = el.value.slice(0, at) + filled + el.value.slice(el.selectionEnd ?? at);
    el.focus();
    el.selectionStart = el.selectionEnd = at + filled.length;
  }

  onKey(e) {
    if (!this.state) return;
    const offers = Object.values(this.state.offers).filter((o) => !o.busy);
    if (e.altKey && !e.ctrlKey && !e.metaKey) {
      const k = e.key.toLowerCase();
      const code = e.code || "";
      if ((k === "a" || code === "KeyA") && offers.length) {
        e.preventDefault();
        this.accept(offers[0].contact_id);
      } else if ((k === "d" || code === "KeyD") && offers.length) {
        e.preventDefault();
        this.decline(offers[0].contact_id);
      } else if ((k === "n" || code === "KeyN") && this.selected) {
        e.preventDefault();
        this.setNoteMode(!this.noteMode);
      } else if ((k === "e" || code === "KeyE") && this.selected) {
        e.preventDefault();
        this.openWrapUp();
      } else if (/^Digit[1-9]$/.test(code)) {
        const ids = Object.keys(this.state.contacts);
        const id = ids[Number(code.slice(5)) - 1];
        if (id) {
          e.preventDefault();
          this.select(id);
        }
      }
    }
  }

  openTab(id) {
    this.tab = id;
    this.renderAll();
    if (id === "callbacks") this.refreshCallbacks();
  }

  // The hub sends no live event when a callback is requested or rescheduled (see web/NEEDS.md),
  // so the callbacks list is re-read from a snapshot when shown, and every 10 s while shown.
  async refreshCallbacks() {
    try {
      const fresh = await this.freshSnapshot();
      this.state.callbacks = fresh.callbacks;
      this.lastCallbacksAt = Date.now();
      this.renderAll();
    } catch (_) {
      /* offline: the next refresh will do */
    }
  }

  setNoteMode(on) {
    this.noteMode = on;
    this.renderComposerMode();
    this.focusComposer();
  }

  tick() {
    if (!this.state) return;
    const now = Date.now();
    let changed = false;
    for (const o of Object.values(this.state.offers)) {
      const left = o.expires_in_ms - (now - o.received_at);
      if (left < -2000) {
        delete this.state.offers[o.contact_id]; // the hub's offer.revoked got lost; don't keep a ghost
        changed = true;
      }
    }
    if (this.tab === "callbacks" && this.connected && now - (this.lastCallbacksAt || 0) > 10000) {
      this.lastCallbacksAt = now;
      this.refreshCallbacks();
    }
    if (changed) this.renderAll();
    else this.renderCountdowns();
    for (const [cid, t] of Object.entries(this.typing)) if (t && t.until < now) (delete this.typing[cid], this.renderTyping());
  }

  toast(text) {
    const box = $("toasts");
    if (!box || !text) return;
    const el = h("div", { class: "toast", role: "status" }, text);
    box.append(el);
    setTimeout(() => el.remove(), 6000);
  }

  // ---- rendering -------------------------------------------------------------------------
  buildShell() {
    const app = $("app");
    app.textContent = "";
    this.top = h("header", { class: "top" });
    this.side = h("aside", { class: "side", "aria-label": "Offers and conversations" });
    this.center = h("main", { class: "center", id: "center" });
    this.right = h("aside", { class: "cust", "aria-label": "Customer" });
    app.append(this.top, h("div", { class: "layout" }, this.side, this.center, this.right), h("div", { id: "toasts", class: "toasts", "aria-live": "polite" }));
    app.append(this.buildWrapUp());

    // The conversation pane is built once so the composer keeps focus and text across renders.
    this.convHead = h("div", { class: "conv-head" });
    this.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
    this.typingEl = h("div", { class: "typing", hidden: true });
    this.input = h("textarea", { id: "composer", rows: "3", "aria-label": "Reply to the customer", placeholder: "Reply… (Enter to send, Shift+Enter for a new line)" });
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.send();
      }
    });
    this.input.addEventListener("input", () => this.onComposerInput());
    this.cannedSel = h("select", { class: "canned", "aria-label": "Insert a canned response" });
    this.cannedSel.addEventListener("change", () => {
      const i = this.cannedSel.value;
      const item = this.state.contacts[this.selected];
      const canned = i !== "" && item && siteLists(this.state, item.contact).canned[Number(i)];
      if (canned) this.insertCanned(canned.text);
      this.cannedSel.value = "";
    });
    this.replyTab = h("button", { type: "button", role: "tab", class: "mode", onclick: () => this.setNoteMode(false) }, "Reply");
    this.noteTab = h("button", { type: "button", role: "tab", class: "mode", title: "Alt+N", onclick: () => this.setNoteMode(true) }, "Private note");
    this.composer = h(
      "form",
      { class: "composer", onsubmit: (e) => (e.preventDefault(), this.send()) },
      h("div", { class: "composer-bar", role: "tablist", "aria-label": "Message kind" }, this.replyTab, this.noteTab, h("span", { class: "grow" }), this.cannedSel),
      this.input,
      h("div", { class: "composer-foot" }, h("span", { class: "muted small" }, "Alt+A accept · Alt+D decline · Alt+N note · Alt+E wrap up · Alt+1…9 switch"), h("button", { type: "submit", class: "primary" }, "Send")),
    );
    this.convPane = h("section", { class: "conv", "aria-labelledby": "conv-title" }, this.convHead, this.log, this.typingEl, this.composer);
  }

  buildWrapUp() {
    return h(
      "dialog",
      { id: "wrapup", class: "dialog", "aria-labelledby": "wrap-title" },
      h(
        "form",
        { method: "dialog", onsubmit: (e) => this.submitWrapUp(e) },
        h("h2", { id: "wrap-title" }, "Wrap up"),
        h("label", { for: "wrap-reason" }, "Contact reason"),
        h("select", { id: "wrap-reason" }),
        h(
          "fieldset",
          {},
          h("legend", {}, "Was the problem resolved?"),
          h("label", { class: "radio" }, h("input", { type: "radio", name: "resolved", id: "wrap-yes", value: "yes" }), " Yes"),
          h("label", { class: "radio" }, h("input", { type: "radio", name: "resolved", id: "wrap-no", value: "no" }), " No"),
        ),
        h("p", { id: "wrap-error", class: "error", role: "alert" }),
        h(
          "div",
          { class: "row end" },
          h("button", { type: "button", class: "ghost", onclick: () => $("wrapup").close() }, "Cancel"),
          h("button", { type: "submit", class: "primary", id: "wrap-submit" }, "End contact"),
        ),
      ),
    );
  }

  renderAll() {
    if (!this.state) return;
    this.renderTop();
    this.renderSide();
    this.renderCenter();
    this.renderCustomer();
    const total = Object.values(this.unread).reduce((a, b) => a + b, 0) + Object.keys(this.state.offers).length;
    document.title = (total ? `(${total}) ` : "") + "Lifeline console";
  }

  renderTop() {
    if (!this.top) return;
    const st = this.state;
    const presence = st ? st.presence : "offline";
    const sup = this.me && ["supervisor", "admin"].includes(this.me.role);
    const nCb = st ? Object.keys(st.callbacks).length : 0;
    const tab = (id, label) =>
      h("button", { type: "button", class: "tab" + (this.tab === id ? " on" : ""), "aria-current": this.tab === id ? "page" : null, onclick: () => this.openTab(id) }, label);
    const sel = h(
      "select",
      { id: "presence", class: "presence " + presence, "aria-label": "Your status", onchange: (e) => this.setPresence(e.target.value) },
      h("option", { value: "available", selected: presence === "available" }, "● Available"),
      h("option", { value: "away", selected: presence !== "available" }, "● Away"),
    );
    this.top.textContent = "";
    this.top.append(
      ...[
      h("div", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true" }), "Lifeline"),
      h("nav", { class: "tabs", "aria-label": "Views" }, tab("inbox", "Conversations"), tab("callbacks", nCb ? `Callbacks (${nCb})` : "Callbacks"), sup ? tab("supervisor", "Live queue") : null),
      h("span", { class: "grow" }),
      this.connected ? null : h("span", { class: "pill warn", role: "status" }, "Reconnecting…"),
      sel,
      h("span", { class: "me" }, h("span", { class: "avatar sm" }, initials(this.me && this.me.name)), (this.me && this.me.name) || ""),
      h("button", { type: "button", class: "ghost sm", onclick: () => this.logout() }, "Sign out"),
    ].filter(Boolean),
    );
  }

  renderSide() {
    const st = this.state;
    this.side.textContent = "";
    this.offersBox = h("section", { class: "offers", "aria-label": "Incoming", "aria-live": "assertive" });
    this.side.append(this.offersBox);
    this.renderOffers();
    const items = Object.values(st.contacts);
    const list = h("ul", { class: "convs", "aria-label": "Your conversations" });
    items.forEach((item, i) => {
      const c = item.contact;
      const last = [...item.events].reverse().find((e) => e.type === "message");
      const n = this.unread[c.id] || 0;
      list.append(
        h(
          "li",
          {},
          h(
            "button",
            { type: "button", class: "conv-item" + (c.id === this.selected && this.tab === "inbox" ? " on" : "") + (c.state === "ended" ? " ended" : ""), "aria-current": c.id === this.selected ? "true" : null, "data-contact": c.id, onclick: () => this.select(c.id), title: i < 9 ? `Alt+${i + 1}` : null },
            h("span", { class: "avatar" }, initials(customerName(item.customer))),
            h(
              "span",
              { class: "ci-main" },
              h("span", { class: "ci-top" }, h("b", {}, customerName(item.customer)), h("span", { class: "chan", html: icons[c.channel] || "", title: channelLabel(c.channel) })),
              h("span", { class: "ci-last" }, c.state === "ended" ? "Ended · wrap up" : last ? last.data.text : channelLabel(c.channel)),
            ),
            n ? h("span", { class: "count", "aria-label": `${n} unread` }, String(n)) : null,
          ),
        ),
      );
    });
    this.side.append(h("h2", { class: "side-h" }, "Conversations ", h("span", { class: "muted" }, String(items.length))), items.length ? list : h("p", { class: "empty" }, st.presence === "available" ? "Waiting for the next customer…" : "You are away. Set yourself available to receive contacts."));
  }

  renderOffers() {
    if (!this.offersBox) return;
    this.offersBox.textContent = "";
    for (const o of Object.values(this.state.offers)) {
      const who = customerName(o.customer);
      const bar = h("span", { class: "bar" });
      const secs = h("span", { class: "secs" });
      const card = h(
        "div",
        { class: "offer " + o.channel, role: "alertdialog", "aria-label": `Incoming ${channelLabel(o.channel)} from ${who}`, "data-offer": o.contact_id },
        h("div", { class: "offer-top" }, h("span", { class: "chan big", html: icons[o.channel] || "" }), h("div", {}, h("b", {}, who), h("div", { class: "small" }, `${channelLabel(o.channel)} · waited ${fmtWait(o.waited_ms / 1000)}`)), secs),
        o.text || o.preview ? h("p", { class: "offer-text" }, o.text || o.preview) : null,
        o.phone ? h("p", { class: "offer-text" }, o.phone) : null,
        h("div", { class: "timer" }, bar),
        h(
          "div",
          { class: "row" },
          h("button", { type: "button", class: "primary grow", disabled: o.busy, onclick: () => this.accept(o.contact_id), "aria-keyshortcuts": "Alt+A" }, "Accept ", h("kbd", {}, "Alt+A")),
          h("button", { type: "button", class: "ghost", disabled: o.busy, onclick: () => this.decline(o.contact_id), "aria-keyshortcuts": "Alt+D" }, "Decline"),
        ),
      );
      card._offer = o;
      card._bar = bar;
      card._secs = secs;
      this.offersBox.append(card);
    }
    this.renderCountdowns();
  }

  renderCountdowns() {
    if (!this.offersBox) return;
    const now = Date.now();
    for (const card of this.offersBox.children) {
      const o = card._offer;
      const left = Math.max(0, o.expires_in_ms - (now - o.received_at));
      card._bar.style.width = `${(100 * left) / Math.max(1, o.expires_in_ms)}%`;
      card._secs.textContent = `${Math.ceil(left / 1000)}s`;
    }
  }

  renderCenter() {
    // The live video stage is never taken out of the page while it lives: moving an <iframe>
    // reloads it, and the replay would be lost. It is only shown or hidden.
    const stage = this.mayday && this.mayday.el;
    for (const child of [...this.center.children]) if (child !== stage) child.remove();
    if (stage) {
      if (stage.parentNode !== this.center) this.center.prepend(stage);
      stage.hidden = !(this.tab === "inbox" && this.selected === this.mayday.contactId);
    }
    this.center.classList.toggle("with-stage", !!stage && !stage.hidden);
    if (this.tab === "callbacks") return this.center.append(this.renderCallbacks());
    if (this.tab === "supervisor") return this.center.append(this.renderSupervisor());
    const item = this.state.contacts[this.selected];
    if (!item) {
      this.center.append(
        h("div", { class: "blank" }, h("div", { class: "blank-icon", html: icons.chat }), h("h2", {}, "No conversation selected"), h("p", { class: "muted" }, "New contacts appear on the left with a sound. Accept with Alt+A.")),
      );
      return;
    }
    this.renderConvHead(item);
    this.renderLog();
    this.renderComposerMode();
    this.renderTyping();
    const ended = item.contact.state === "ended";
    this.input.disabled = ended;
    this.cannedSel.textContent = "";
    this.cannedSel.append(h("option", { value: "" }, "Canned responses…"));
    siteLists(this.state, item.contact).canned.forEach((c, i) => this.cannedSel.append(h("option", { value: String(i) }, c.title)));
    this.center.append(this.convPane);
  }

  renderConvHead(item) {
    const c = item.contact;
    const ended = c.state === "ended";
    const parts = [
      h("div", { class: "grow" }, h("h2", { id: "conv-title" }, customerName(item.customer)), h("div", { class: "small muted" }, `${channelLabel(c.channel)} · ${ended ? "ended" : "in progress"}`)),
    ];
    if (c.channel === "callback") {
      parts.push(
        h(
          "div",
          { class: "callbar" },
          c.phone ? h("a", { class: "primary call", href: `tel:${c.phone}`, html: icons.callback + `<span>Call ${c.phone}</span>` }) : null,
          item.outcome ? h("span", { class: "pill" }, `Outcome: ${item.outcome.replace("_", " ")}`) : null,
          ...(item.outcome
            ? []
            : [
                ["reached", "Reached"],
                ["no_answer", "No answer"],
                ["wrong_number", "Wrong number"],
              ].map(([v, label]) => h("button", { type: "button", class: "ghost", "data-outcome": v, onclick: () => this.outcome(c.id, v) }, label))),
        ),
      );
    }
    parts.push(h("button", { type: "button", class: ended ? "primary" : "ghost", id: "wrapup-open", onclick: () => this.openWrapUp(c.id), title: "Alt+E" }, ended ? "Wrap up" : "End & wrap up"));
    this.convHead.textContent = "";
    this.convHead.append(...parts);
  }

  renderLog() {
    const item = this.state && this.state.contacts[this.selected];
    if (!item || !this.log) return;
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    this.log.textContent = "";
    let lastKey = null;
    for (const ev of item.events) {
      const a = ev.author || {};
      const d = ev.data || {};
      if (ev.type === "message" || ev.type === "note") {
        const mine = a.role === "agent" || a.role === "supervisor";
        const key = ev.type + (a.id || a.role);
        if (key !== lastKey) this.log.append(h("div", { class: "who" + (mine ? " mine" : "") }, ev.type === "note" ? `Private note · ${a.name || "agent"}` : a.role === "customer" ? customerName(item.customer) : a.name || "Agent", h("span", { class: "ts" }, fmtTime(ev.ts))));
        lastKey = key;
        this.log.append(h("div", { class: "bubble " + (ev.type === "note" ? "note" : mine ? "mine" : "theirs"), "data-seq": ev.seq }, d.text || ""));
      } else {
        lastKey = null;
        const text = describeEvent(ev);
        if (text) this.log.append(h("div", { class: "sys", "data-seq": ev.seq }, text, h("span", { class: "ts" }, fmtTime(ev.ts))));
      }
    }
    for (const m of this.pending[item.contact.id] || []) this.log.append(h("div", { class: "bubble pending " + (m.note ? "note" : "mine") }, m.text));
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }

  renderTyping() {
    const item = this.state && this.state.contacts[this.selected];
    const t = item && this.typing[item.contact.conversation_id];
    if (!this.typingEl) return;
    this.typingEl.hidden = !t;
    this.typingEl.textContent = t ? `${customerName(item.customer)} is typing…` : "";
  }

  renderComposerMode() {
    this.replyTab.classList.toggle("on", !this.noteMode);
    this.noteTab.classList.toggle("on", this.noteMode);
    this.replyTab.setAttribute("aria-selected", String(!this.noteMode));
    this.noteTab.setAttribute("aria-selected", String(this.noteMode));
    this.composer.classList.toggle("noting", this.noteMode);
    this.input.placeholder = this.noteMode ? "Private note: only agents see it" : "Reply… (Enter to send, Shift+Enter for a new line)";
    this.input.setAttribute("aria-label", this.noteMode ? "Private note for agents" : "Reply to the customer");
  }

  renderCustomer() {
    this.right.textContent = "";
    const item = this.tab === "inbox" && this.state.contacts[this.selected];
    if (!item) return (this.right.hidden = true);
    this.right.hidden = false;
    const cu = item.customer;
    const ids = h("ul", { class: "ids" });
    for (const idf of cu.identifiers || []) {
      ids.append(
        h(
          "li",
          {},
          h("span", { class: "kind" }, idf.kind),
          h("span", { class: "val" }, idf.value),
          idf.verified ? h("span", { class: "ok", title: "Verified by the shop's signature" }, "✓ verified") : h("span", { class: "unv", title: "Claimed, not verified" }, "unverified"),
        ),
      );
    }
    const page = cu.page;
    const tl = h("ol", { class: "tl" });
    for (const ev of item.events) {
      const who = ev.author && ev.author.role === "customer" ? customerName(cu) : (ev.author && ev.author.name) || "Agent";
      const text = ev.type === "message" || ev.type === "note" ? `${ev.type === "note" ? "Note · " : ""}${who}: ${ev.data.text}` : describeEvent(ev);
      if (text) tl.append(h("li", { class: "tl-" + ev.type.replace(/\./g, "-") }, h("span", { class: "ts" }, fmtTime(ev.ts, true)), h("span", {}, text)));
    }
    this.right.append(
      h("div", { class: "cust-head" }, h("span", { class: "avatar lg" }, initials(customerName(cu))), h("div", {}, h("h2", {}, customerName(cu)), h("div", { class: "small muted" }, cu.name ? "" : "Anonymous visitor"))),
      h("h3", {}, "Identifiers"),
      (cu.identifiers || []).length ? ids : h("p", { class: "muted small" }, "Anonymous visitor"),
      h("h3", {}, "Current page"),
      page && page.url ? h("a", { class: "page", href: page.url, target: "_blank", rel: "noopener" }, page.title || page.url) : h("p", { class: "muted small" }, "Unknown"),
      h("h3", {}, "Timeline"),
      tl,
    );
  }

  renderCallbacks() {
    const rows = Object.values(this.state.callbacks).sort((a, b) => (a.next_attempt_at || a.not_before || 0) > (b.next_attempt_at || b.not_before || 0) ? 1 : -1);
    const now = Date.now();
    const table = h(
      "table",
      { class: "grid" },
      h("thead", {}, h("tr", {}, ...["Customer", "Phone", "Status", "Attempts", "Next attempt"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        rows.map((c) => {
          const next = c.next_attempt_at || c.not_before;
          const due = !next || new Date(typeof next === "number" ? next * 1000 : next).getTime() <= now;
          return h(
            "tr",
            {},
            h("td", {}, customerName(c.customer || { id: c.customer_id, name: c.customer_name })),
            h("td", {}, c.phone ? h("a", { href: `tel:${c.phone}` }, c.phone) : "—"),
            h("td", {}, h("span", { class: "pill " + (due ? "due" : "") }, due ? "due" : c.status || c.state || "scheduled")),
            h("td", {}, String(c.attempts || 0)),
            h("td", {}, next ? fmtTime(next, true) : "as soon as possible"),
          );
        }),
      ),
    );
    return h(
      "section",
      { class: "page-pad" },
      h("h2", {}, "Callbacks"),
      h("p", { class: "muted" }, "Due callbacks are offered to available agents like any contact; accept one to dial it and record the outcome. A “no answer” is retried automatically."),
      rows.length ? table : h("p", { class: "empty" }, "No callbacks waiting."),
    );
  }

  renderSupervisor() {
    const q = this.state.queue || { waiting: {}, longest_wait_s: {} };
    const cards = ["chat", "video", "callback"].map((ch) =>
      h(
        "div",
        { class: "stat", "data-channel": ch },
        h("div", { class: "stat-h" }, h("span", { class: "chan", html: icons[ch] }), channelLabel(ch)),
        h("div", { class: "stat-n" }, String((q.waiting || {})[ch] || 0)),
        h("div", { class: "small muted" }, `waiting · longest ${fmtWait(((q.longest_wait_s || {})[ch] || 0))}`),
      ),
    );
    const agents = Object.values(this.state.agents || {}).sort((a, b) => (a.name > b.name ? 1 : -1));
    const table = h(
      "table",
      { class: "grid" },
      h("thead", {}, h("tr", {}, ...["Agent", "Status", "Chat", "Video", "Callback"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        agents.map((a) =>
          h(
            "tr",
            { "data-agent": a.id },
            h("td", {}, h("span", { class: "avatar sm" }, initials(a.name)), " ", a.name),
            h("td", {}, h("span", { class: "pill " + a.status }, a.status)),
            ...["chat", "video", "callback"].map((ch) => h("td", {}, String((a.load || {})[ch] || 0))),
          ),
        ),
      ),
    );
    return h("section", { class: "page-pad" }, h("h2", {}, "Live queue"), h("div", { class: "stats" }, cards), h("h2", {}, "Agents"), agents.length ? table : h("p", { class: "empty" }, "No agents."));
  }
}

new Console().start();
