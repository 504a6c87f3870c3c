// What the replay of a shopper's page may make the agent's browser fetch: URLs of the page's
// own origin and data: URLs, nothing else. A snapshot is the shopper's to write, so without
// this a crafted one could make the console load any address (leaking the agent's, or poking
// at hosts on the agent's network). Others are emptied before rrweb sees the event; the
// console's Content-Security-Policy is the second fence.

// Attributes whose value is fetched (or followed) as a URL.
const URL_ATTRS = new Set(["src", "href", "xlink:href", "poster", "background", "action", "formaction", "data", "ping", "longdesc", "lowsrc", "dynsrc", "manifest", "icon", "codebase", "cite", "archive", "profile"]);
const SRCSET_ATTRS = new Set(["srcset", "imagesrcset"]);
const CSS_ATTRS = new Set(["style", "_csstext"]);
// rrweb's event and incremental-source numbers (@rrweb/types).
const FULL_SNAPSHOT = 2;
const INCREMENTAL = 3;
const META = 4;
const MUTATION = 0;
const STYLE_SHEET_RULE = 8;
const FONT = 10;
const STYLE_DECLARATION = 13;
const ADOPTED_STYLE_SHEET = 15;

export class UrlGuard {
  constructor(pageHref) {
    this.setPage(pageHref);
  }

  // The page's address, from the recording's Meta event: its origin is the one allowed.
  setPage(pageHref) {
    this.base = null;
    this.origin = null;
    try {
      const u = new URL(pageHref);
      if (u.protocol === "http:" || u.protocol === "https:") {
        this.base = u.href;
        this.origin = u.origin;
      }
    } catch (_) {
      /* no page known: only data: URLs pass */
    }
  }

  allowed(raw) {
    const value = String(raw).trim();
    if (!value || value.startsWith("#") || /^data:/i.test(value)) return true;
    if (!this.origin) return false;
    try {
      const u = new URL(value, this.base);
      return (u.protocol === "http:" || u.protocol === "https:") && u.origin === this.origin;
    } catch (_) {
      return false;
    }
  }

  css(text) {
    if (typeof text !== "string") return text;
    return text
      .replace(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi, (m, _q, u) => (this.allowed(u) ? m : "url()"))
      .replace(/@import\s+(['"])([^'"]*)\1/gi, (m, _q, u) => (this.allowed(u) ? m : '@import ""'));
  }

  attr(name, value) {
    const n = String(name).toLowerCase();
    if (CSS_ATTRS.has(n)) {
      if (value && typeof value === "object") {
        // A style change in a mutation: {property: value | [value, priority] | false}.
        for (const [k, v] of Object.entries(value)) value[k] = Array.isArray(v) ? [this.css(v[0]), v[1]] : this.css(v);
        return value;
      }
      return this.css(value);
    }
    if (typeof value !== "string") return value;
    if (SRCSET_ATTRS.has(n)) return value.split(",").every((part) => this.allowed(part.trim().split(/\s+/)[0])) ? value : "";
    if (URL_ATTRS.has(n)) return this.allowed(value) ? value : "";
    return value;
  }

  node(root) {
    const stack = [root];
    while (stack.length) {
      const n = stack.pop();
      if (!n || typeof n !== "object") continue;
      if (n.attributes && typeof n.attributes === "object") {
        for (const name of Object.keys(n.attributes)) n.attributes[name] = this.attr(name, n.attributes[name]);
      }
      if (typeof n.textContent === "string") n.textContent = this.css(n.textContent);
      if (Array.isArray(n.childNodes)) stack.push(...n.childNodes);
    }
  }

  // Rewrite one rrweb event in place (the Meta event sets the page, and is kept as it is).
  event(ev) {
    if (!ev || typeof ev !== "object" || !ev.data || typeof ev.data !== "object") return ev;
    const d = ev.data;
    if (ev.type === META) this.setPage(d.href);
    else if (ev.type === FULL_SNAPSHOT) this.node(d.node);
    else if (ev.type === INCREMENTAL) {
      if (d.source === MUTATION) {
        for (const a of d.adds || []) this.node(a && a.node);
        for (const a of d.attributes || []) if (a && a.attributes) for (const name of Object.keys(a.attributes)) a.attributes[name] = this.attr(name, a.attributes[name]);
        for (const t of d.texts || []) if (t && typeof t.value === "string") t.value = this.css(t.value);
      } else if (d.source === STYLE_SHEET_RULE) {
        for (const r of d.adds || []) if (r && typeof r.rule === "string") r.rule = this.css(r.rule);
        if (typeof d.replace === "string") d.replace = this.css(d.replace);
        if (typeof d.replaceSync === "string") d.replaceSync = this.css(d.replaceSync);
      } else if (d.source === FONT && typeof d.fontSource === "string") {
        d.fontSource = /^\s*url\(/i.test(d.fontSource) ? this.css(d.fontSource) : this.allowed(d.fontSource) ? d.fontSource : "";
      } else if (d.source === STYLE_DECLARATION && d.set && typeof d.set.value === "string") d.set.value = this.css(d.set.value);
      else if (d.source === ADOPTED_STYLE_SHEET) for (const s of d.styles || []) for (const r of (s && s.rules) || []) if (r && typeof r.rule === "string") r.rule = this.css(r.rule);
    }
    return ev;
  }
}
