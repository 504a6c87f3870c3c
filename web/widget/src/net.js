// All of the widget's network code: one socket.io connection to the hub's /customer namespace,
// the visitor token, the timeline (deduplicated by seq) and resuming after a reconnect.
import { io } from "socket.io-client";
import { CONTACT_CANCEL, CONTACT_REQUEST, EVENT, HISTORY, IDENTIFY, MESSAGE_SEND, SESSION, SURVEY_ANSWER, TO_CUSTOMER } from "../../shared/events.js";

const KEY = (siteKey) => `lifeline:${siteKey}:visitor`;

export function readToken(siteKey) {
  try {
    return window.localStorage.getItem(KEY(siteKey));
  } catch (_) {
    return null; // storage blocked (private mode, sandboxed iframe): a fresh visitor each time
  }
}

function writeToken(siteKey, token) {
  try {
    if (token) window.localStorage.setItem(KEY(siteKey), token);
  } catch (_) {
    /* same as above */
  }
}

export function newClientId() {
  const c = window.crypto;
  if (c && c.randomUUID) return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export class Connection {
  constructor({ hubUrl, siteKey, listener }) {
    this.siteKey = siteKey;
    this.listener = listener; // (name, payload) => void
    this.session = null;
    this.conversationId = null;
    this.events = new Map(); // seq -> event, for the current conversation
    this.lastSeq = 0;
    this.identity = null;
    this.fetching = null;
    this.refused = false;
    this.socket = io(`${hubUrl}/customer`, {
      path: "/socket.io/",
      transports: ["websocket", "polling"],
      auth: (cb) => cb({ site_key: siteKey, visitor_token: readToken(siteKey) }),
      // Every emit waits for its ack and is sent again after a reconnect until acknowledged:
      // message.send is idempotent by client_id, so this is at-least-once without duplicates.
      retries: 20,
      ackTimeout: 10000,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.bind();
  }

  bind() {
    const s = this.socket;
    s.on(SESSION, (p) => this.onSession(p));
    s.on(EVENT, (ev) => this.onEvent(ev));
    s.on("disconnect", (reason) => this.listener("connection", { state: "reconnecting", reason }));
    s.on("connect_error", (err) => {
      // A refusal by the server itself (unknown site, origin not allowed) is final: socket.io
      // does not retry it. A network error is retried with back-off.
      if (!s.active) {
        this.refused = true;
        this.listener("refused", { message: err && err.message, data: err && err.data });
      } else {
        this.listener("connection", { state: "reconnecting" });
      }
    });
    // The rest (contacts, typing, Mayday) go to the widget as they are.
    for (const name of TO_CUSTOMER) {
      s.on(name, (p) => this.listener(name, p));
    }
  }

  async onSession(p) {
    this.session = p;
    writeToken(this.siteKey, p.visitor_token);
    this.listener("connection", { state: "online", session: p });
    if (this.identity) {
      // Re-assert a signed identity on every new session: identify is idempotent.
      try {
        await this.sendIdentify(this.identity);
      } catch (_) {
        /* reported by sendIdentify */
      }
    } else if (p.conversation_id) {
      this.switchTo(p.conversation_id);
    }
    await this.fetchHistory();
    this.listener("ready", p);
  }

  switchTo(conversationId) {
    if (conversationId === this.conversationId) return false;
    this.conversationId = conversationId;
    this.events = new Map();
    this.lastSeq = 0;
    this.listener("reset", { conversation_id: conversationId });
    return true;
  }

  // Ask for everything after the last seq we saw; overlapping calls share one request.
  fetchHistory() {
    if (!this.conversationId) return Promise.resolve();
    if (this.fetching) return this.fetching;
    const cid = this.conversationId;
    this.fetching = this.request(HISTORY, { conversation_id: cid, after_seq: this.lastSeq })
      .then((ack) => {
        if (cid === this.conversationId) for (const ev of ack.events || []) this.add(ev);
      })
      .catch(() => {})
      .finally(() => {
        this.fetching = null;
      });
    return this.fetching;
  }

  onEvent(ev) {
    if (!ev || typeof ev.seq !== "number") return;
    if (!this.conversationId) this.switchTo(ev.conversation_id);
    if (ev.conversation_id !== this.conversationId) return;
    const gap = ev.seq > this.lastSeq + 1 && this.lastSeq > 0;
    this.add(ev);
    // An event past a gap means we missed some (agents' private notes also leave gaps):
    // ask for the rest; seen seqs are dropped.
    if (gap) this.fetchHistory();
  }

  add(ev) {
    if (this.events.has(ev.seq)) return;
    this.events.set(ev.seq, ev);
    if (ev.seq > this.lastSeq) this.lastSeq = ev.seq;
    this.listener(EVENT, ev);
  }

  timeline() {
    return [...this.events.values()].sort((a, b) => a.seq - b.seq);
  }

  // Emit with an ack; resolves with the ack when ok, rejects with its error otherwise.
  request(name, payload) {
    return new Promise((resolve, reject) => {
      this.socket.emit(name, payload, (err, ack) => {
        if (err) return reject({ code: "timeout", message: String(err) });
        if (ack && ack.ok) resolve(ack);
        else reject((ack && ack.error) || { code: "error", message: "no ack" });
      });
    });
  }

  async sendIdentify(identity) {
    this.identity = identity;
    try {
      const ack = await this.request(IDENTIFY, identity);
      if (ack.conversation_id && this.switchTo(ack.conversation_id)) await this.fetchHistory();
      this.listener("identified", ack);
      return ack;
    } catch (err) {
      this.identity = null;
      this.listener("identify_failed", err);
      throw err;
    }
  }

  async requestContact(payload) {
    const ack = await this.request(CONTACT_REQUEST, payload);
    if (ack.conversation_id && this.switchTo(ack.conversation_id)) await this.fetchHistory();
    else this.fetchHistory();
    return ack;
  }

  sendMessage(text, clientId) {
    return this.request(MESSAGE_SEND, { conversation_id: this.conversationId, client_id: clientId, text });
  }

  // {contact_id, resolved, effort?, comment?, phone?}; resolves with {follow_up}.
  answerSurvey(answer) {
    return this.request(SURVEY_ANSWER, answer);
  }

  cancel(contactId) {
    return this.request(CONTACT_CANCEL, { contact_id: contactId });
  }

  // Forget this visitor (a shop's sign-out): a fresh token and an empty history from now on.
  reset() {
    try {
      window.localStorage.removeItem(KEY(this.siteKey));
    } catch (_) {
      /* storage blocked */
    }
    this.identity = null;
    this.conversationId = null;
    this.events = new Map();
    this.lastSeq = 0;
    this.listener("reset", { conversation_id: null });
    this.socket.disconnect().connect();
  }

  // Fire-and-forget signals: no retry queue (a stale typing flag is worse than a lost one).
  signal(name, payload) {
    if (this.socket.connected) this.socket.volatile.emit(name, payload);
  }
}
