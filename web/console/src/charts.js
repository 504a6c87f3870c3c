// The reports' charts, drawn by Chart.js (tree-shaken to the parts used here), built as a
// bundle of its own (console/charts.js) that the reports view loads the first time it draws,
// so that an agent's console never downloads it. A canvas says nothing to a screen reader,
// so every chart is role="img" with its figures as a text alternative, and the same numbers
// are in a table beside it.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";
import { h } from "../../shared/dom.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

const INK = "#5f6675"; // --muted
const BAR = "#4f46e5"; // --brand
const LINE = "#b06000"; // --warn
const GRID = "#e2e4ea"; // --line

// A chart on a fresh canvas in a wrapper; `charts` keeps it so the next draw destroys it.
function draw(charts, id, label, height, config) {
  const c = h("canvas", { id, role: "img", "aria-label": label });
  const box = h("div", { class: "rep-canvas", style: `height:${height}px` }, c);
  charts.push(
    new Chart(c, {
      ...config,
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        ...config.options,
        plugins: { legend: { labels: { color: INK, boxWidth: 12 } }, ...(config.options && config.options.plugins) },
      },
    }),
  );
  return box;
}

// Contacts by wrap-up reason, most frequent first: horizontal bars.
export function reasonsChart(charts, reasons, alt) {
  return draw(charts, "rep-reasons-chart", alt, Math.max(90, 28 * reasons.length + 30), {
    type: "bar",
    data: {
      labels: reasons.map((r) => (r.reason.length > 24 ? r.reason.slice(0, 23) + "…" : r.reason)),
      datasets: [{ label: "Contacts", data: reasons.map((r) => r.count), backgroundColor: BAR, borderRadius: 3 }],
    },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: {
        x: { beginAtZero: true, ticks: { color: INK, precision: 0 }, grid: { color: GRID } },
        y: { ticks: { color: INK }, grid: { display: false } },
      },
    },
  });
}

// Service level (bars, left axis, 0–100 %) and average speed of answer (line, right axis, s)
// per bucket of the period; a bucket with nothing to measure has no bar and no point.
export function seriesChart(charts, rows, alt) {
  return draw(charts, "rep-series-chart", alt, 220, {
    type: "bar",
    data: {
      labels: rows.map((x) => x.label),
      datasets: [
        { type: "bar", label: "Service level (%)", data: rows.map((x) => x.sl), backgroundColor: BAR, borderRadius: 2, yAxisID: "sl" },
        { type: "line", label: "ASA (s)", data: rows.map((x) => x.asa_s), borderColor: LINE, backgroundColor: LINE, pointRadius: 2, spanGaps: false, yAxisID: "asa" },
      ],
    },
    options: {
      scales: {
        x: { ticks: { color: INK, autoSkip: true, maxRotation: 0 }, grid: { display: false } },
        sl: { position: "left", min: 0, max: 100, ticks: { color: INK }, grid: { color: GRID }, title: { display: true, text: "%", color: INK } },
        asa: { position: "right", beginAtZero: true, ticks: { color: INK }, grid: { display: false }, title: { display: true, text: "s", color: INK } },
      },
    },
  });
}

window.LifelineCharts = { reasonsChart, seriesChart };
