// The console's state (console/src/state.js): built from a snapshot, then changed only by
// events; a snapshot plus the events that followed equals a fresh snapshot.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromSnapshot, apply, addContact, insertEvent, normalize, siteLists, expireOffers, redact } from "../console/src/state.js";
import { AGENT_UPDATED, CALLBACK_UPDATED, CONTACT_ENDED, CUSTOMER_PAGE, EVENT, OFFER, OFFER_REVOKED, PRESENCE, QUEUE_UPDATED } from "../shared/events.js";

const customer = { id: "u1", name: "Zoe", identifiers: [] };
const ev = (seq, type, data = {}, conversation_id = "cv1") => ({ conversation_id, seq, type, ts: seq, data });
const item = (id, conversation_id, events = [], extra = {}) => ({
  contact: { id, site_id: "s1", channel: "chat", state: "assigned", conversation_id, ...extra },
  customer,
  events,
});

function snapshot(over = {}) {
  return {
    agent: { id: "a1", name: "Ada", status: "available" },
    contacts: [],
    offers: [],
    callbacks: [],
    sites: { s1: { canned_responses: [{ title: "Hi", text: "Hello {name}" }], contact_reasons: ["Delivery"] } },
    canned_responses: [],
    contact_reasons: ["Other"],
    queue: { waiting: { chat: 0, video: 0, callback: 0 } },
    ...over,
  };
}

test("snapshot + events equals a fresh snapshot", () => {
  const live = fromSnapshot(snapshot({ contacts: [item("c1", "cv1", [ev(1, "contact.requested")])], offers: [{ contact_id: "c2", channel: "chat", expires_in_ms: 30000 }] }));
  apply(live, OFFER_REVOKED, { contact_id: "c2", reason: "taken" });
  apply(live, OFFER, { contact_id: "c3", channel: "video", conversation_id: "cv3", customer, expires_in_ms: 30000 });
  apply(live, EVENT, ev(2, "message", { text: "hi" }));
  apply(live, EVENT, ev(2, "message", { text: "hi" })); // delivered twice
  apply(live, PRESENCE, { status: "away" });
  apply(live, QUEUE_UPDATED, { waiting: { chat: 1, video: 0, callback: 0 }, longest_wait_s: {} });
  apply(live, CALLBACK_UPDATED, { contact_id: "cb1", status: "scheduled", attempts: 0 });
  const fresh = fromSnapshot(
    snapshot({
      agent: { id: "a1", name: "Ada", status: "away" },
      contacts: [item("c1", "cv1", [ev(1, "contact.requested"), ev(2, "message", { text: "hi" })])],
      offers: [{ contact_id: "c3", channel: "video", expires_in_ms: 30000 }],
      callbacks: [{ id: "cb1", status: "scheduled" }],
      queue: { waiting: { chat: 1, video: 0, callback: 0 } },
    }),
  );
  assert.deepEqual(normalize(live), normalize(fresh));
});

test("events are kept in seq order, each seq once", () => {
  const it = { events: [] };
  assert.equal(insertEvent(it, ev(3, "message")), true);
  assert.equal(insertEvent(it, ev(1, "message")), true);
  assert.equal(insertEvent(it, ev(2, "message")), true);
  assert.equal(insertEvent(it, ev(2, "message")), false);
  assert.deepEqual(it.events.map((e) => e.seq), [1, 2, 3]);
});

test("an event reaches every contact of its conversation, and says which were new to it", () => {
  const st = fromSnapshot(snapshot({ contacts: [item("c1", "cv1"), item("c2", "cv1"), item("c3", "cv9")] }));
  assert.deepEqual(apply(st, EVENT, ev(5, "message", { text: "x" })).fresh, ["c1", "c2"]);
  assert.deepEqual(apply(st, EVENT, ev(5, "message", { text: "x" })).fresh, []);
  assert.equal(st.contacts.c3.events.length, 0);
});

test("accepting an offer makes it a contact; its earlier events are kept", () => {
  const st = fromSnapshot(snapshot());
  apply(st, OFFER, { contact_id: "c1", channel: "chat", conversation_id: "cv1", customer, expires_in_ms: 30000 });
  assert.ok(st.offers.c1.received_at > 0);
  const it = addContact(st, { id: "c1", channel: "chat", state: "assigned", conversation_id: "cv1" }, customer, [ev(2, "message")]);
  assert.equal(st.offers.c1, undefined);
  addContact(st, { id: "c1", site_id: "s1" }, null, [ev(1, "contact.requested")]);
  assert.deepEqual(st.contacts.c1.events.map((e) => e.seq), [1, 2]);
  assert.equal(st.contacts.c1.contact.conversation_id, "cv1");
  assert.equal(st.contacts.c1.customer, customer);
  assert.notEqual(st.contacts.c1, it, "a fresh item, so renders see the change");
});

test("a contact ends by contact.ended or by its timeline, and leaves the comparison", () => {
  const st = fromSnapshot(snapshot({ contacts: [item("c1", "cv1"), item("c2", "cv2")] }));
  apply(st, CONTACT_ENDED, { contact_id: "c1", reason: "customer" });
  apply(st, EVENT, ev(4, "contact.ended", { contact_id: "c2" }, "cv2"));
  assert.equal(st.contacts.c1.contact.state, "ended");
  assert.equal(st.contacts.c2.contact.state, "ended");
  assert.deepEqual(normalize(st).contacts, []);
});

test("a callback outcome ends the agent's callback and keeps the outcome for the wrap-up", () => {
  const st = fromSnapshot(snapshot({ contacts: [item("cb1", "cv1", [], { channel: "callback", attempts: 0 })] }));
  apply(st, EVENT, ev(3, "callback.outcome", { contact_id: "cb1", outcome: "no_answer", attempt: 1, will_retry: true }));
  assert.equal(st.contacts.cb1.outcome, "no_answer");
  assert.equal(st.contacts.cb1.contact.attempts, 1);
  assert.equal(st.contacts.cb1.contact.state, "ended");
});

test("callback.updated keeps the callbacks list; done and failed leave it", () => {
  const st = fromSnapshot(snapshot({ callbacks: [{ id: "cb1", status: "scheduled", phone: "+1555" }] }));
  apply(st, CALLBACK_UPDATED, { contact_id: "cb1", status: "retry", attempts: 1, next_attempt_at: 99 });
  assert.equal(st.callbacks.cb1.status, "retry");
  assert.equal(st.callbacks.cb1.phone, "+1555");
  apply(st, CALLBACK_UPDATED, { contact_id: "cb2", status: "scheduled", attempts: 0 });
  assert.equal(st.callbacks.cb2.channel, "callback");
  apply(st, CALLBACK_UPDATED, { contact_id: "cb1", status: "failed", attempts: 3 });
  assert.deepEqual(Object.keys(st.callbacks), ["cb2"]);
});

test("the customer's page and a merged identity reach every one of their contacts", () => {
  const st = fromSnapshot(snapshot({ contacts: [item("c1", "cv1"), item("c2", "cv2")] }));
  apply(st, CUSTOMER_PAGE, { customer_id: "u1", url: "https://shop/cart", title: "Cart" });
  assert.deepEqual(st.contacts.c2.customer.page, { url: "https://shop/cart", title: "Cart" });
  apply(st, EVENT, ev(7, "identity.merged", { customer: { name: "Zoe Q" } }));
  assert.equal(st.contacts.c1.customer.name, "Zoe Q");
  assert.equal(st.contacts.c1.customer.id, "u1");
});

test("agent.updated makes and updates the supervisor's list of agents", () => {
  const st = fromSnapshot(snapshot());
  assert.equal(st.agents, null);
  apply(st, AGENT_UPDATED, { id: "a2", name: "Bo", status: "available" });
  apply(st, AGENT_UPDATED, { id: "a2", status: "away" });
  assert.deepEqual(st.agents.a2, { id: "a2", name: "Bo", status: "away" });
});

test("each contact uses its own site's lists; an unknown site the top-level ones", () => {
  const st = fromSnapshot(snapshot());
  assert.deepEqual(siteLists(st, { site_id: "s1" }).reasons, ["Delivery"]);
  assert.deepEqual(siteLists(st, { site_id: "new" }).reasons, ["Other"]);
});

test("offers more than 2 s past their time go, the others stay", () => {
  const st = fromSnapshot(snapshot());
  st.offers.old = { contact_id: "old", expires_in_ms: 10000, received_at: 0 };
  st.offers.now = { contact_id: "now", expires_in_ms: 10000, received_at: 5000 };
  assert.equal(expireOffers(st, 11000), false);
  assert.equal(expireOffers(st, 12001), true);
  assert.deepEqual(Object.keys(st.offers), ["now"]);
});

test("an erased customer's texts and name leave the console's state at once", () => {
  const state = {
    offers: {},
    flags: {},
    callbacks: {},
    contacts: {
      c1: {
        contact: { id: "c1", conversation_id: "v1", state: "ended" },
        customer: { id: "u1", name: "Jane Doe", page: { url: "https://shop.example/lamp" }, identifiers: [{ kind: "email", value: "jane@example.com" }] },
        events: [
          { seq: 1, type: "message", author: { role: "customer", name: "Jane Doe" }, data: { text: "12 rue des Lilas", client_id: "m1" } },
          { seq: 2, type: "note", author: { role: "agent", name: "Ada" }, data: { text: "VIP" } },
        ],
      },
      c2: { contact: { id: "c2", conversation_id: "v2" }, customer: { id: "u2", name: "Bob" }, events: [{ seq: 1, type: "message", data: { text: "hi" } }] },
    },
  };
  apply(state, "customer.erased", { customer_id: "u1", conversation_ids: ["v1"] });
  const dump = JSON.stringify(state.contacts.c1);
  for (const s of ["Jane", "rue des Lilas", "VIP", "jane@example.com", "shop.example"]) assert.ok(!dump.includes(s), s);
  assert.equal(state.contacts.c1.events[0].data.client_id, "m1");
  assert.equal(state.contacts.c1.events[1].author.name, "Ada");
  assert.equal(state.contacts.c2.events[0].data.text, "hi");
  assert.deepEqual(redact({ text: "x", agent: { id: "a", name: "Ada" } }), { agent: { id: "a" }, erased: true });
});

test("a contact transferred away leaves the agent's state; a watched one stays, out of the comparison", () => {
  const live = fromSnapshot(snapshot({ contacts: [item("c1", "cv1"), item("c2", "cv2")] }));
  const watched = addContact(live, { id: "c3", site_id: "s1", channel: "chat", state: "assigned", conversation_id: "cv3", agent_id: "b1" }, customer, []);
  watched.watching = true;
  apply(live, EVENT, ev(3, "contact.transferred", { contact_id: "c1", from: { id: "a1", name: "Ada" }, to: { id: "b1", name: "Bob" } }));
  apply(live, EVENT, ev(4, "contact.transferred", { contact_id: "c3", from: { id: "b1", name: "Bob" }, to: null }, "cv3"));
  assert.deepEqual(Object.keys(live.contacts).sort(), ["c2", "c3"]);
  assert.equal(live.contacts.c3.contact.agent_id, null);
  assert.equal(live.contacts.c3.events.length, 1);
  const fresh = fromSnapshot(snapshot({ contacts: [item("c2", "cv2")] }));
  assert.deepEqual(normalize(live), normalize(fresh));
});
