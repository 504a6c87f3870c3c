// The widget's state: the customer's contacts and what the hub says about its agents, changed
// only by applying the hub's events. Pure (no DOM, no socket, no clock) so node --test checks it.
import { AGENTS_ONLINE, CALLBACK_UPDATED, CONTACT_ASSIGNED, CONTACT_ENDED, CONTACT_NO_AGENT, CONTACT_QUEUED, EVENT, SURVEY_REQUEST } from "../../shared/events.js";

// A contact in one of these states is still going on.
export const LIVE = ["queued", "offered", "assigned", "requested", "scheduled", "retry", "due"];

export function createState() {
  return {
    contacts: new Map(), // contact id -> {id, channel, state, agent?, position?, wait?, phone?...}
    online: false, // connected to the hub right now
    loaded: false, // the first session and its history are in
    agentsOnline: true,
    channels: ["chat", "callback"],
    knownPhone: null, // from identify(), to fill the callback form
    forgetCallback: null, // the callback the customer put aside to ask for another
    // The survey of an ended contact: the hub's survey.request, plus where it stands:
    // status "asked" (waiting for the answer), "sending", "done" (outcome says what next) or
    // "closed" (answered elsewhere, already answered, expired: error says which).
    survey: null,
    answered: new Set(), // contact ids whose survey is in the timeline (answered, maybe in another tab)
  };
}

// The contact with this id, made if it is new (events may arrive in any order).
export function contact(state, id, channel) {
  let c = state.contacts.get(id);
  if (!c) state.contacts.set(id, (c = { id, channel: channel || "chat", state: "queued" }));
  else if (channel) c.channel = channel;
  return c;
}

// The chat or video contact going on, the newest if several.
export function activeChat(state) {
  let found = null;
  for (const c of state.contacts.values()) if (c.channel !== "callback" && LIVE.includes(c.state)) found = c;
  return found;
}

// The newest callback, going on or not: its outcome stays on show.
export function activeCallback(state) {
  let found = null;
  for (const c of state.contacts.values()) if (c.channel === "callback") found = c;
  return found;
}

export function callbackFinished(c) {
  return c.state === "ended" || ["done", "failed", "cancelled"].includes(c.status);
}

// What the widget says comes from one place: where the shopper stands now.
//   "connecting" / "reconnecting": no hub yet, or lost; "joined": an agent has the chat;
//   "waiting": the chat waits for an agent who is online; "noOne": no agent is online (a
//   waiting chat waits for the first one free); "online": nothing going on, agents are online.
export function situation(state) {
  if (!state.online) return state.loaded ? "reconnecting" : "connecting";
  const c = activeChat(state);
  if (c && c.state === "assigned") return "joined";
  if (!state.agentsOnline) return "noOne";
  return c ? "waiting" : "online";
}

// The hub's session event (on every connect).
export function applySession(state, s) {
  state.agentsOnline = s.agents_online !== false;
  state.channels = s.channels || state.channels;
  state.identityMode = s.identity_mode || (s.identity_required ? "required" : "optional");
  state.loginUrl = s.login_url || null;
  state.verified = !!s.verified;
}

// Whether the site wants the shop's sign-in before this channel (DESIGN §7): every channel on
// a "required" site, video and callbacks on an "anonymous_chat" one; never once signed.
export function needsSignIn(state, channel) {
  if (state.verified) return false;
  return state.identityMode === "required" || (state.identityMode === "anonymous_chat" && channel !== "chat");
}

// A new conversation, or a forgotten visitor: the contacts are rebuilt from its timeline.
export function resetContacts(state) {
  state.contacts.clear();
  state.answered.clear();
  if (state.survey && state.survey.status !== "done") state.survey = null;
}

// Applies one hub event (contact.*, callback.updated, or a timeline event); returns the
// contact it concerns, or null.
export function apply(state, name, p) {
  switch (name) {
    case CONTACT_QUEUED:
      return Object.assign(contact(state, p.contact_id), { state: "queued", position: p.position, wait: p.estimated_wait_s });
    case CONTACT_ASSIGNED:
      // Someone took it: an agent is online, whatever the hub said before.
      state.agentsOnline = true;
      return Object.assign(contact(state, p.contact_id, p.channel), { state: "assigned", agent: p.agent });
    case CONTACT_ENDED: {
      const c = contact(state, p.contact_id);
      c.state = "ended";
      return c;
    }
    case CONTACT_NO_AGENT: {
      const c = contact(state, p.contact_id, p.channel);
      c.noAgent = true;
      state.agentsOnline = false;
      return c;
    }
    case AGENTS_ONLINE:
      // The first agent of the site became available, or the last one stopped.
      state.agentsOnline = p.agents_online !== false;
      return null;
    case CALLBACK_UPDATED: {
      const c = contact(state, p.contact_id, "callback");
      Object.assign(c, { status: p.status, attempts: p.attempts, next_attempt_at: p.next_attempt_at, outcome: p.outcome });
      if (p.status === "done" || p.status === "failed") c.state = "ended";
      return c;
    }
    case SURVEY_REQUEST:
      surveyRequested(state, p);
      return null;
    case EVENT:
      return applyTimeline(state, p);
    default:
      return null;
  }
}

// Timeline events rebuild contact states too, so a reload knows where things stand.
export function applyTimeline(state, ev) {
  const d = ev.data || {};
  if (!d.contact_id) return null;
  if (ev.type === "survey") {
    surveyAnsweredSomewhere(state, d.contact_id);
    return null;
  }
  const c = contact(state, d.contact_id, d.channel);
  if (ev.type === "contact.requested") {
    if (d.phone) c.phone = d.phone;
    if (d.not_before) c.not_before = d.not_before;
    if (c.channel === "callback" && !c.status) c.status = "scheduled";
  } else if (ev.type === "contact.assigned") {
    c.state = c.state === "ended" ? "ended" : "assigned";
    c.agent = d.agent || (ev.author && ev.author.role === "agent" ? ev.author : c.agent);
  } else if (ev.type === "contact.ended") {
    c.state = "ended";
    c.reason = d.reason;
    if (d.survey) c.surveyAsked = true;
  }
  // Requeued or transferred: back in line until the next agent takes it.
  else if ((ev.type === "contact.requeued" || ev.type === "contact.transferred") && c.state !== "ended") {
    c.state = "queued";
    c.agent = null;
  } else if (ev.type === "callback.outcome") {
    c.outcome = d.outcome;
    if (d.outcome === "reached") c.status = "done";
    if (d.outcome === "wrong_number" || (d.outcome === "no_answer" && d.will_retry === false)) c.status = "failed";
    if (d.outcome === "no_answer" && d.will_retry) c.status = "retry";
    if (d.attempt) c.attempts = d.attempt;
  }
  return c;
}

// The hub took our callback request (the ack of contact.request); display: the number as
// the hub formats it for the shopper ("06 12 34 56 78").
export function callbackRequested(state, contactId, phone, notBefore, display) {
  const c = contact(state, contactId, "callback");
  Object.assign(c, { phone, phoneDisplay: display || c.phoneDisplay || null, not_before: notBefore, status: c.status || "scheduled", state: c.state === "ended" ? "ended" : "queued" });
  return c;
}

// The hub took our cancellation (the ack of contact.cancel).
export function callbackCancelled(c) {
  c.state = "ended";
  c.status = "cancelled";
  return c;
}

// ---- the survey after a contact -------------------------------------------------------------

// The hub asks (when a handled contact ends, and again on every connect while unanswered).
// A survey whose answer is already in the timeline, or the one on show, is not asked again.
export function surveyRequested(state, p) {
  if (!p || !p.contact_id || state.answered.has(p.contact_id)) return state.survey;
  const cur = state.survey;
  if (cur && cur.contact_id === p.contact_id && cur.status !== "asked") return cur;
  state.survey = { contact_id: p.contact_id, channel: p.channel, expires_at: p.expires_at, phone: p.phone || null, status: "asked" };
  return state.survey;
}

// A `survey` event in the timeline: that contact's survey has its answer (this tab's own, or
// another tab's, in which case the form has nothing left to ask).
function surveyAnsweredSomewhere(state, contactId) {
  state.answered.add(contactId);
  const cur = state.survey;
  if (cur && cur.contact_id === contactId && cur.status === "asked") Object.assign(cur, { status: "closed", error: "already_answered" });
}

// The survey the customer should be asked now (nowS: epoch seconds), or null.
export function pendingSurvey(state, nowS) {
  const s = state.survey;
  if (!s || s.status !== "asked" || state.answered.has(s.contact_id)) return null;
  if (s.expires_at && nowS != null && nowS >= s.expires_at) return null;
  return s;
}

// A survey to show in the panel: asked, being sent, or its outcome / closing message.
export function surveyOnShow(state) {
  const s = state.survey;
  return s && !s.dismissed ? s : null;
}

// What happens next, from survey.answer's ack: a callback to a number, a chat that an agent
// picks up, or nothing (resolved). phone: the number the customer typed, if any.
export function surveyOutcome(survey, ack, phone) {
  const f = ack && ack.follow_up;
  if (!f) return { kind: "thanks" };
  if (f.channel === "callback") return { kind: "callback", phone: f.phone_display || f.phone || phone || survey.phone || "", contact_id: f.contact_id };
  return { kind: "chat", contact_id: f.contact_id };
}

// The ack came back: ok (outcome) or an error; returns the survey.
export function surveyAnswered(state, ack, phone) {
  const s = state.survey;
  if (!s) return null;
  s.status = "done";
  s.outcome = surveyOutcome(s, ack, phone);
  state.answered.add(s.contact_id);
  return s;
}

// already_answered and survey_expired close the survey (no form); other errors leave the form
// to try again.
export function surveyFailed(state, err) {
  const s = state.survey;
  if (!s) return null;
  const code = (err && err.code) || "error";
  if (code === "already_answered" || code === "survey_expired" || code === "not_found") Object.assign(s, { status: "closed", error: code });
  else Object.assign(s, { status: "asked", error: code });
  return s;
}
