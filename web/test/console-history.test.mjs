// The customer's history (console/src/history.js): which events are a past contact's part, and
// how its outcome reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inContact, outcomeLine } from "../console/src/history.js";

const contact = { id: "c1", channel: "chat", state: "ended", enqueued_at: 1000, ended_at: 1300 };

test("a contact's part: its own events by id, the others by time", () => {
  const ev = (type, ts, data = {}) => ({ type, ts, data });
  assert.equal(inContact(ev("message", 1000), contact), true); // sent with the request
  assert.equal(inContact(ev("message", 1150), contact), true);
  assert.equal(inContact(ev("message", 1300), contact), true);
  assert.equal(inContact(ev("message", 1301), contact), false); // after its end
  assert.equal(inContact(ev("message", 900), contact), false); // an earlier contact's
  // Its survey answer, days later, is its; another contact's events at the same time are not.
  assert.equal(inContact(ev("survey", 90000, { contact_id: "c1" }), contact), true);
  assert.equal(inContact(ev("contact.assigned", 1100, { contact_id: "c2" }), contact), false);
  // A contact still open runs until now.
  assert.equal(inContact(ev("message", 99999), { ...contact, state: "assigned", ended_at: null }), true);
});

test("the outcome in a few words", () => {
  assert.equal(outcomeLine({ ...contact, reason: "Order status", resolved: false }), "Order status · not resolved");
  assert.equal(outcomeLine({ ...contact, reason: null, resolved: true }), "resolved");
  assert.equal(outcomeLine({ ...contact, resolved: null, end_reason: "customer_left" }), "ended (customer left)");
  assert.equal(outcomeLine({ ...contact, channel: "callback", resolved: null, outcome: "no_answer" }), "no answer");
  assert.equal(outcomeLine({ ...contact, state: "queued", ended_at: null }), "Waiting");
  assert.equal(outcomeLine({ ...contact, state: "assigned", ended_at: null }), "In progress");
});
