// The console's read-only panels: the customer beside a conversation, the callbacks page and
// the supervisor's live queue. Each is built whole from the state on every render.
import { h } from "../../shared/dom.js";
import { icons, fmtTime, fmtWait, channelLabel, describeEvent, initials, customerName, webUrl, customerHere, statusTimes, STATUSES } from "./format.js";

// The customer of a conversation: identifiers (verified or not), current page, then `extra`
// (their past contacts, history.js), then this conversation's timeline.
export function customerPanel(item, extra = []) {
  const cu = item.customer;
  const ids = h("ul", { class: "ids" });
  for (const idf of cu.identifiers || []) {
    ids.append(
      h(
        "li",
        {},
        h("span", { class: "kind" }, idf.kind),
        h("span", { class: "val" }, idf.value),
        idf.verified ? h("span", { class: "ok", title: "Verified by the shop's signature" }, "✓ verified") : h("span", { class: "unv", title: "Claimed, not verified" }, "unverified"),
      ),
    );
  }
  const page = cu.page;
  const tl = h("ol", { class: "tl" });
  for (const ev of item.events) {
    const who = ev.author && ev.author.role === "customer" ? customerName(cu) : (ev.author && ev.author.name) || "Agent";
    const text = ev.type === "message" || ev.type === "note" ? `${ev.type === "note" ? "Note · " : ""}${who}: ${ev.data.erased ? "(erased)" : ev.data.text}` : describeEvent(ev);
    if (text) tl.append(h("li", { class: "tl-" + ev.type.replace(/\./g, "-") }, h("span", { class: "ts" }, fmtTime(ev.ts, true)), h("span", {}, text)));
  }
  return [
    h("div", { class: "cust-head" }, h("span", { class: "avatar lg" }, initials(customerName(cu))), h("div", {}, h("h2", {}, customerName(cu)), h("div", { class: "small muted" }, cu.name ? "" : "Anonymous visitor"), herePill(cu))),
    h("h3", {}, "Identifiers"),
    (cu.identifiers || []).length ? ids : h("p", { class: "muted small" }, "Anonymous visitor"),
    h("h3", {}, "Current page"),
    page && page.url ? pageLink(page) : h("p", { class: "muted small" }, "Unknown"),
    ...shopContext(page),
    ...extra,
    h("h3", {}, "Timeline"),
    tl,
  ];
}

// Whether the shopper has the page open now ("● here", since when) or left, and how long ago.
function herePill(cu) {
  const here = customerHere(cu, Date.now());
  if (!here) return null;
  const title = here.since != null ? `${here.online ? "Here since" : "Left at"} ${fmtTime(here.since, true)}` : null;
  return h("div", { class: "here " + (here.online ? "on" : "off"), id: "customer-here", title }, here.text);
}

// The customer's page as a link when it is a web page, else as plain text.
function pageLink(page) {
  const href = webUrl(page.url);
  const label = page.title || page.url;
  return href ? h("a", { class: "page", href, target: "_blank", rel: "noopener noreferrer" }, label) : h("p", { class: "page" }, label);
}

// What the shop's page said of itself (Lifeline("setContext", {product, order_id, cart})).
function shopContext(page) {
  if (!page || !(page.product || page.order_id || (page.cart || []).length)) return [];
  const rows = [];
  if (page.product) rows.push(h("li", { "data-context": "product" }, h("span", { class: "kind" }, "Product"), page.product));
  if (page.order_id) rows.push(h("li", { "data-context": "order" }, h("span", { class: "kind" }, "Order"), page.order_id));
  const cart = page.cart || [];
  return [
    h("h3", {}, "From the shop"),
    h("ul", { class: "ids shop-context" }, rows),
    cart.length
      ? h("ul", { class: "cart", "aria-label": "Cart" }, cart.map((it) => h("li", { "data-sku": it.sku }, `${it.qty ? it.qty + " × " : ""}${it.name || it.sku}${it.name ? ` (${it.sku})` : ""}`)))
      : null,
  ];
}

// The callbacks waiting, soonest first.
export function callbacksPage(state) {
  const rows = Object.values(state.callbacks).sort((a, b) => (a.next_attempt_at || a.not_before || 0) > (b.next_attempt_at || b.not_before || 0) ? 1 : -1);
  const now = Date.now();
  const table = h(
    "table",
    { class: "grid" },
    h("thead", {}, h("tr", {}, ...["Customer", "Phone", "Status", "Attempts", "Next attempt"].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      rows.map((c) => {
        const next = c.next_attempt_at || c.not_before;
        const due = !next || new Date(typeof next === "number" ? next * 1000 : next).getTime() <= now;
        return h(
          "tr",
          {},
          h("td", {}, customerName(c.customer || { id: c.customer_id, name: c.customer_name })),
          h("td", {}, c.phone ? h("a", { href: `tel:${c.phone}` }, c.phone) : "—"),
          h("td", {}, h("span", { class: "pill " + (due ? "due" : "") }, due ? "due" : c.status || c.state || "scheduled")),
          h("td", {}, String(c.attempts || 0)),
          h("td", {}, next ? fmtTime(next, true) : "as soon as possible"),
        );
      }),
    ),
  );
  return h(
    "section",
    { class: "page-pad" },
    h("h2", {}, "Callbacks"),
    h("p", { class: "muted" }, "Due callbacks are offered to available agents like any contact; accept one to dial it and record the outcome. A “no answer” is retried automatically."),
    rows.length ? table : h("p", { class: "empty" }, "No callbacks waiting."),
  );
}

// The longest wait per channel as of NOW: the hub's figure when it last said, plus the time
// since, while someone waits on that channel.
export function longestWaits(state, now) {
  const q = state.queue || { waiting: {}, longest_wait_s: {} };
  const since = state.queueAt ? Math.max(0, (now - state.queueAt) / 1000) : 0;
  const out = {};
  for (const ch of ["chat", "video", "callback"]) {
    const waiting = (q.waiting || {})[ch] || 0;
    const s = (q.longest_wait_s || {})[ch] || 0;
    out[ch] = fmtWait(waiting ? s + since : s);
  }
  return out;
}

// An agent's status, with the reason, since when, and who set it when it was not them.
function statusCell(a) {
  const bits = [a.status_reason, a.status_since != null ? `since ${fmtTime(a.status_since, true)}` : null, a.status_set_by ? `set by ${a.status_set_by.name}` : null].filter(Boolean);
  return [h("span", { class: "pill " + a.status }, a.status), bits.length ? h("div", { class: "small muted" }, bits.join(" · ")) : null];
}

// The time in each status today, e.g. "Available 2h 5m · Away 12m 00s · Break 30s".
function todayText(a) {
  const t = statusTimes(a, Date.now());
  return STATUSES.filter(([k]) => t[k] > 0 || k === a.status)
    .map(([k, label]) => `${label} ${fmtWait(t[k])}`)
    .join(" · ");
}

// The supervisor's live queue: waiting contacts per channel, and each agent's status and load.
export function supervisorPage(state) {
  const q = state.queue || { waiting: {}, longest_wait_s: {} };
  const waits = longestWaits(state, Date.now());
  const cards = ["chat", "video", "callback"].map((ch) =>
    h(
      "div",
      { class: "stat", "data-channel": ch },
      h("div", { class: "stat-h" }, h("span", { class: "chan", html: icons[ch] }), channelLabel(ch)),
      h("div", { class: "stat-n" }, String((q.waiting || {})[ch] || 0)),
      h("div", { class: "small muted" }, "waiting · longest ", h("span", { "data-longest": ch }, waits[ch])),
    ),
  );
  const agents = Object.values(state.agents || {}).sort((a, b) => (a.name > b.name ? 1 : -1));
  const table = h(
    "table",
    { class: "grid" },
    h("thead", {}, h("tr", {}, ...["Agent", "Status", "Today", "Chat", "Video", "Callback"].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      agents.map((a) =>
        h(
          "tr",
          { "data-agent": a.id },
          h("td", {}, h("span", { class: "avatar sm" }, initials(a.name)), " ", a.name),
          h("td", { "data-col": "status" }, ...statusCell(a)),
          h("td", { "data-col": "today", class: "small status-times" }, todayText(a)),
          ...["chat", "video", "callback"].map((ch) => h("td", {}, String((a.load || {})[ch] || 0))),
        ),
      ),
    ),
  );
  return h("section", { class: "page-pad" }, h("h2", {}, "Live queue"), h("div", { class: "stats" }, cards), h("h2", {}, "Agents"), agents.length ? table : h("p", { class: "empty" }, "No agents."));
}
