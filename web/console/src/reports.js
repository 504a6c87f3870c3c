// The supervisor's reports, below the live queue: a period's figures per channel from
// GET /api/v1/reports/summary (docs/reports.md), the top reasons with their customers' comments,
// a bar chart of contacts by reason (plain SVG, no library) and the CSV download.
// The pure helpers (period, formatting) are exported for the node tests; ReportsPanel draws.
import { h } from "../../shared/dom.js";

export const CHANNELS = ["chat", "video", "callback", "all"];
const LABEL = { chat: "Chat", video: "Video", callback: "Callback", all: "All" };
export const REFRESH_MIN_MS = 3000; // live refreshes: at most one per this many ms

// A null figure is "—", never 0 (docs/reports.md: nothing to measure is null).
export const dash = "—";
export function fmtPct(v) {
  return v == null ? dash : `${Math.round(v * 10) / 10} %`;
}
export function fmtSecs(v) {
  return v == null ? dash : `${Math.round(v * 10) / 10} s`;
}
export function fmtNum(v, digits = 1) {
  return v == null ? dash : String(Math.round(v * 10 ** digits) / 10 ** digits);
}
// "78 % (target 80 % in 30 s)"; for all channels the target is per channel, so none is shown.
export function fmtServiceLevel(sl) {
  if (!sl) return dash;
  const v = fmtPct(sl.value_pct);
  return sl.target_pct == null || sl.threshold_s == null ? v : `${v} (target ${fmtPct(sl.target_pct)} in ${fmtNum(sl.threshold_s, 0)} s)`;
}

// The query of a period: kind "24h" (the hub's default: no from/to), "today" (since local
// midnight), "7d", or "custom" with from/to dates (YYYY-MM-DD, local, "to" included).
export function periodQuery(kind, opts = {}) {
  const now = opts.now ? new Date(opts.now) : new Date();
  const q = {};
  if (kind === "today") {
    const start = new Date(now);
    start.setHours(0, 0, 0, 0);
    q.from = start.toISOString();
    q.to = now.toISOString();
  } else if (kind === "7d") {
    q.from = new Date(now.getTime() - 7 * 86400e3).toISOString();
    q.to = now.toISOString();
  } else if (kind === "custom") {
    if (!opts.from || !opts.to) throw new Error("Choose both dates");
    const start = new Date(`${opts.from}T00:00:00`);
    const end = new Date(`${opts.to}T00:00:00`);
    end.setDate(end.getDate() + 1);
    if (isNaN(start) || isNaN(end) || end <= start) throw new Error("The end date must not be before the start date");
    q.from = start.toISOString();
    q.to = end.toISOString();
  }
  if (opts.site) q.site = opts.site;
  return new URLSearchParams(q).toString();
}

// The hours of a period, for the hourly chart: [{from, to}] ISO, the last one ending at "to".
// Only for periods of at most a day (one summary per hour: 24 calls at most).
export function hourWindows(from, to) {
  const start = new Date(from).getTime();
  const end = new Date(to).getTime();
  if (!(end > start) || end - start > 86400e3 + 1000) return [];
  const out = [];
  let t = start - (start % 3600e3);
  for (; t < end; t += 3600e3) out.push({ from: new Date(Math.max(t, start)).toISOString(), to: new Date(Math.min(t + 3600e3, end)).toISOString() });
  return out;
}
export const HOURLY_MIN_MS = 60000; // live refreshes of the hourly series: at most once a minute

// What an error answer says, plainly.
export function errorText(status, body) {
  if (status === 403) return "Reports are for supervisors and admins (403 forbidden).";
  if (status === 401) return "Your session has expired: sign in again (401).";
  const msg = body && body.error && body.error.message;
  return `Could not load the reports (${status}${msg ? ": " + msg : ""}).`;
}

// The rows of the figures table: [label, (channel figures) -> text].
export const ROWS = [
  ["Offered", (f) => String(f.offered)],
  ["Handled", (f) => String(f.handled)],
  ["Service level", (f) => fmtServiceLevel(f.service_level)],
  ["ASA (average wait)", (f) => fmtSecs(f.asa_s)],
  ["p90 wait", (f) => fmtSecs(f.wait_p90_s)],
  ["Abandoned (short)", (f) => `${f.abandoned} (${f.short_abandoned})`],
  ["AHT (handle time)", (f) => fmtSecs(f.aht_s)],
  ["FCR (resolved first time)", (f) => fmtPct(f.fcr_pct)],
  ["CES (effort, 1 easy – 7 hard)", (f) => fmtNum(f.ces_avg)],
  ["Survey responses", (f) => String(f.survey_responses)],
];

export function figuresOf(summary, ch) {
  return ch === "all" ? summary.all : summary.channels[ch];
}

// Contacts by reason as accessible SVG bars: role="img" with a text alternative, plus a
// caption; the same numbers are in the reasons list beside it.
export function reasonsChart(reasons) {
  const NS = "http://www.w3.org/2000/svg";
  const max = Math.max(1, ...reasons.map((r) => r.count));
  const rowH = 26;
  const width = 420;
  const labelW = 150;
  const svg = document.createElementNS(NS, "svg");
  const alt = "Contacts by reason: " + reasons.map((r) => `${r.reason} ${r.count}`).join(", ");
  svg.setAttribute("viewBox", `0 0 ${width} ${rowH * reasons.length + 4}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", alt);
  svg.setAttribute("class", "bars");
  const el = (tag, attrs, text) => {
    const n = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    if (text != null) n.textContent = text;
    return n;
  };
  reasons.forEach((r, i) => {
    const y = i * rowH + 2;
    const w = Math.max(2, ((width - labelW - 40) * r.count) / max);
    svg.append(el("text", { x: labelW - 6, y: y + 16, "text-anchor": "end", class: "bar-label" }, r.reason.length > 22 ? r.reason.slice(0, 21) + "…" : r.reason));
    svg.append(el("rect", { x: labelW, y: y + 3, width: w, height: rowH - 8, rx: 3, class: "bar" }));
    svg.append(el("text", { x: labelW + w + 6, y: y + 16, class: "bar-n" }, String(r.count)));
  });
  return svg;
}

// Service level and ASA by hour: two rows of small SVG bars, a table of the same numbers for
// screen readers (and anyone) below.
export function hourlyChart(hours) {
  const NS = "http://www.w3.org/2000/svg";
  const el = (tag, attrs, text) => {
    const n = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    if (text != null) n.textContent = text;
    return n;
  };
  const width = 480;
  const bw = width / Math.max(1, hours.length);
  const maxAsa = Math.max(1, ...hours.map((x) => x.asa_s || 0));
  const svg = el("svg", { viewBox: `0 0 ${width} 150`, role: "img", class: "bars hourly", "aria-label": "Service level and average wait by hour: " + hours.map((x) => `${x.label} ${fmtPct(x.sl)}, ${fmtSecs(x.asa_s)}`).join("; ") });
  svg.append(el("text", { x: 0, y: 10, class: "bar-n" }, "Service level (0–100 %)"), el("text", { x: 0, y: 82, class: "bar-n" }, `ASA (0–${fmtSecs(maxAsa)})`));
  hours.forEach((x, i) => {
    const sl = x.sl == null ? 0 : (55 * x.sl) / 100;
    if (x.sl != null) svg.append(el("rect", { x: i * bw + 1, y: 68 - sl, width: Math.max(1, bw - 2), height: Math.max(1, sl), class: "bar" }));
    const a = x.asa_s == null ? 0 : (45 * x.asa_s) / maxAsa;
    if (x.asa_s != null) svg.append(el("rect", { x: i * bw + 1, y: 135 - a, width: Math.max(1, bw - 2), height: Math.max(1, a), class: "bar alt" }));
    if (i % 3 === 0 && i < hours.length - 2) svg.append(el("text", { x: i * bw, y: 148, class: "bar-label" }, x.label));
  });
  return svg;
}

export class ReportsPanel {
  constructor(app) {
    this.app = app;
    this.summary = null;
    this.error = null;
    this.loading = false;
    this.lastAt = 0;
    this.timer = null;
    this.seq = 0; // only the latest answer is drawn
    this.fetches = 0; // for tests: how many summaries were asked for
    const periodSel = (this.periodSel = h(
      "select",
      { id: "rep-period", onchange: () => this.onPeriod() },
      h("option", { value: "24h" }, "Last 24 hours"),
      h("option", { value: "today" }, "Today"),
      h("option", { value: "7d" }, "Last 7 days"),
      h("option", { value: "custom" }, "From – to dates…"),
    ));
    this.fromIn = h("input", { type: "date", id: "rep-from", onchange: () => this.refresh() });
    this.toIn = h("input", { type: "date", id: "rep-to", onchange: () => this.refresh() });
    this.dates = h("span", { class: "rep-dates", hidden: true }, h("label", { for: "rep-from" }, "From "), this.fromIn, h("label", { for: "rep-to" }, " to "), this.toIn);
    this.siteSel = h("select", { id: "rep-site", onchange: () => this.refresh() }, h("option", { value: "" }, "All sites"));
    this.status = h("p", { class: "rep-status muted small", id: "rep-status", role: "status", "aria-live": "polite" });
    this.body = h("div", { class: "rep-body", id: "rep-body" });
    this.el = h(
      "section",
      { class: "page-pad reports", id: "reports", "aria-labelledby": "rep-h" },
      h("h2", { id: "rep-h" }, "Figures"),
      h(
        "div",
        { class: "rep-controls" },
        h("label", { for: "rep-period" }, "Period "),
        periodSel,
        this.dates,
        h("label", { for: "rep-site" }, " Site "),
        this.siteSel,
        h("button", { type: "button", class: "ghost", id: "rep-refresh", onclick: () => this.refresh() }, "Refresh"),
        h("button", { type: "button", class: "ghost", id: "rep-csv", onclick: () => this.download() }, "Download CSV"),
      ),
      this.status,
      this.body,
    );
  }

  onPeriod() {
    const custom = this.periodSel.value === "custom";
    this.dates.hidden = !custom;
    if (custom && !this.fromIn.value) {
      const d = new Date();
      const ymd = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
      this.fromIn.value = this.toIn.value = ymd;
    }
    this.refresh();
  }

  // The sites of the snapshot (keys), for the filter; kept if the supervisor chose one.
  syncSites() {
    const sites = Object.values((this.app.state && this.app.state.sites) || {}).filter((s) => s && s.key);
    const keys = sites.map((s) => s.key).sort();
    const have = [...this.siteSel.options].slice(1).map((o) => o.value);
    if (keys.join() === have.join()) return;
    const chosen = this.siteSel.value;
    this.siteSel.textContent = "";
    this.siteSel.append(h("option", { value: "" }, "All sites"), ...keys.map((k) => h("option", { value: k }, (sites.find((s) => s.key === k) || {}).name || k)));
    this.siteSel.value = keys.includes(chosen) ? chosen : "";
  }

  query() {
    return periodQuery(this.periodSel.value, { from: this.fromIn.value, to: this.toIn.value, site: this.siteSel.value });
  }

  // Live: called on the hub's events; refreshes at most once per REFRESH_MIN_MS.
  schedule() {
    if (this.timer) return;
    const wait = Math.max(0, this.lastAt + REFRESH_MIN_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh(true);
    }, wait);
  }

  async refresh(live = false) {
    this.syncSites();
    let qs;
    try {
      qs = this.query();
    } catch (err) {
      this.showError(err.message);
      return;
    }
    const seq = ++this.seq;
    this.lastAt = Date.now();
    this.fetches++;
    this.status.textContent = "Loading…";
    try {
      const res = await fetch(`/api/v1/reports/summary?${qs}`, { headers: { Authorization: `Bearer ${this.app.token}` } });
      const body = await res.json().catch(() => ({}));
      if (seq !== this.seq) return;
      if (!res.ok) return this.showError(errorText(res.status, body));
      this.summary = body;
      this.error = null;
      this.status.textContent = `${fmtRange(body.from, body.to)} · updated ${new Date().toLocaleTimeString()}`;
      this.draw();
      if (!live || Date.now() - (this.hourlyAt || 0) > HOURLY_MIN_MS) this.refreshHourly(body, qs, seq);
    } catch (_) {
      if (seq === this.seq) this.showError("Could not reach the hub to load the reports.");
    }
  }

  // One summary per hour of the period (a day at most): the summary has no hourly series.
  async refreshHourly(summary, qs, seq) {
    const wins = hourWindows(summary.from, summary.to);
    this.hourlyAt = Date.now();
    if (!wins.length) {
      this.hourly = null;
      return this.drawHourly();
    }
    const site = new URLSearchParams(qs).get("site");
    try {
      const hours = await Promise.all(
        wins.map(async (wdw) => {
          const q = new URLSearchParams({ from: wdw.from, to: wdw.to, ...(site ? { site } : {}) });
          const res = await fetch(`/api/v1/reports/summary?${q}`, { headers: { Authorization: `Bearer ${this.app.token}` } });
          if (!res.ok) throw new Error(String(res.status));
          const b = await res.json();
          const d = new Date(wdw.from);
          return { label: `${String(d.getHours()).padStart(2, "0")}:00`, offered: b.all.offered, sl: b.all.service_level.value_pct, asa_s: b.all.asa_s, p90: b.all.wait_p90_s };
        }),
      );
      if (seq !== this.seq) return;
      this.hourly = hours;
    } catch (_) {
      if (seq !== this.seq) return;
      this.hourly = "error";
    }
    this.drawHourly();
  }

  drawHourly() {
    const box = this.body.querySelector("#rep-hourly");
    if (!box) return;
    box.textContent = "";
    box.append(h("h3", { id: "rep-hourly-h" }, "By hour"));
    if (this.hourly === "error") return box.append(h("p", { class: "error" }, "Could not load the hourly figures."));
    if (!this.hourly) return box.append(h("p", { class: "muted small" }, "By hour for periods of a day at most (today, the last 24 hours)."));
    const rows = this.hourly.filter((x) => x.offered);
    box.append(
      h("figure", { class: "rep-chart" }, hourlyChart(this.hourly), h("figcaption", { class: "small muted" }, "Service level (top) and average speed of answer (bottom), all channels, by the hour contacts came in.")),
      h(
        "details",
        {},
        h("summary", {}, "The hourly figures as a table"),
        h(
          "table",
          { class: "grid", id: "rep-hourly-table" },
          h("thead", {}, h("tr", {}, ...["Hour", "Offered", "Service level", "ASA", "p90 wait"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, rows.map((x) => h("tr", {}, h("th", { scope: "row" }, x.label), h("td", {}, String(x.offered)), h("td", {}, fmtPct(x.sl)), h("td", {}, fmtSecs(x.asa_s)), h("td", {}, fmtSecs(x.p90))))),
        ),
      ),
    );
  }

  showError(text) {
    this.error = text;
    this.status.textContent = "";
    this.body.textContent = "";
    this.body.append(h("p", { class: "error", role: "alert", id: "rep-error" }, text));
  }

  async download() {
    const btn = this.el.querySelector("#rep-csv");
    let qs;
    try {
      qs = this.query();
    } catch (err) {
      return this.showError(err.message);
    }
    btn.disabled = true;
    try {
      const res = await fetch(`/api/v1/reports/contacts.csv?${qs}`, { headers: { Authorization: `Bearer ${this.app.token}` } });
      if (!res.ok) return this.showError(errorText(res.status, await res.json().catch(() => ({}))));
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: `contacts-${new Date().toISOString().slice(0, 10)}.csv`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (_) {
      this.showError("Could not download the CSV.");
    } finally {
      btn.disabled = false;
    }
  }

  draw() {
    queueMicrotask(() => this.drawHourly());
    const s = this.summary;
    this.body.textContent = "";
    const table = h(
      "table",
      { class: "grid rep-figures", id: "rep-figures" },
      h("caption", { class: "sr-only" }, "Figures per channel for the period"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Figure"), ...CHANNELS.map((ch) => h("th", { scope: "col", "data-channel": ch }, LABEL[ch])))),
      h(
        "tbody",
        {},
        ROWS.map(([label, fn]) => h("tr", {}, h("th", { scope: "row" }, label), ...CHANNELS.map((ch) => h("td", { "data-channel": ch }, fn(figuresOf(s, ch)))))),
      ),
    );
    const reasons = s.top_reasons || [];
    const voc = h(
      "ol",
      { class: "rep-reasons", id: "rep-reasons" },
      reasons.map((r) =>
        h(
          "li",
          { "data-reason": r.reason },
          h("strong", {}, r.reason),
          ` · ${r.count} contact${r.count === 1 ? "" : "s"} · resolved ${fmtPct(r.resolved_pct)}`,
          (r.comments || []).length ? h("ul", { class: "rep-comments" }, r.comments.map((c) => h("li", {}, h("q", {}, c)))) : null,
        ),
      ),
    );
    const open = Object.keys((this.app.state && this.app.state.flags) || {}).length;
    const flags = (s.flags || []).length;
    this.body.append(
      table,
      h(
        "div",
        { class: "rep-cols" },
        h(
          "section",
          { "aria-labelledby": "rep-chart-h" },
          h("h3", { id: "rep-chart-h" }, "Contacts by reason"),
          reasons.length ? h("figure", { class: "rep-chart" }, reasonsChart(reasons), h("figcaption", { class: "small muted" }, "Wrap-up reasons of the period's contacts, most frequent first.")) : h("p", { class: "empty" }, "No wrap-up reasons in this period."),
        ),
        h("section", { id: "rep-hourly", "aria-labelledby": "rep-hourly-h" }),
        h("section", { "aria-labelledby": "rep-voc-h" }, h("h3", { id: "rep-voc-h" }, "Voice of the customer"), reasons.length ? voc : h("p", { class: "empty" }, "No reasons yet.")),
      ),
      h(
        "p",
        { class: "small", id: "rep-flags" },
        `Stopped lines: ${open} open now (see the banner above)` + ` · ${flags} raised in this period.`,
      ),
      h("p", { class: "small muted" }, `Orders ${s.orders} · contacts per order ${fmtNum(s.contacts_per_order, 2)} · callbacks reached ${fmtPct(s.callbacks && s.callbacks.success_pct)}`),
    );
  }
}

function fmtRange(from, to) {
  const f = (t) => new Date(t).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  return `${f(from)} – ${f(to)}`;
}
