// The supervisor's reports, below the live queue: a period's figures per channel from
// GET /api/v1/reports/summary (docs/reports.md), the top reasons with their customers' comments,
// the period by hour or by day from GET /api/v1/reports/series, charts of both (charts.js,
// Chart.js, loaded on first use) with tables of the same numbers, and the CSV download.
// The pure helpers (period, formatting) are exported for the node tests; ReportsPanel draws.
import { h } from "../../shared/dom.js";

const CHARTS_PATH = "/console/charts.js";
let chartsLoading = null;

// The chart bundle (window.LifelineCharts), loaded once, the first time a chart is drawn.
function loadCharts() {
  if (window.LifelineCharts) return Promise.resolve(window.LifelineCharts);
  if (!chartsLoading) {
    chartsLoading = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = `${CHARTS_PATH}?v=${__VERSION__}`;
      s.async = true;
      s.onload = () => (window.LifelineCharts ? resolve(window.LifelineCharts) : reject(new Error("no charts")));
      s.onerror = () => {
        chartsLoading = null; // the next draw tries again
        reject(new Error("the charts could not load"));
      };
      document.head.appendChild(s);
    });
  }
  return chartsLoading;
}

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

// The buckets of a period's series: by hour for up to two days, else by day.
export function seriesInterval(from, to) {
  return new Date(to).getTime() - new Date(from).getTime() <= 2 * 86400e3 + 1000 ? "hour" : "day";
}
// A bucket's label, in the browser's time: "14:00" by hour, "3 Dec" by day.
export function bucketLabel(iso, interval) {
  const d = new Date(iso);
  if (interval === "hour") return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  return d.toLocaleDateString([], { day: "numeric", month: "short" });
}
// The series' rows for the chart and its table: all channels, one row per bucket.
export function seriesRows(series) {
  return series.buckets.map((b) => ({
    label: bucketLabel(b.from, series.interval),
    offered: b.all.offered,
    handled: b.all.handled,
    abandoned: b.all.abandoned,
    sl: b.all.service_level_pct,
    asa_s: b.all.asa_s,
  }));
}

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
    this.charts = []; // Chart.js instances drawn, destroyed before the next draw
    this.series = null;
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
      this.refresh();
    }, wait);
  }

  async refresh() {
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
      this.refreshSeries(body, seq);
    } catch (_) {
      if (seq === this.seq) this.showError("Could not reach the hub to load the reports.");
    }
  }

  // The period's series, by hour or by day, for exactly the summary's period.
  async refreshSeries(summary, seq) {
    const interval = seriesInterval(summary.from, summary.to);
    const q = new URLSearchParams({ from: summary.from, to: summary.to, interval, ...(summary.site ? { site: summary.site } : {}) });
    try {
      const res = await fetch(`/api/v1/reports/series?${q}`, { headers: { Authorization: `Bearer ${this.app.token}` } });
      if (!res.ok) throw new Error(String(res.status));
      const body = await res.json();
      if (seq !== this.seq) return;
      this.series = body;
    } catch (_) {
      if (seq !== this.seq) return;
      this.series = "error";
    }
    this.drawSeries();
  }

  drawSeries() {
    const box = this.body.querySelector("#rep-series");
    if (!box) return;
    box.textContent = "";
    const by = this.series && this.series !== "error" && this.series.interval === "day" ? "day" : "hour";
    box.append(h("h3", { id: "rep-series-h" }, `By ${by}`));
    if (this.series === "error") return box.append(h("p", { class: "error" }, "Could not load the figures by hour."));
    if (!this.series) return box.append(h("p", { class: "muted small" }, "Loading…"));
    const rows = seriesRows(this.series);
    const alt = `Service level and average speed of answer by ${by}: ` + rows.filter((x) => x.offered).map((x) => `${x.label} ${fmtPct(x.sl)}, ${fmtSecs(x.asa_s)}`).join("; ");
    box.append(
      h("figure", { class: "rep-chart" }, this.chart((C) => C.seriesChart(this.charts, rows, alt)), h("figcaption", { class: "small muted" }, `Service level (bars) and average speed of answer (line), all channels, by the ${by} contacts came in.`)),
      h(
        "details",
        {},
        h("summary", {}, `The figures by ${by} as a table`),
        h(
          "table",
          { class: "grid", id: "rep-series-table" },
          h("thead", {}, h("tr", {}, ...[by === "day" ? "Day" : "Hour", "Offered", "Handled", "Abandoned", "Service level", "ASA"].map((t) => h("th", { scope: "col" }, t)))),
          h(
            "tbody",
            {},
            rows.filter((x) => x.offered).map((x) => h("tr", {}, h("th", { scope: "row" }, x.label), h("td", {}, String(x.offered)), h("td", {}, String(x.handled)), h("td", {}, String(x.abandoned)), h("td", {}, fmtPct(x.sl)), h("td", {}, fmtSecs(x.asa_s)))),
          ),
        ),
      ),
    );
  }

  // A box that gets its chart once the chart bundle is there (unless redrawn meanwhile);
  // if the bundle cannot load, the table beside it still has every figure.
  chart(make) {
    const box = h("div", { class: "rep-chart-box" });
    loadCharts().then(
      (C) => box.isConnected && box.append(make(C)),
      () => box.isConnected && box.append(h("p", { class: "muted small" }, "The chart could not load; the figures are in the table.")),
    );
    return box;
  }

  destroyCharts() {
    for (const c of this.charts) c.destroy();
    this.charts = [];
  }

  showError(text) {
    this.error = text;
    this.status.textContent = "";
    this.destroyCharts();
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
    const s = this.summary;
    this.destroyCharts();
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
          reasons.length
            ? h("figure", { class: "rep-chart" }, this.chart((C) => C.reasonsChart(this.charts, reasons, "Contacts by reason: " + reasons.map((r) => `${r.reason} ${r.count}`).join(", "))), h("figcaption", { class: "small muted" }, "Wrap-up reasons of the period's contacts, most frequent first."))
            : h("p", { class: "empty" }, "No wrap-up reasons in this period."),
        ),
        h("section", { id: "rep-series", "aria-labelledby": "rep-series-h" }),
        h("section", { "aria-labelledby": "rep-voc-h" }, h("h3", { id: "rep-voc-h" }, "Voice of the customer"), reasons.length ? voc : h("p", { class: "empty" }, "No reasons yet.")),
      ),
      h(
        "p",
        { class: "small", id: "rep-flags" },
        `Stopped lines: ${open} open now (see the banner above)` + ` · ${flags} raised in this period.`,
      ),
      h("p", { class: "small muted" }, `Orders ${s.orders} · contacts per order ${fmtNum(s.contacts_per_order, 2)} · callbacks reached ${fmtPct(s.callbacks && s.callbacks.success_pct)}`),
    );
    this.drawSeries();
  }
}

function fmtRange(from, to) {
  const f = (t) => new Date(t).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  return `${f(from)} – ${f(to)}`;
}
