// The supervisor's reports (console/src/reports.js): the period's query, and null figures
// shown as "—", never 0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { periodQuery, fmtPct, fmtSecs, fmtNum, fmtServiceLevel, errorText, ROWS, figuresOf, seriesInterval, seriesRows } from "../console/src/reports.js";

test("a null figure is a dash, a zero is a zero", () => {
  assert.equal(fmtPct(null), "—");
  assert.equal(fmtPct(0), "0 %");
  assert.equal(fmtPct(78.25), "78.3 %");
  assert.equal(fmtSecs(undefined), "—");
  assert.equal(fmtSecs(26.666), "26.7 s");
  assert.equal(fmtNum(null), "—");
  assert.equal(fmtNum(4), "4");
});

test("the service level names its target, except for all channels", () => {
  assert.equal(fmtServiceLevel({ value_pct: 78, threshold_s: 30, target_pct: 80 }), "78 % (target 80 % in 30 s)");
  assert.equal(fmtServiceLevel({ value_pct: null, threshold_s: 15, target_pct: 90 }), "— (target 90 % in 15 s)");
  assert.equal(fmtServiceLevel({ value_pct: 40, threshold_s: null, target_pct: null }), "40 %");
});

test("the periods' queries", () => {
  const now = new Date(2026, 11, 3, 14, 30); // local time
  assert.equal(periodQuery("24h", { now }), "");
  assert.equal(periodQuery("24h", { now, site: "demo" }), "site=demo");
  const today = new URLSearchParams(periodQuery("today", { now }));
  assert.equal(new Date(today.get("from")).getTime(), new Date(2026, 11, 3).getTime());
  assert.equal(today.get("to"), now.toISOString());
  const week = new URLSearchParams(periodQuery("7d", { now }));
  assert.equal(new Date(week.get("to")) - new Date(week.get("from")), 7 * 86400e3);
  // Custom dates: the end date is included, up to the next midnight.
  const custom = new URLSearchParams(periodQuery("custom", { from: "2026-12-01", to: "2026-12-02" }));
  assert.equal(new Date(custom.get("from")).getTime(), new Date(2026, 11, 1).getTime());
  assert.equal(new Date(custom.get("to")).getTime(), new Date(2026, 11, 3).getTime());
  assert.throws(() => periodQuery("custom", { from: "2026-12-02", to: "2026-12-01" }), /end date/);
  assert.throws(() => periodQuery("custom", { from: "", to: "" }), /both dates/);
});

test("errors are said plainly", () => {
  assert.match(errorText(403, {}), /supervisors and admins/);
  assert.match(errorText(400, { error: { message: "bad from" } }), /400: bad from/);
});

test("the figures table's rows over an empty channel", () => {
  const empty = { offered: 0, handled: 0, abandoned: 0, short_abandoned: 0, service_level: { value_pct: null, threshold_s: 30, target_pct: 80 }, asa_s: null, wait_p90_s: null, aht_s: null, fcr_pct: null, ces_avg: null, survey_responses: 0 };
  const summary = { all: empty, channels: { chat: empty } };
  const texts = ROWS.map(([, fn]) => fn(figuresOf(summary, "chat")));
  assert.deepEqual(texts, ["0", "0", "— (target 80 % in 30 s)", "—", "—", "0 (0)", "—", "—", "—", "0"]);
});

test("a series is by hour for up to two days, by day beyond", () => {
  assert.equal(seriesInterval("2026-12-03T00:00:00Z", "2026-12-03T13:00:00Z"), "hour");
  assert.equal(seriesInterval("2026-12-01T00:00:00Z", "2026-12-03T00:00:00Z"), "hour");
  assert.equal(seriesInterval("2026-11-26T00:00:00Z", "2026-12-03T00:00:00Z"), "day");
});

test("the series' rows keep a bucket with nothing to measure as null, not 0", () => {
  const none = { offered: 0, handled: 0, abandoned: 0, short_abandoned: 0, service_level_pct: null, asa_s: null };
  const rows = seriesRows({
    interval: "hour",
    buckets: [
      { from: "2026-12-03T10:00:00Z", to: "2026-12-03T11:00:00Z", all: { offered: 4, handled: 3, abandoned: 1, short_abandoned: 0, service_level_pct: 75, asa_s: 12.5 } },
      { from: "2026-12-03T11:00:00Z", to: "2026-12-03T12:00:00Z", all: none },
    ],
  });
  assert.deepEqual(rows.map((r) => [r.offered, r.sl, r.asa_s]), [[4, 75, 12.5], [0, null, null]]);
  assert.match(rows[0].label, /^\d\d:\d\d$/);
});
