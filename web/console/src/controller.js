// The console's controller: signs in, loads a snapshot, applies the hub's events to the state
// (state.js), has the view (view.js) show it, and turns what the agent does into requests.
import { login, logoutToken, connect, request } from "./net.js";
import { fromSnapshot, apply, addContact, insertEvent, normalize, siteLists, expireOffers } from "./state.js";
import { unlockAudio, beep, askNotificationPermission, notify } from "./alert.js";
import { channelLabel, customerName, describeEvent } from "./format.js";
import { ConsoleView } from "./view.js";
import { VideoDesk } from "./video.js";
import * as E from "../../shared/events.js";
import { shortcut } from "./keys.js";
import { ReportsPanel } from "./reports.js";
import { TeamPanel } from "./team.js";
import { TransferDesk } from "./transfer.js";
import { HistoryDesk } from "./history.js";

const TOKEN = "lifeline:console:token";

function newClientId() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
}

// What the sign-in page says when the hub ended the session (session.ended's reason).
const SESSION_ENDED_TEXT = {
  logged_out: "You were signed out (from this or another window). Please sign in again.",
  revoked: "Your session was ended: your password, role or account changed. Please sign in again.",
  expired: "Your session has expired. Please sign in again.",
};

export class Console {
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
    this.view = new ConsoleView(this);
    this.video = new VideoDesk(this);
    this.reports = new ReportsPanel(this); // the supervisor's figures, below the live queue
    this.team = new TeamPanel(this); // the supervisor's team and webhooks
    this.transfer = new TransferDesk(this); // Transfer, and supervisors' Watch
    this.history = new HistoryDesk(this); // the customer's past contacts, and search
    window.lifelineConsole = this; // for tests and curious developers
  }

  // The live video session (MaydayView), one at a time.
  get mayday() {
    return this.video.session;
  }

  start() {
    const saved = sessionStorage.getItem(TOKEN);
    if (saved) {
      const { token, agent } = JSON.parse(saved);
      this.begin(token, agent);
    } else this.view.showLogin();
    this.view.onLoginSubmit((e) => this.onLogin(e));
    document.addEventListener("keydown", (e) => shortcut(this, e));
    setInterval(() => this.tick(), 250);
  }

  async onLogin(e) {
    e.preventDefault();
    unlockAudio();
    askNotificationPermission();
    const btn = e.target.querySelector("button");
    btn.disabled = true;
    try {
      const { email, password } = this.view.credentials();
      const res = await login(email, password);
      sessionStorage.setItem(TOKEN, JSON.stringify({ token: res.token, agent: res.agent }));
      this.begin(res.token, res.agent);
    } catch (err) {
      this.view.loginError((err && err.message) || "Could not sign in");
    } finally {
      btn.disabled = false;
    }
  }

  // Sign out here: the hub revokes the token (other windows with it are signed out too).
  logout() {
    if (this.token) logoutToken(this.token);
    this.endSession();
  }

  // The hub ended this socket's session (signed out elsewhere, revoked, expired): back to the
  // sign-in page, saying why.
  endSession(message) {
    this.video.end();
    this.video.releaseMedia();
    sessionStorage.removeItem(TOKEN);
    if (this.socket) this.socket.disconnect();
    this.socket = null;
    this.state = null;
    this.token = null;
    this.view.showLogin(message);
  }

  begin(token, agent) {
    this.me = agent;
    this.token = token; // the REST reports take it as a bearer token
    this.team = new TeamPanel(this); // nothing of the last agent's team stays
    this.history = new HistoryDesk(this); // nor of their searches
    this.view.showApp();
    this.view.buildShell();
    this.video.warmMedia();
    document.addEventListener("pointerdown", unlockAudio, { once: true });
    const s = (this.socket = connect(token));
    s.on("connect", () => this.loadSnapshot());
    s.on("disconnect", () => {
      this.connected = false;
      this.view.renderTop();
    });
    s.on("connect_error", () => {
      if (!s.active) {
        sessionStorage.removeItem(TOKEN);
        this.view.showLogin("Your session has expired. Please sign in again.");
      }
    });
    s.on(E.SESSION_ENDED, (p) => this.endSession(SESSION_ENDED_TEXT[p && p.reason] || SESSION_ENDED_TEXT.expired));
    for (const name of E.AGENT_STATE_EVENTS) s.on(name, (p) => this.onServer(name, p));
    for (const name of E.MAYDAY_TO_AGENT) s.on(name, (p) => this.video.onServer(name, p));
    s.on(E.TYPING, (p) => {
      if (p.role === "agent") return;
      this.typing[p.conversation_id] = p.typing ? { until: Date.now() + 8000 } : null;
      this.view.renderTyping();
    });
  }

  async loadSnapshot() {
    this.buffer = [];
    try {
      const snap = await request(this.socket, E.SNAPSHOT, {});
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
      this.video.rejoin();
    } catch (err) {
      this.buffer = null;
      this.toast((err && err.message) || "Could not load your work");
    }
  }

  // Fetch a fresh snapshot without touching the UI: what the snapshot-equals-events test compares.
  async freshSnapshot() {
    return fromSnapshot(await request(this.socket, E.SNAPSHOT, {}));
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
    // The figures follow the contacts' ends (an agent's load, the queue) and the survey
    // answers, debounced.
    // The team view follows every agent's presence, load and listing.
    if (name === E.AGENT_UPDATED) this.team.onAgentUpdated(p);
    if (this.tab === "supervisor" && [E.QUEUE_UPDATED, E.AGENT_UPDATED, E.CONTACT_ENDED, E.SURVEY_ANSWERED].includes(name)) this.reports.schedule();
    if (this.tab === "supervisor" && [E.QUEUE_UPDATED, E.AGENT_UPDATED].includes(name)) this.transfer.schedule();
  }

  applyServer(name, p) {
    const effect = apply(this.state, name, p);
    if (this.mayday && name === E.EVENT) this.mayday.timeline(p);
    if (this.mayday && name === E.CONTACT_ENDED && p.contact_id === this.mayday.contactId) this.video.end();
    if (name === E.OFFER) this.onOffer(p);
    if (name === E.EVENT && p.type === "contact.transferred") {
      const d = p.data || {};
      if (d.from && d.from.id === this.me.id && p.author && p.author.id !== this.me.id) this.toast(`${p.author.name} moved your conversation ${d.to ? `to ${d.to.name}` : "back to the queue"}.`);
      this.transfer.gone(d.contact_id);
    }
    if (name === E.ANDON) {
      beep();
      this.toast(`Line stopped: ${p.product} · ${p.reason}`);
    }
    // A survey answer for a contact no longer on screen (wrapped up already): said in a toast.
    if (name === E.EVENT && p.type === "survey" && !(effect.fresh || []).length) this.toast(`A customer answered the survey: ${describeEvent(p).replace(/^Survey: /, "")}`);
    if (name === E.EVENT && p.type === "message") {
      delete this.typing[p.conversation_id];
      for (const cid of effect.fresh || []) {
        const item = this.state.contacts[cid];
        const mine = p.author && p.author.role === "agent" && p.author.id === this.me.id;
        if (mine) this.dropPending(cid, p.data && p.data.client_id);
        else if (cid !== this.selected || document.hidden) this.unread[cid] = (this.unread[cid] || 0) + 1;
        if (!mine && document.hidden) notify(`${customerName(item.customer)}`, (p.data && p.data.text) || "");
      }
    }
    if (name === E.EVENT && p.type === "note") for (const cid of effect.fresh || []) this.dropPending(cid, p.data && p.data.client_id);
    if (name === E.PRESENCE && p.set_by) this.toast(`${p.set_by.name} set you to ${p.status}${p.reason ? ": " + p.reason : ""}.`);
    else if (name === E.PRESENCE && p.reason) this.toast(p.reason === "missed_offers" ? "You missed two offers in a row, so you were set to away." : `You are now ${p.status}: ${p.reason}`);
    if (name === E.CONTACT_ENDED) {
      const item = this.state.contacts[p.contact_id];
      // "ended" is an agent's own end (protocol.md); the others are news to the agent.
      if (item && !["agent", "ended"].includes(p.reason)) this.toast(`The ${channelLabel(item.contact.channel).toLowerCase()} with ${customerName(item.customer)} ended (${(p.reason || "ended").replace("_", " ")}).`);
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

  // The offer says whether to answer it without a click (the agent's auto-answer as the hub
  // has it now, changed by an admin since the snapshot perhaps); an older hub's offer does not.
  autoAnswer(o) {
    const auto = "auto_answer" in o ? o.auto_answer : this.state.agent && this.state.agent.auto_answer;
    if (o.channel === "video" && auto) this.accept(o.contact_id);
  }

  renderAll() {
    this.view.renderAll();
  }

  toast(text) {
    this.view.toast(text);
  }

  // ---- actions -----------------------------------------------------------------------------
  async setPresence(status) {
    try {
      await request(this.socket, E.PRESENCE, { status });
      this.state.presence = status;
      this.state.presenceReason = null;
      this.view.renderTop();
    } catch (err) {
      this.toast(err.message);
    }
  }

  async accept(contactId) {
    const offer = this.state.offers[contactId];
    if (!offer) return;
    offer.busy = true;
    this.view.renderOffers();
    try {
      const ack = await request(this.socket, E.OFFER_ACCEPT, { contact_id: contactId });
      const item = addContact(
        this.state,
        { id: contactId, site_id: offer.site_id, channel: offer.channel, state: "assigned", conversation_id: ack.conversation_id || offer.conversation_id, phone: offer.phone, attempts: offer.attempts, follow_up: offer.follow_up, follow_up_of: offer.follow_up ? offer.follow_up.of : undefined },
        ack.customer || offer.customer,
        ack.events || [],
      );
      // The reply being written to the last conversation stays with it, not with this one.
      this.saveDraft();
      this.selected = contactId;
      this.tab = "inbox";
      this.renderAll();
      this.loadDraft();
      // A site added since the snapshot: fetch its lists rather than show another site's.
      if (offer.site_id && !this.state.sites[offer.site_id]) this.refreshSites();
      const hist = await request(this.socket, E.HISTORY, { conversation_id: item.contact.conversation_id, after_seq: 0 });
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
      await request(this.socket, E.OFFER_DECLINE, { contact_id: contactId });
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
    if (this.selected && this.view.input) this.drafts[this.selected] = this.view.input.value;
  }

  loadDraft() {
    if (this.view.input) this.view.input.value = this.drafts[this.selected] || "";
  }

  focusComposer() {
    const input = this.view.input;
    if (input && !input.disabled) setTimeout(() => input.focus(), 0);
  }

  async send() {
    const input = this.view.input;
    const item = this.state && this.state.contacts[this.selected];
    const text = input.value.trim();
    // Sent with the button or with Enter, the agent goes on typing in the reply box.
    if (!input.disabled) input.focus();
    if (!item || !text) return;
    const note = this.noteMode;
    const clientId = newClientId();
    input.value = "";
    this.drafts[this.selected] = "";
    this.stopTyping(item);
    (this.pending[item.contact.id] = this.pending[item.contact.id] || []).push({ client_id: clientId, text, note });
    this.view.renderLog();
    const payload = { conversation_id: item.contact.conversation_id, client_id: clientId, text };
    try {
      await request(this.socket, note ? E.NOTE_ADD : E.MESSAGE_SEND, payload);
    } catch (err) {
      this.dropPending(item.contact.id, clientId);
      input.value = text;
      this.toast(err.message || "Not sent");
      this.view.renderLog();
    }
  }

  onComposerInput() {
    const item = this.state.contacts[this.selected];
    if (!item || this.noteMode || !this.socket.connected) return;
    const now = Date.now();
    if (now - (this.sentTyping || 0) > 3000) {
      this.sentTyping = now;
      this.socket.volatile.emit(E.TYPING, { conversation_id: item.contact.conversation_id, typing: true });
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stopTyping(item), 4000);
  }

  stopTyping(item) {
    clearTimeout(this.idleTimer);
    if (this.sentTyping && this.socket.connected) this.socket.volatile.emit(E.TYPING, { conversation_id: item.contact.conversation_id, typing: false });
    this.sentTyping = 0;
  }

  async outcome(contactId, outcome) {
    try {
      await request(this.socket, E.CALLBACK_OUTCOME, { contact_id: contactId, outcome });
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
    if (!item || item.watching) return;
    this.wrapFor = item.contact.id;
    this.view.openWrapUp(item, siteLists(this.state, item.contact).reasons);
  }

  async submitWrapUp(e) {
    e.preventDefault();
    const contactId = this.wrapFor;
    const { reason, resolved, product } = this.view.wrapUpValues();
    const payload = { contact_id: contactId, resolved };
    if (reason) payload.reason = reason;
    if (product) payload.product = product;
    try {
      await request(this.socket, E.CONTACT_END, payload);
    } catch (err) {
      const item = this.state.contacts[contactId];
      const gone = (item && item.contact.state === "ended") || ["not_found", "conflict"].includes(err.code);
      if (!gone) {
        this.view.wrapUpError(err.message);
        return;
      }
    }
    this.view.closeWrapUp();
    delete this.state.contacts[contactId];
    delete this.unread[contactId];
    delete this.pending[contactId];
    if (this.selected === contactId) this.selected = Object.keys(this.state.contacts)[0] || null;
    this.renderAll();
    this.loadDraft();
  }

  // "Stop the line" from the wrap-up: any agent may raise an andon for the contact's product.
  async raiseAndon() {
    const contactId = this.wrapFor;
    const { reason, product } = this.view.wrapUpValues();
    if (!reason || !product) return this.view.wrapUpError("Choose the contact reason and name the product to stop the line.");
    try {
      const ack = await request(this.socket, E.ANDON_RAISE, { contact_id: contactId, product, reason });
      const f = ack.flag || { product, reason };
      this.view.wrapUpAndonDone(`Line stopped for ${f.product} (${f.reason}): the supervisors are told.`);
    } catch (err) {
      this.view.wrapUpError(err.message || "Could not stop the line");
    }
  }

  // Supervisors: put a product back on sale (andon.clear); andon.cleared takes it off the banner.
  async clearAndon(flagId) {
    const f = this.state.flags[flagId];
    if (!f) return;
    try {
      await request(this.socket, E.ANDON_CLEAR, { site: f.site, product: f.product, reason: f.reason });
      delete this.state.flags[flagId];
    } catch (err) {
      if (err.code === "not_found") delete this.state.flags[flagId];
      else this.toast(err.message);
    }
    this.renderAll();
  }

  insertCanned(text) {
    const item = this.state.contacts[this.selected];
    const name = (item && item.customer.name) || "";
    const filled = text.replace(/\{name\}/g, name.split(" ")[0] || "").replace(/\{agent\}/g, this.me.name || "");
    const el = this.view.input;
    const at = el.selectionStart ?? el.value.length;
    el.value = el.value.slice(0, at) + filled + el.value.slice(el.selectionEnd ?? at);
    el.focus();
    el.selectionStart = el.selectionEnd = at + filled.length;
  }

  openTab(id) {
    this.tab = id;
    this.renderAll();
    if (id === "callbacks") this.refreshCallbacks();
    if (id === "supervisor") this.reports.refresh();
    if (id === "supervisor") this.transfer.refresh();
    if (id === "team") this.team.show();
  }

  // The callbacks list is re-read from a snapshot when shown, and every 10 s while shown.
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
    this.view.renderComposerMode();
    this.focusComposer();
  }

  tick() {
    if (!this.state) return;
    const now = Date.now();
    const changed = expireOffers(this.state, now);
    if (this.tab === "callbacks" && this.connected && now - (this.lastCallbacksAt || 0) > 10000) {
      this.lastCallbacksAt = now;
      this.refreshCallbacks();
    }
    if (this.tab === "team" && this.connected) this.team.tick(now);
    if (changed) this.renderAll();
    else this.view.renderCountdowns();
    this.view.renderWaits();
    for (const [cid, t] of Object.entries(this.typing)) if (t && t.until < now) (delete this.typing[cid], this.view.renderTyping());
  }
}
