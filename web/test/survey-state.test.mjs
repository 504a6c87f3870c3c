// The survey after a contact (widget/src/state.js) and the console's follow-ups and andon flags
// (console/src/state.js): what is asked, when it stops being asked, and what the answer leads to.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as S from "../widget/src/state.js";
import { fromSnapshot, apply, normalize, followUpOf, openFlags } from "../console/src/state.js";
import { surveyLine, describeEvent } from "../console/src/format.js";
import { ANDON, ANDON_CLEARED, EVENT, SURVEY_REQUEST } from "../shared/events.js";

let seq = 0;
const ev = (type, data) => ({ conversation_id: "cv1", seq: ++seq, type, ts: 0, data });
const REQ = { contact_id: "c1", channel: "chat", expires_at: 1000, phone: null };

test("a survey.request is pending until answered, and not once expired", () => {
  const st = S.createState();
  assert.equal(S.pendingSurvey(st, 10), null);
  S.apply(st, SURVEY_REQUEST, REQ);
  assert.equal(S.pendingSurvey(st, 10).contact_id, "c1");
  assert.equal(S.pendingSurvey(st, 1000), null, "past expires_at");
  // The same request again (a reconnect) changes nothing.
  S.apply(st, SURVEY_REQUEST, REQ);
  assert.equal(S.pendingSurvey(st, 10).status, "asked");
});

test("the timeline's contact.ended says a survey was asked; a survey event says it was answered", () => {
  const st = S.createState();
  S.applyTimeline(st, ev("contact.ended", { contact_id: "c1", channel: "chat", reason: "ended", survey: true }));
  assert.equal(st.contacts.get("c1").surveyAsked, true);
  S.apply(st, SURVEY_REQUEST, REQ);
  // Answered in another tab: the form here closes, and a late request does not reopen it.
  S.apply(st, EVENT, ev("survey", { contact_id: "c1", resolved: true, effort: 2, comment: null }));
  assert.equal(S.pendingSurvey(st, 10), null);
  assert.equal(st.survey.status, "closed");
  assert.equal(st.survey.error, "already_answered");
  S.apply(st, SURVEY_REQUEST, REQ);
  assert.equal(S.pendingSurvey(st, 10), null);
});

test("a survey answered from a reloaded history is not asked", () => {
  const st = S.createState();
  S.applyTimeline(st, ev("survey", { contact_id: "c1", resolved: false }));
  S.apply(st, SURVEY_REQUEST, REQ);
  assert.equal(S.pendingSurvey(st, 10), null);
});

test("this tab's own answer: its survey event while sending does not close it", () => {
  const st = S.createState();
  S.apply(st, SURVEY_REQUEST, REQ);
  st.survey.status = "sending";
  S.applyTimeline(st, ev("survey", { contact_id: "c1", resolved: false }));
  assert.equal(st.survey.status, "sending");
  S.surveyAnswered(st, { ok: true, follow_up: { contact_id: "c2", channel: "callback", phone: "+33612345678" } });
  assert.deepEqual(st.survey.outcome, { kind: "callback", phone: "+33612345678", contact_id: "c2" });
  assert.equal(S.pendingSurvey(st, 10), null);
});

test("the ack says what happens next: a callback, a chat, or a thank-you", () => {
  const s = { ...REQ, phone: "+441234567890" };
  assert.deepEqual(S.surveyOutcome(s, { ok: true, follow_up: null }), { kind: "thanks" });
  assert.deepEqual(S.surveyOutcome(s, { ok: true, follow_up: { contact_id: "c2", channel: "chat" } }), { kind: "chat", contact_id: "c2" });
  // The number the hub will call: its own, else the one typed, else the one the request knew.
  assert.equal(S.surveyOutcome(s, { follow_up: { contact_id: "c2", channel: "callback" } }, "+33612345678").phone, "+33612345678");
  assert.equal(S.surveyOutcome(s, { follow_up: { contact_id: "c2", channel: "callback" } }).phone, "+441234567890");
});

test("already answered and expired close the survey; other errors keep the form", () => {
  for (const [code, status] of [["already_answered", "closed"], ["survey_expired", "closed"], ["invalid", "asked"], ["timeout", "asked"]]) {
    const st = S.createState();
    S.apply(st, SURVEY_REQUEST, REQ);
    st.survey.status = "sending";
    S.surveyFailed(st, { code });
    assert.equal(st.survey.status, status, code);
    assert.equal(st.survey.error, code);
  }
});

test("a follow-up offer or contact carries the survey that brought it", () => {
  const survey = { contact_id: "c1", resolved: false, effort: 6, comment: "Still flickers" };
  assert.deepEqual(followUpOf({ follow_up: { of: "c1", survey } }), { of: "c1", survey });
  assert.deepEqual(followUpOf({ follow_up_of: "c1" }), { of: "c1", survey: null });
  assert.equal(followUpOf({ id: "c3" }), null);
  assert.equal(surveyLine(survey), "Survey: Not resolved · effort 6/7 · “Still flickers”");
  assert.equal(surveyLine({ resolved: true, effort: null, comment: null }), "Survey: Resolved");
  const booked = ev("contact.requested", { contact_id: "c2", channel: "callback", follow_up_of: "c1" });
  assert.equal(describeEvent(booked), "Follow-up callback booked from the survey");
});

test("andon flags: the snapshot's, then andon and andon.cleared; snapshot + events equals fresh", () => {
  const flag = (id, ts) => ({ id, site: "shop", site_id: "s1", product: "Lamp L-200", reason: "Product question", contact_ids: ["c1", "c2"], ts, raised_by: null });
  const st = fromSnapshot({ agent: { status: "away" }, flags: [flag("f1", 1)] });
  apply(st, ANDON, flag("f2", 2));
  assert.deepEqual(openFlags(st).map((f) => f.id), ["f2", "f1"]);
  apply(st, ANDON_CLEARED, { ...flag("f1", 1), cleared_at: 3, cleared_by: "sue" });
  assert.deepEqual(normalize(st), normalize(fromSnapshot({ agent: { status: "away" }, flags: [flag("f2", 2)] })));
});

test("the customer's page product reaches the contact from the page event", () => {
  const st = fromSnapshot({ agent: { status: "available" }, contacts: [{ contact: { id: "c1", conversation_id: "cv1", channel: "chat" }, customer: { id: "u1" }, events: [] }] });
  apply(st, EVENT, ev("page", { url: "https://shop.test/lamp", title: "Lamp", product: "Lamp L-200" }));
  assert.equal(st.contacts.c1.customer.page.product, "Lamp L-200");
});
