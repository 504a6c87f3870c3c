// The widget's state (widget/src/state.js): the hub's events, live or replayed from the
// timeline after a reload, bring the customer's contacts to where they stand.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as S from "../widget/src/state.js";
import { CALLBACK_UPDATED, CONTACT_ASSIGNED, CONTACT_ENDED, CONTACT_NO_AGENT, CONTACT_QUEUED, EVENT } from "../shared/events.js";

const AGENT = { id: "a1", name: "Ada" };
let seq = 0;
const ev = (type, data, author) => ({ conversation_id: "cv1", seq: ++seq, type, ts: 0, data, ...(author ? { author } : {}) });

test("a chat goes from queued to assigned to ended, and is active until it ends", () => {
  const st = S.createState();
  assert.equal(S.activeChat(st), null);
  S.apply(st, CONTACT_QUEUED, { contact_id: "c1", position: 2, estimated_wait_s: 40 });
  assert.deepEqual(S.activeChat(st), { id: "c1", channel: "chat", state: "queued", position: 2, wait: 40 });
  S.apply(st, CONTACT_ASSIGNED, { contact_id: "c1", channel: "chat", agent: AGENT, waited_ms: 900 });
  assert.equal(S.activeChat(st).state, "assigned");
  assert.deepEqual(S.activeChat(st).agent, AGENT);
  S.apply(st, CONTACT_ENDED, { contact_id: "c1", reason: "agent" });
  assert.equal(st.contacts.get("c1").state, "ended");
  assert.equal(S.activeChat(st), null);
});

test("the newest live chat or video is the active one; a callback never is", () => {
  const st = S.createState();
  S.apply(st, CONTACT_QUEUED, { contact_id: "c1", position: 1 });
  S.apply(st, CONTACT_ASSIGNED, { contact_id: "v1", channel: "video", agent: AGENT });
  S.apply(st, CONTACT_QUEUED, { contact_id: "cb1", position: 1 });
  S.apply(st, CALLBACK_UPDATED, { contact_id: "cb1", status: "scheduled", attempts: 0 });
  assert.equal(S.activeChat(st).id, "v1");
  assert.equal(S.activeCallback(st).id, "cb1");
});

test("contact.no_agent marks the contact and says no agent is online", () => {
  const st = S.createState();
  S.applySession(st, { agents_online: true, channels: ["chat", "callback", "video"] });
  assert.equal(st.agentsOnline, true);
  assert.deepEqual(st.channels, ["chat", "callback", "video"]);
  const c = S.apply(st, CONTACT_NO_AGENT, { contact_id: "c1", channel: "chat" });
  assert.equal(c.noAgent, true);
  assert.equal(st.agentsOnline, false);
  S.applySession(st, {});
  assert.equal(st.agentsOnline, true, "a session that does not say otherwise has agents");
  assert.deepEqual(st.channels, ["chat", "callback", "video"], "the channels stay when not given");
});

test("callback.updated follows the callback and ends it when done or failed", () => {
  const st = S.createState();
  S.apply(st, CALLBACK_UPDATED, { contact_id: "cb1", status: "retry", attempts: 1, next_attempt_at: 1700000000 });
  const c = st.contacts.get("cb1");
  assert.equal(c.channel, "callback");
  assert.equal(c.status, "retry");
  assert.equal(S.callbackFinished(c), false);
  S.apply(st, CALLBACK_UPDATED, { contact_id: "cb1", status: "done", attempts: 2, outcome: "reached" });
  assert.equal(c.state, "ended");
  assert.equal(S.callbackFinished(c), true);
});

test("the timeline alone rebuilds a callback's story after a reload", () => {
  const st = S.createState();
  const requested = ev("contact.requested", { contact_id: "cb1", channel: "callback", phone: "+33612345678", not_before: "2026-12-03T09:00:00Z" });
  S.apply(st, EVENT, requested);
  const c = st.contacts.get("cb1");
  assert.deepEqual(c, { id: "cb1", channel: "callback", state: "queued", phone: "+33612345678", not_before: "2026-12-03T09:00:00Z", status: "scheduled" });
  S.apply(st, EVENT, ev("callback.outcome", { contact_id: "cb1", outcome: "no_answer", will_retry: true, attempt: 1 }));
  assert.equal(c.status, "retry");
  assert.equal(c.attempts, 1);
  S.apply(st, EVENT, ev("callback.outcome", { contact_id: "cb1", outcome: "no_answer", will_retry: false, attempt: 2 }));
  assert.equal(c.status, "failed");
  assert.equal(S.callbackFinished(c), true);
});

test("a wrong number fails the callback, a reached customer is done", () => {
  for (const [outcome, status] of [["wrong_number", "failed"], ["reached", "done"]]) {
    const st = S.createState();
    S.apply(st, EVENT, ev("callback.outcome", { contact_id: "cb1", channel: "callback", outcome, attempt: 1 }));
    assert.equal(st.contacts.get("cb1").status, status, outcome);
  }
});

test("timeline assignment takes the agent from the data or the author; requeueing drops it", () => {
  const st = S.createState();
  S.apply(st, EVENT, ev("contact.requested", { contact_id: "c1", channel: "chat" }, { role: "customer", id: "u1" }));
  S.apply(st, EVENT, ev("contact.assigned", { contact_id: "c1", channel: "chat" }, { role: "agent", id: "a1", name: "Ada" }));
  assert.equal(st.contacts.get("c1").state, "assigned");
  assert.equal(st.contacts.get("c1").agent.name, "Ada");
  S.apply(st, EVENT, ev("contact.requeued", { contact_id: "c1", reason: "agent_left" }));
  assert.equal(st.contacts.get("c1").state, "queued");
  assert.equal(st.contacts.get("c1").agent, null);
  S.apply(st, EVENT, ev("contact.assigned", { contact_id: "c1", agent: { id: "a2", name: "Bo" } }));
  assert.equal(st.contacts.get("c1").agent.name, "Bo");
});

test("a transferred chat waits for its next agent, who then shows", () => {
  const st = S.createState();
  S.apply(st, EVENT, ev("contact.assigned", { contact_id: "c1", channel: "chat", agent: { id: "a1", name: "Ada" } }));
  S.apply(st, EVENT, ev("contact.transferred", { contact_id: "c1", from: { id: "a1", name: "Ada" }, to: { id: "a2", name: "Bo" } }));
  assert.equal(st.contacts.get("c1").state, "queued");
  assert.equal(st.contacts.get("c1").agent, null);
  S.apply(st, EVENT, ev("contact.assigned", { contact_id: "c1", agent: { id: "a2", name: "Bo" } }));
  assert.equal(st.contacts.get("c1").agent.name, "Bo");
});

test("an ended contact stays ended whatever arrives after, in any order", () => {
  const st = S.createState();
  S.apply(st, EVENT, ev("contact.ended", { contact_id: "c1", channel: "video" }));
  S.apply(st, EVENT, ev("contact.assigned", { contact_id: "c1", agent: AGENT }));
  S.apply(st, EVENT, ev("contact.requeued", { contact_id: "c1" }));
  assert.equal(st.contacts.get("c1").state, "ended");
  assert.equal(st.contacts.get("c1").channel, "video");
});

test("timeline items without a contact, and events the state does not keep, change nothing", () => {
  const st = S.createState();
  assert.equal(S.apply(st, EVENT, ev("message", { text: "hi", client_id: "x" })), null);
  assert.equal(S.apply(st, "typing", { typing: true }), null);
  assert.equal(st.contacts.size, 0);
});

test("the customer's own requests: a callback asked for, then cancelled", () => {
  const st = S.createState();
  const c = S.callbackRequested(st, "cb1", "+33612345678", undefined);
  assert.equal(c.status, "scheduled");
  assert.equal(c.state, "queued");
  assert.equal(S.activeCallback(st), c);
  S.callbackCancelled(c);
  assert.equal(c.status, "cancelled");
  assert.equal(S.callbackFinished(c), true);
  S.resetContacts(st);
  assert.equal(S.activeCallback(st), null);
});

test("the sign-in a site wants, per identity mode and channel", () => {
  const at = (mode, verified) => {
    const s = S.createState();
    S.applySession(s, { identity_mode: mode, verified, channels: ["chat", "callback", "video"] });
    return ["chat", "video", "callback"].map((c) => S.needsSignIn(s, c));
  };
  assert.deepEqual(at("optional", false), [false, false, false]);
  assert.deepEqual(at("anonymous_chat", false), [false, true, true]);
  assert.deepEqual(at("required", false), [true, true, true]);
  assert.deepEqual(at("required", true), [false, false, false]);
  // An older hub says only identity_required.
  const s = S.createState();
  S.applySession(s, { identity_required: true });
  assert.equal(S.needsSignIn(s, "chat"), true);
});
