// The console's state: built from a snapshot, then changed only by applying events.
// Pure functions (no DOM, no socket) so that "snapshot + events == fresh snapshot" is testable.

export function fromSnapshot(s) {
  const state = {
    agent: s.agent || null,
    presence: (s.agent && s.agent.status) || "away",
    presenceReason: null,
    contacts: {},
    offers: {},
    callbacks: {},
    // Agents serve every site; each contact uses its own site's lists (see siteLists).
    sites: s.sites || {},
    canned: s.canned_responses || [],
    reasons: s.contact_reasons || [],
    queue: s.queue || null,
    queueAt: Date.now(), // when the queue's figures were true (the longest wait goes on from there)
    agents: null,
    flags: {}, // supervisors: the open andon flags by id (snapshot, then andon / andon.cleared)
  };
  for (const item of s.contacts || []) addContact(state, item.contact, item.customer, item.events);
  for (const o of s.offers || []) state.offers[o.contact_id] = { ...o, received_at: Date.now() };
  for (const c of s.callbacks || []) state.callbacks[c.id] = { ...c };
  for (const f of s.flags || []) state.flags[f.id] = { ...f };
  if (s.agents) {
    state.agents = {};
    for (const a of s.agents) state.agents[a.id] = { ...a };
  }
  return state;
}

// The canned responses and wrap-up reasons for a contact: its site's. The top-level lists are
// only a fallback, for a site added after the snapshot was taken.
export function siteLists(state, contact) {
  const site = contact && state.sites[contact.site_id];
  if (site) return { canned: site.canned_responses || [], reasons: site.contact_reasons || [] };
  return { canned: state.canned, reasons: state.reasons };
}

export function addContact(state, contact, customer, events) {
  const prev = state.contacts[contact.id];
  state.contacts[contact.id] = {
    contact: { ...(prev && prev.contact), ...contact },
    customer: customer || (prev && prev.customer) || { id: null, name: null, identifiers: [] },
    events: [],
  };
  for (const ev of (prev && prev.events) || []) insertEvent(state.contacts[contact.id], ev);
  for (const ev of events || []) insertEvent(state.contacts[contact.id], ev);
  delete state.offers[contact.id];
  return state.contacts[contact.id];
}

// Keeps events sorted by seq, each seq once: delivery is at least once.
export function insertEvent(item, ev) {
  const list = item.events;
  let i = list.length;
  while (i > 0 && list[i - 1].seq > ev.seq) i--;
  if (i > 0 && list[i - 1].seq === ev.seq) return false;
  list.splice(i, 0, ev);
  return true;
}

function contactsOf(state, conversationId) {
  return Object.values(state.contacts).filter((c) => c.contact.conversation_id === conversationId);
}

// The keys of an event's data that hold what a person wrote or who they are: as the hub's
// erasure removes them (hub/store/privacy.py).
const PERSONAL = new Set(["text", "comment", "phone", "name", "email", "url", "title", "user_id", "file"]);
export function redact(data) {
  const out = {};
  for (const [k, v] of Object.entries(data)) {
    if (PERSONAL.has(k)) continue;
    out[k] = v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([kk]) => !PERSONAL.has(kk))) : v;
  }
  out.erased = true;
  return out;
}

// Applies one server event; returns what the UI may want to react to.
export function apply(state, name, p) {
  switch (name) {
    case "offer":
      state.offers[p.contact_id] = { ...p, received_at: Date.now() };
      return { offer: p };
    case "offer.revoked":
      delete state.offers[p.contact_id];
      return {};
    case "event": {
      const fresh = [];
      for (const item of contactsOf(state, p.conversation_id)) {
        if (!insertEvent(item, p)) continue;
        fresh.push(item.contact.id);
        const d = p.data || {};
        if (p.type === "contact.ended" && d.contact_id === item.contact.id) item.contact.state = "ended";
        // Transferred away: no longer this agent's (a watched one stays on a supervisor's screen).
        if (p.type === "contact.transferred" && d.contact_id === item.contact.id) {
          if (item.watching) item.contact.agent_id = null;
          else delete state.contacts[item.contact.id];
        }
        if (p.type === "contact.assigned" && d.contact_id === item.contact.id && item.watching && d.agent) item.contact.agent_id = d.agent.id;
        if (p.type === "page" && d.url) item.customer.page = { url: d.url, title: d.title, product: d.product };
        if (p.type === "identity.merged" && d.customer) item.customer = { ...item.customer, ...d.customer };
        if (p.type === "callback.outcome" && d.contact_id === item.contact.id) {
          item.contact.attempts = d.attempt ?? d.attempts ?? item.contact.attempts;
          item.outcome = d.outcome;
          // The hub requeues a "no answer" for a retry, or ends the contact: either way it
          // is no longer this agent's.
          item.contact.state = "ended";
        }
      }
      return { fresh };
    }
    case "contact.ended": {
      const item = state.contacts[p.contact_id];
      if (item) item.contact.state = "ended";
      delete state.offers[p.contact_id];
      return {};
    }
    case "presence":
      state.presence = p.status;
      state.presenceReason = p.reason || null;
      return {};
    case "queue.updated":
      state.queue = p;
      state.queueAt = Date.now();
      return {};
    case "agent.updated":
      state.agents = state.agents || {};
      state.agents[p.id] = { ...state.agents[p.id], ...p };
      return {};
    case "callback.updated": {
      const c = state.callbacks[p.contact_id] || { id: p.contact_id, channel: "callback" };
      Object.assign(c, { attempts: p.attempts, next_attempt_at: p.next_attempt_at, outcome: p.outcome, status: p.status });
      if (p.status === "done" || p.status === "failed") delete state.callbacks[p.contact_id];
      else state.callbacks[p.contact_id] = c;
      return {};
    }
    case "andon":
      state.flags[p.id] = { ...p };
      return { flag: p };
    case "andon.cleared":
      delete state.flags[p.id];
      return {};
    case "customer.erased": {
      // The shop erased this customer (GDPR): what they said and who they are leaves the
      // screen at once, as it left the hub's database.
      const gone = new Set(p.conversation_ids || []);
      for (const item of Object.values(state.contacts)) {
        if (item.customer.id !== p.customer_id && !gone.has(item.contact.conversation_id)) continue;
        item.customer = { id: item.customer.id, name: null, page: null, identifiers: [], erased: true };
        item.events = item.events.map((e) => ({ ...e, data: redact(e.data || {}), ...(e.author && e.author.role === "customer" ? { author: { ...e.author, name: null } } : {}) }));
      }
      return {};
    }
    case "customer.presence": {
      const here = { online: p.online, online_since: p.online_since, last_seen: p.last_seen };
      for (const item of Object.values(state.contacts)) if (item.customer.id === p.customer_id) Object.assign(item.customer, here);
      return {};
    }
    case "customer.page": {
      const page = p.page || { url: p.url, title: p.title };
      for (const item of Object.values(state.contacts)) if (item.customer.id === p.customer_id) item.customer.page = page;
      return {};
    }
    default:
      return {};
  }
}

// Offers past their time by more than 2 s: the hub's offer.revoked got lost, so they go rather
// than stay as ghosts. Returns whether any went.
export function expireOffers(state, now) {
  let changed = false;
  for (const o of Object.values(state.offers)) {
    if (o.expires_in_ms - (now - o.received_at) < -2000) {
      delete state.offers[o.contact_id];
      changed = true;
    }
  }
  return changed;
}

// What must match between "snapshot + events" and a fresh snapshot. Contacts already ended
// (waiting for this agent's wrap-up) are the console's own business and left out.
export function normalize(state) {
  const contacts = Object.values(state.contacts)
    .filter((c) => c.contact.state !== "ended" && !c.watching)
    .map((c) => ({
      id: c.contact.id,
      channel: c.contact.channel,
      conversation_id: c.contact.conversation_id,
      customer: c.customer.id,
      seqs: c.events.map((e) => e.seq),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    presence: state.presence,
    contacts,
    offers: Object.keys(state.offers).sort(),
    callbacks: Object.keys(state.callbacks).sort(),
    flags: Object.keys(state.flags || {}).sort(),
    queue: state.queue ? state.queue.waiting : null,
    agents: state.agents
      ? Object.values(state.agents)
          .map((a) => ({ id: a.id, status: a.status }))
          .sort((a, b) => (a.id < b.id ? -1 : 1))
      : null,
  };
}

// The survey answer a follow-up comes from, as the offer or the contact carries it:
// {of, survey: {contact_id, resolved, effort, comment}}, or null for an ordinary contact.
export function followUpOf(x) {
  const f = x && x.follow_up;
  if (f && f.survey) return f;
  if (x && x.follow_up_of) return { of: x.follow_up_of, survey: null };
  return null;
}

// The open flags, newest first.
export function openFlags(state) {
  return Object.values(state.flags || {}).sort((a, b) => (b.ts || 0) - (a.ts || 0));
}
