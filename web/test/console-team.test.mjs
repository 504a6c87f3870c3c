// The team view (console/src/team.js): what an admin's edit sends, how agent.updated lands,
// and how agents and deliveries read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSkills, sitesText, fmtLoad, teamRows, changeOf, applyAgentUpdate, errorText, deliveryRow } from "../console/src/team.js";

const ada = { id: "a1", name: "Ada", email: "ada@example.com", role: "agent", skills: ["fr", "returns"], sites: null, auto_answer: false, disabled: false, status: "available", load: { chat: 1, video: 0, callback: 0 } };
const unchanged = { role: "agent", skills: "returns, fr", everySite: true, sites: [], auto_answer: false };

test("skills are a comma-separated list, trimmed, once each", () => {
  assert.deepEqual(parseSkills(" fr, returns ,fr,, "), ["fr", "returns"]);
  assert.deepEqual(parseSkills(""), []);
});

test("an edit sends only what changed", () => {
  assert.deepEqual(changeOf(ada, unchanged), {});
  assert.deepEqual(changeOf(ada, { ...unchanged, role: "supervisor" }), { role: "supervisor" });
  assert.deepEqual(changeOf(ada, { ...unchanged, skills: "fr" }), { skills: ["fr"] });
  assert.deepEqual(changeOf(ada, { ...unchanged, auto_answer: true }), { auto_answer: true });
  assert.deepEqual(changeOf(ada, { ...unchanged, everySite: false, sites: ["shop", "demo"] }), { sites: ["demo", "shop"] });
  // No site chosen is sent as it is: the hub refuses it in its own words.
  assert.deepEqual(changeOf(ada, { ...unchanged, everySite: false, sites: [] }), { sites: [] });
  const shopOnly = { ...ada, sites: ["shop"] };
  assert.deepEqual(changeOf(shopOnly, { ...unchanged, everySite: false, sites: ["shop"] }), {});
  assert.deepEqual(changeOf(shopOnly, unchanged), { sites: "*" });
});

test("agent.updated: presence and load always, the listing when it comes", () => {
  const members = { a1: { ...ada } };
  assert.equal(applyAgentUpdate(members, { id: "a1", status: "offline", load: {} }), true);
  assert.equal(members.a1.status, "offline");
  assert.equal(members.a1.name, "Ada");
  applyAgentUpdate(members, { id: "a1", status: "offline", load: {}, name: "Ada L.", disabled: true });
  assert.equal(members.a1.name, "Ada L.");
  assert.equal(members.a1.disabled, true);
  // An agent added since the team was loaded: the view loads it again.
  assert.equal(applyAgentUpdate(members, { id: "new", status: "away", load: {} }), false);
  assert.equal(members.new, undefined);
});

test("agents read plainly", () => {
  assert.equal(sitesText(null), "Every site");
  assert.equal(sitesText(["demo", "shop"]), "demo, shop");
  assert.equal(fmtLoad(ada.load), "1 chat");
  assert.equal(fmtLoad({ chat: 2, video: 1, callback: 0 }), "2 chat · 1 video");
  assert.equal(fmtLoad({}), "—");
  const rows = teamRows({ b: { id: "b", name: "Bob", email: "b@x" }, a: { id: "a", name: "Ada", email: "a@x" } });
  assert.deepEqual(rows.map((r) => r.name), ["Ada", "Bob"]);
});

test("the hub's refusal is shown in its words", () => {
  assert.equal(errorText(400, { error: { code: "invalid", message: "no site with key 'nowhere'" } }, "this change"), "The hub refused: no site with key 'nowhere'.");
  assert.equal(errorText(409, { error: { code: "conflict", message: "you may not disable yourself; another admin can" } }), "The hub refused: you may not disable yourself; another admin can.");
  assert.equal(errorText(403, { error: { code: "forbidden", message: "only an admin may change an agent" } }), "only an admin may change an agent");
  assert.match(errorText(401, {}), /sign in again/);
  assert.equal(errorText(500, {}), "Could not load the team (500).");
});

test("a delivery's row", () => {
  const failing = { id: "d1", type: "contact.created", status: "pending", attempts: 2, last_code: 503, last_error: null, next_attempt_at: null };
  assert.deepEqual(deliveryRow(failing), { type: "contact.created", status: "pending", attempts: "2", error: "HTTP 503", next: "—" });
  const refused = { ...failing, last_code: null, last_error: "connection refused" };
  assert.equal(deliveryRow(refused).error, "connection refused");
  assert.equal(deliveryRow({ ...failing, status: "delivered", last_code: 200 }).error, "—");
});
