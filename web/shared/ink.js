// Strokes as SVG: one <g> per stroke, drawn the same way on the shopper's page (widget overlay)
// and over the replay in the console. Points are in the surface's own units: CSS pixels of the
// page for surface "page", or already scaled by the caller for surface "video".
const NS = "http://www.w3.org/2000/svg";

export const TOOLS = ["arrow", "pen", "highlighter", "laser", "ink"];
export const COLORS = ["#ff3b30", "#ffcc00", "#0a84ff", "#34c759", "#111111"];
// How long the vanishing tools stay, when the stroke does not say.
export const DEFAULT_TTL = { laser: 1500, ink: 4000 };

function el(tag, attrs) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  return n;
}

export function svgRoot(attrs) {
  return el("svg", { xmlns: NS, ...attrs });
}

const fmt = (n) => Math.round(n * 10) / 10;
const path = (pts) => pts.map(([x, y], i) => `${i ? "L" : "M"}${fmt(x)} ${fmt(y)}`).join("") || "M0 0";

// pts: [[x, y], ...] in the target's coordinates.
export function strokeNode(stroke, pts) {
  const { tool, color } = stroke;
  const g = el("g", { "data-stroke": stroke.id, "data-tool": tool, fill: "none", "stroke-linecap": "round", "stroke-linejoin": "round" });
  if (tool === "arrow") {
    const [x1, y1] = pts[0];
    const [x2, y2] = pts[pts.length - 1];
    const a = Math.atan2(y2 - y1, x2 - x1);
    const len = 22;
    const wing = (s) => [x2 - len * Math.cos(a + s * 0.45), y2 - len * Math.sin(a + s * 0.45)];
    const [lx, ly] = wing(1);
    const [rx, ry] = wing(-1);
    // A white halo first, so the arrow reads on any background.
    for (const [w, c] of [[9, "#fff"], [5, color]]) {
      g.append(el("line", { x1: fmt(x1), y1: fmt(y1), x2: fmt(x2), y2: fmt(y2), stroke: c, "stroke-width": w, "data-tip": `${fmt(x2)},${fmt(y2)}` }));
      g.append(el("path", { d: `M${fmt(lx)} ${fmt(ly)}L${fmt(x2)} ${fmt(y2)}L${fmt(rx)} ${fmt(ry)}`, stroke: c, "stroke-width": w }));
    }
    return g;
  }
  const d = path(pts.length === 1 ? [pts[0], [pts[0][0] + 0.1, pts[0][1]]] : pts);
  if (tool === "highlighter") {
    g.append(el("path", { d, stroke: color, "stroke-width": 18, "stroke-opacity": 0.35, "stroke-linecap": "square" }));
  } else if (tool === "laser") {
    g.append(el("path", { d, stroke: color, "stroke-width": 12, "stroke-opacity": 0.3 }));
    g.append(el("path", { d, stroke: "#fff", "stroke-width": 3 }));
  } else {
    g.append(el("path", { d, stroke: "#fff", "stroke-width": 7, "stroke-opacity": 0.8 }));
    g.append(el("path", { d, stroke: color, "stroke-width": 4 }));
  }
  return g;
}

// Vanishing tools fade out over their last 40 % and are then removed.
export function vanish(node, stroke) {
  const ttl = stroke.ttl_ms || DEFAULT_TTL[stroke.tool];
  if (!ttl) return;
  const fade = Math.min(600, ttl * 0.4);
  node.style.transition = `opacity ${fade}ms linear`;
  setTimeout(() => (node.style.opacity = "0"), ttl - fade);
  setTimeout(() => node.remove(), ttl);
}
