// The shopper's drawing overlay: the agent's strokes over the page. It sits in page
// coordinates (absolutely positioned at the document's origin, so it scrolls with the page),
// takes no clicks (pointer-events: none), has no size of its own (the SVG overflows it, which
// adds no scrolling) and is blocked from the recording like the rest of the widget.
import { strokeNode, svgRoot, vanish } from "../../../shared/ink.js";

const STYLE = `:host{all:initial!important;position:absolute!important;left:0!important;top:0!important;width:0!important;height:0!important;
 overflow:visible!important;pointer-events:none!important;z-index:2147482999!important;display:block!important;margin:0!important;
 transform:none!important;visibility:visible!important;opacity:1!important;contain:none!important}
svg{position:absolute;left:0;top:0;width:1px;height:1px;overflow:visible;pointer-events:none}
svg.video{position:fixed;width:100vw;height:100vh}
g{transition:opacity .4s linear}
.laser{position:fixed;left:0;top:0;width:16px;height:16px;margin:-8px 0 0 -8px;border-radius:50%;background:var(--c,#ff3b30);
 box-shadow:0 0 8px 4px var(--c,#ff3b30);opacity:.85;pointer-events:none;will-change:transform}
.laser[hidden]{display:none}`;

export class Overlay {
  constructor() {
    this.host = document.createElement("lifeline-overlay");
    this.host.setAttribute("aria-hidden", "true");
    const root = this.host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = STYLE;
    this.page = svgRoot({ class: "page", "data-surface": "page" });
    this.video = svgRoot({ class: "video", "data-surface": "video" });
    // The agent's live laser pointer: a dot over the viewport, placed in fractions of it (the
    // page's viewport as the agent's replay shows it, or the shared screen's picture).
    this.dot = document.createElement("div");
    this.dot.className = "laser";
    this.dot.hidden = true;
    root.append(style, this.page, this.video, this.dot);
    document.documentElement.appendChild(this.host);
  }

  draw(stroke) {
    if (!stroke || !Array.isArray(stroke.points) || !stroke.points.length) return;
    const old = this.host.shadowRoot.querySelector(`g[data-stroke="${String(stroke.id).replace(/["\\]/g, "")}"]`);
    if (old) old.remove();
    let node;
    if (stroke.surface === "video") {
      // A shared screen's fractions, drawn over the viewport: exact when the shopper shares
      // this tab, which is what the "share my screen" button offers first.
      const w = window.innerWidth;
      const hgt = window.innerHeight;
      node = strokeNode(stroke, stroke.points.map(([x, y]) => [x * w, y * hgt]));
      this.video.append(node);
    } else {
      node = strokeNode(stroke, stroke.points);
      this.page.append(node);
    }
    vanish(node, stroke);
  }

  // Placed at once, on the hub's word: the browser shows it at its next frame.
  laser(x, y, color) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    this.dot.style.transform = `translate(${x * window.innerWidth}px, ${y * window.innerHeight}px)`;
    if (typeof color === "string" && /^#[0-9a-fA-F]{6}$/.test(color)) this.dot.style.setProperty("--c", color);
    this.dot.hidden = false;
  }

  laserOff() {
    this.dot.hidden = true;
  }

  clear() {
    this.page.textContent = "";
    this.video.textContent = "";
  }

  remove() {
    this.host.remove();
  }
}
