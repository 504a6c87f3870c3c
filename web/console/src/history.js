// The customer's history and search: the past contacts beside a conversation (channel, date,
// agent, wrap-up, survey answer), the search box of the top bar (customers and messages), and
// a read-only view of a past conversation, opened from either.
import { h } from "../../shared/dom.js";
import { icons, fmtTime, channelLabel, describeEvent, customerName, surveyLine, toDate } from "./format.js";

const $ = (id) => document.getElementById(id);

function fmtDate(ts) {
  const d = toDate(ts);
  if (!d || isNaN(d)) return "";
  return new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" }).format(d);
}

// How a contact ended, in a few words: the wrap-up's reason and whether it was resolved.
export function outcomeLine(c) {
  if (c.state !== "ended") return c.state === "assigned" ? "In progress" : "Waiting";
  const parts = [];
  if (c.reason) parts.push(c.reason);
  if (c.resolved === true) parts.push("resolved");
  else if (c.resolved === false) parts.push("not resolved");
  if (c.outcome && c.channel === "callback") parts.push(String(c.outcome).replace(/_/g, " "));
  if (!parts.length) parts.push(c.end_reason ? `ended (${String(c.end_reason).replace(/_/g, " ")})` : "ended");
  return parts.join(" · ");
}

// Whether a timeline event belongs to this contact: said during it, or about it (its survey).
export function inContact(ev, contact) {
  const d = ev.data || {};
  if (d.contact_id) return d.contact_id === contact.id;
  return ev.ts >= contact.enqueued_at - 1 && (contact.ended_at == null || ev.ts <= contact.ended_at);
}

export class HistoryDesk {
  constructor(app) {
    this.app = app;
    this.contacts = {}; // customer id -> {list, error, at}
    this.results = null; // the last search's answer
    this.searchTimer = null;
    this.searchSeq = 0;
  }

  async api(path) {
    const res = await fetch(path, { headers: { Authorization: `Bearer ${this.app.token}` } });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw body.error || { code: "error", message: "The hub did not answer" };
    return body;
  }

  // ---- beside the conversation -------------------------------------------------------------
  // Fetched when a conversation of the customer is opened (a new contact may have come since).
  async load(customerId, forContact) {
    const entry = (this.contacts[customerId] = { list: null, error: null, forContact });
    try {
      entry.list = (await this.api(`/api/v1/customers/${encodeURIComponent(customerId)}/contacts`)).contacts;
      entry.error = null;
    } catch (err) {
      entry.error = err.message || "Could not load the history";
    }
    this.app.renderAll();
    return entry;
  }

  // The "Past contacts" section of the customer panel: every contact but the one on screen.
  section(item) {
    const cu = item.customer;
    const entry = this.contacts[cu.id];
    if (!entry || entry.forContact !== item.contact.id) this.load(cu.id, item.contact.id);
    const head = h("h3", { id: "history-h" }, "Past contacts");
    if (!entry || entry.forContact !== item.contact.id || (!entry.list && !entry.error)) return [head, h("p", { class: "muted small" }, "Loading…")];
    if (entry.error) return [head, h("p", { class: "muted small" }, entry.error)];
    const past = entry.list.filter((c) => c.id !== item.contact.id);
    if (!past.length) return [head, h("p", { class: "muted small", id: "history-none" }, "No earlier contacts.")];
    return [head, this.contactList(past, cu)];
  }

  contactList(list, customer) {
    return h(
      "ul",
      { class: "history", "aria-labelledby": "history-h" },
      list.map((c) =>
        h(
          "li",
          { "data-history": c.id },
          h(
            "button",
            {
              type: "button",
              class: "history-item",
              title: "Open it read-only",
              onclick: () => this.openConversation(c.conversation_id, customer, c),
            },
            h("span", { class: "history-top" }, h("span", { class: "chan", html: icons[c.channel] || "" }), h("b", {}, channelLabel(c.channel)), h("span", { class: "muted small" }, fmtDate(c.enqueued_at))),
            h("span", { class: "history-outcome small" }, outcomeLine(c), c.agent_name ? ` · ${c.agent_name}` : ""),
            c.survey ? h("span", { class: "history-survey small" }, surveyLine(c.survey)) : null,
          ),
        ),
      ),
    );
  }

  // ---- the read-only view ------------------------------------------------------------------
  dialog() {
    let dlg = $("history-view");
    if (dlg) return dlg;
    dlg = h(
      "dialog",
      { id: "history-view", class: "dialog history-dialog", "aria-labelledby": "history-title" },
      h("div", { class: "row" }, h("h2", { id: "history-title" }), h("span", { class: "grow" }), h("span", { class: "pill watching" }, "Read-only")),
      h("div", { id: "history-body", class: "history-body" }),
      h("div", { class: "row end" }, h("button", { type: "button", class: "ghost", id: "history-close", onclick: () => dlg.close() }, "Close")),
    );
    $("app").append(dlg);
    return dlg;
  }

  show(title, ...nodes) {
    const dlg = this.dialog();
    $("history-title").textContent = title;
    const body = $("history-body");
    body.textContent = "";
    body.append(...nodes.filter(Boolean));
    if (!dlg.open) dlg.showModal();
  }

  // One conversation's events, as the timeline shows them; nothing to type into. Opened from
  // a contact, only that contact's part (from its request to its end, and its survey answer),
  // with a button for the whole conversation.
  async openConversation(conversationId, customer, contact, whole) {
    const who = customerName(customer || {});
    const title = contact ? `${who} · ${channelLabel(contact.channel)} · ${fmtDate(contact.enqueued_at)}` : who;
    this.show(title, h("p", { class: "muted small" }, "Loading…"));
    try {
      const { events } = await this.api(`/api/v1/conversations/${encodeURIComponent(conversationId)}/events`);
      const part = contact && !whole ? events.filter((ev) => inContact(ev, contact)) : events;
      const log = h("ol", { class: "tl history-log", "data-conversation": conversationId });
      for (const ev of part) {
        const by = ev.author && ev.author.role === "customer" ? who : (ev.author && ev.author.name) || "Agent";
        const text = ev.type === "message" || ev.type === "note" ? `${ev.type === "note" ? "Note · " : ""}${by}: ${ev.data.erased ? "(erased)" : ev.data.text}` : describeEvent(ev);
        if (text) log.append(h("li", { class: "tl-" + ev.type.replace(/\./g, "-") }, h("span", { class: "ts" }, fmtTime(ev.ts, true)), h("span", {}, text)));
      }
      const more =
        part.length < events.length
          ? h("button", { type: "button", class: "ghost sm", id: "history-all", onclick: () => this.openConversation(conversationId, customer, contact, true) }, "Show the whole conversation")
          : null;
      this.show(title, log, more);
    } catch (err) {
      this.show(title, h("p", { class: "error" }, err.message || "Could not open the conversation"));
    }
  }

  // A customer found by the search: their contacts, each one to open.
  async openCustomer(customer) {
    const title = customerName(customer);
    this.show(title, h("p", { class: "muted small" }, "Loading…"));
    try {
      const { contacts } = await this.api(`/api/v1/customers/${encodeURIComponent(customer.id)}/contacts`);
      const ids = (customer.identifiers || []).map((i) => i.value).join(" · ");
      this.show(
        title,
        ids ? h("p", { class: "muted small" }, ids) : null,
        contacts.length ? this.contactList(contacts, customer) : h("p", { class: "muted small" }, "No contacts yet."),
      );
    } catch (err) {
      this.show(title, h("p", { class: "error" }, err.message || "Could not load the history"));
    }
  }

  // ---- the search box ----------------------------------------------------------------------
  box() {
    if (this.boxEl) return this.boxEl;
    const input = h("input", {
      id: "search",
      type: "search",
      placeholder: "Search customers, messages",
      "aria-label": "Search customers and messages",
      "aria-controls": "search-results",
      autocomplete: "off",
      maxlength: "200",
    });
    input.addEventListener("input", () => this.schedule(input.value));
    input.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.close();
    });
    this.panel = h("div", { id: "search-results", class: "search-results", role: "region", "aria-label": "Search results", "aria-live": "polite", hidden: true });
    this.boxEl = h("div", { class: "search" }, input, this.panel);
    document.addEventListener("click", (e) => {
      if (this.boxEl && !this.boxEl.contains(e.target)) this.close();
    });
    return this.boxEl;
  }

  close() {
    if (this.panel) this.panel.hidden = true;
  }

  schedule(q) {
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.search(q), 250);
  }

  async search(q) {
    q = q.trim();
    const seq = ++this.searchSeq;
    if (q.length < 2) return this.close();
    let answer;
    try {
      answer = await this.api(`/api/v1/search?q=${encodeURIComponent(q)}&limit=10`);
    } catch (err) {
      answer = { customers: [], messages: [], error: err.code === "invalid" ? "Type a word to search for." : err.message };
    }
    if (seq !== this.searchSeq) return; // a newer search went out meanwhile
    this.results = answer;
    this.renderResults();
  }

  renderResults() {
    const r = this.results;
    const p = this.panel;
    p.textContent = "";
    p.hidden = false;
    if (r.error) return p.append(h("p", { class: "muted small" }, r.error));
    if (!r.customers.length && !r.messages.length) return p.append(h("p", { class: "muted small", id: "search-none" }, "Nothing found."));
    if (r.customers.length) {
      p.append(
        h("h3", {}, "Customers"),
        h(
          "ul",
          { class: "search-list" },
          r.customers.map((c) =>
            h(
              "li",
              {},
              h(
                "button",
                { type: "button", "data-customer": c.id, onclick: () => (this.close(), this.openCustomer(c)) },
                h("b", {}, customerName(c)),
                h("span", { class: "muted small" }, (c.identifiers || []).map((i) => i.value).join(" · ") || c.site),
              ),
            ),
          ),
        ),
      );
    }
    if (r.messages.length) {
      p.append(
        h("h3", {}, "Messages"),
        h(
          "ul",
          { class: "search-list" },
          r.messages.map((m) =>
            h(
              "li",
              {},
              h(
                "button",
                { type: "button", "data-conversation": m.conversation_id, onclick: () => (this.close(), this.openConversation(m.conversation_id, { id: m.customer_id, name: m.customer_name })) },
                h("b", {}, customerName({ id: m.customer_id, name: m.customer_name })),
                h("span", { class: "small snippet" }, m.snippet),
              ),
            ),
          ),
        ),
      );
    }
  }
}
