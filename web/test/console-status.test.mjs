// Agent statuses and the shopper's presence as the console shows them (format.js, state.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { customerHere, statusTimes, STATUSES } from "../console/src/format.js";
import { apply, fromSnapshot } from "../console/src/state.js";

test("the four statuses, available first", () => {
  assert.deepEqual(STATUSES.map(([k]) => k), ["available", "away", "break", "offline"]);
});

test("the shopper is here, left a while ago, or unknown", () => {
  const now = 1_000_000 * 1000;
  assert.equal(customerHere({ online: true, online_since: 999_000, last_seen: null }, now).text, "● here");
  assert.equal(customerHere({ online: false, online_since: null, last_seen: 1_000_000 - 130 }, now).text, "left 2 min ago");
  assert.equal(customerHere({ online: false, online_since: null, last_seen: 1_000_000 - 10 }, now).text, "left just now");
  assert.equal(customerHere({ name: "Old hub" }, now), null);
});

test("the current status runs on from status_since, from midnight if it began before", () => {
  const agent = { status: "break", status_since: 1000, today: { since: 500, seconds: { available: 60, away: 30, break: 0, offline: 0 } } };
  assert.deepEqual(statusTimes(agent, 1090 * 1000), { available: 60, away: 30, break: 90, offline: 0 });
  const overnight = { status: "away", status_since: 100, today: { since: 500, seconds: {} } };
  assert.equal(statusTimes(overnight, 600 * 1000).away, 100);
});

test("customer.presence updates the customer of every contact of theirs", () => {
  const state = fromSnapshot({ agent: { status: "available" }, contacts: [{ contact: { id: "k1", conversation_id: "v1", channel: "chat", state: "assigned" }, customer: { id: "c1", online: true, online_since: 5, last_seen: null }, events: [] }], offers: [], callbacks: [] });
  apply(state, "customer.presence", { customer_id: "c1", online: false, online_since: null, last_seen: 9 });
  const cu = state.contacts.k1.customer;
  assert.deepEqual([cu.online, cu.online_since, cu.last_seen], [false, null, 9]);
});
