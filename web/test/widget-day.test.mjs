// What the widget says and how it reads numbers (issue 13): one situation drawn from the
// state, the shopper's country, and what the callback form sends the hub.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as S from "../widget/src/state.js";
import { pickCountry } from "../widget/src/i18n.js";
import { phoneToSend } from "../widget/src/phone.js";
import { CONTACT_ASSIGNED, CONTACT_NO_AGENT, CONTACT_QUEUED } from "../shared/events.js";

test("one situation at a time: no one online, waiting, joined, and never away once joined", () => {
  const st = S.createState();
  assert.equal(S.situation(st), "connecting");
  st.online = true;
  st.loaded = true;
  assert.equal(S.situation(st), "online");
  S.apply(st, CONTACT_QUEUED, { contact_id: "c1", position: 1, estimated_wait_s: 5 });
  assert.equal(S.situation(st), "waiting");
  S.apply(st, CONTACT_NO_AGENT, { contact_id: "c1", channel: "chat" });
  assert.equal(S.situation(st), "noOne");
  S.apply(st, CONTACT_ASSIGNED, { contact_id: "c1", channel: "chat", agent: { id: "a1", name: "Ada" } });
  assert.equal(S.situation(st), "joined");
  assert.equal(st.agentsOnline, true);
  st.online = false;
  assert.equal(S.situation(st), "reconnecting");
});

test("the shopper's country: data-country, else the browser's region in our language, else home", () => {
  assert.equal(pickCountry("be", ["fr-FR"], "fr"), "BE");
  assert.equal(pickCountry("", ["fr-CA", "en-US"], "fr"), "CA");
  assert.equal(pickCountry(undefined, ["en-US", "fr"], "fr"), "FR");
  assert.equal(pickCountry(undefined, ["en"], "en"), null);
  assert.equal(pickCountry("France", ["en-GB"], "en"), "GB");
});

test("the callback form sends E.164, or what was typed for the hub to read with the country", () => {
  assert.equal(phoneToSend("+33 6 12 34 56 78", null), "+33612345678");
  assert.equal(phoneToSend("0033 6 12 34 56 78", "FR"), "+33612345678");
  assert.equal(phoneToSend("06 12 34 56 78", "FR"), "06 12 34 56 78");
  assert.equal(phoneToSend("06 12 34 56 78", null), null);
  assert.equal(phoneToSend("+33 12", "FR"), null);
  assert.equal(phoneToSend("call me", "FR"), null);
  assert.equal(phoneToSend("12 34", "FR"), null);
});
