// Transfers and watching: the Transfer dialog of a conversation (to an agent or back to the
// queue, with a private note for the next agent), and the supervisors' list of live contacts,
// each with Watch, which opens its conversation read-only (no composer) and live.
import { h } from "../../shared/dom.js";
import { request } from "./net.js";
import { addContact } from "./state.js";
import { channelLabel, customerName, fmtWait } from "./format.js";
import * as E from "../../shared/events.js";

const $ = (id) => document.getElementById(id);

export class TransferDesk {
  constructor(app) {
    this.app = app;
    this.live = null; // supervisors: the live contacts (contact.list), fetched when shown
    this.forContact = null;
    this.refreshTimer = null;
  }

  get supervisor() {
    const me = this.app.me;
    return !!me && ["supervisor", "admin"].includes(me.role);
  }

  // ---- the conversation head ---------------------------------------------------------------
  // What the head of a conversation gets: Transfer while the contact is with an agent (its own
  // agent or a supervisor may move it); for a watched one, the read-only mark and Stop watching.
  headControls(item) {
    const c = item.contact;
    const out = [];
    if (item.watching) out.push(h("span", { class: "pill watching", id: "watching" }, "Watching · read-only"));
    const canMove = c.state === "assigned" && (!item.watching || this.supervisor);
    if (canMove && c.channel !== "video") out.push(h("button", { type: "button", class: "ghost", id: "transfer-open", onclick: () => this.open(c.id) }, "Transfer"));
    if (item.watching) out.push(h("button", { type: "button", class: "ghost", id: "unwatch", onclick: () => this.unwatch(c.id) }, "Stop watching"));
    return out;
  }

  dialog() {
    let dlg = $("transfer");
    if (dlg) return dlg;
    dlg = h(
      "dialog",
      { id: "transfer", class: "dialog", "aria-labelledby": "transfer-title" },
      h(
        "form",
        { method: "dialog", onsubmit: (e) => this.submit(e) },
        h("h2", { id: "transfer-title" }, "Transfer"),
        h(
          "fieldset",
          {},
          h("legend", {}, "To"),
          h("label", { class: "radio" }, h("input", { type: "radio", name: "transfer-to", id: "transfer-to-agent", value: "agent", checked: true, onchange: () => this.syncKind() }), " An agent"),
          h("label", { class: "radio" }, h("input", { type: "radio", name: "transfer-to", id: "transfer-to-queue", value: "queue", onchange: () => this.syncKind() }), " Back to the queue"),
        ),
        h("label", { for: "transfer-agent" }, "Agent"),
        h("select", { id: "transfer-agent" }),
        h("label", { for: "transfer-skills" }, "Skills needed ", h("span", { class: "muted small" }, "(comma-separated, optional)")),
        h("input", { id: "transfer-skills", type: "text", autocomplete: "off", placeholder: "billing, fr", disabled: true }),
        h("label", { for: "transfer-note" }, "Note for the next agent ", h("span", { class: "muted small" }, "(private, optional)")),
        h("textarea", { id: "transfer-note", rows: "3", maxlength: "4000" }),
        h("p", { id: "transfer-error", class: "error", role: "alert" }),
        h(
          "div",
          { class: "row end" },
          h("span", { class: "grow" }),
          h("button", { type: "button", class: "ghost", onclick: () => dlg.close() }, "Cancel"),
          h("button", { type: "submit", class: "primary", id: "transfer-submit" }, "Transfer"),
        ),
      ),
    );
    $("app").append(dlg);
    return dlg;
  }

  syncKind() {
    const toAgent = $("transfer-to-agent").checked;
    $("transfer-agent").disabled = !toAgent;
    $("transfer-skills").disabled = toAgent;
  }

  async open(contactId) {
    const app = this.app;
    const item = app.state.contacts[contactId];
    if (!item) return;
    const dlg = this.dialog();
    this.forContact = contactId;
    $("transfer-title").textContent = `Transfer ${customerName(item.customer)} · ${channelLabel(item.contact.channel)}`;
    $("transfer-error").textContent = "";
    $("transfer-note").value = "";
    $("transfer-skills").value = "";
    $("transfer-to-agent").checked = true;
    const sel = $("transfer-agent");
    sel.textContent = "";
    this.syncKind();
    dlg.showModal();
    try {
      const ack = await request(app.socket, E.TRANSFER_TARGETS, { contact_id: contactId });
      for (const a of ack.agents) sel.append(h("option", { value: a.id }, `${a.name} (${a.status})`));
      if (!ack.agents.length) {
        $("transfer-to-queue").checked = true;
        this.syncKind();
      }
    } catch (err) {
      $("transfer-error").textContent = err.message || "Could not list the agents";
    }
  }

  async submit(e) {
    e.preventDefault();
    const app = this.app;
    const contactId = this.forContact;
    const payload = { contact_id: contactId };
    const toAgent = $("transfer-to-agent").checked;
    if (toAgent) {
      if (!$("transfer-agent").value) return ($("transfer-error").textContent = "Choose an agent, or send it back to the queue.");
      payload.to_agent = $("transfer-agent").value;
    } else {
      const skills = $("transfer-skills").value.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
      if (skills.length) payload.skills = skills;
    }
    const note = $("transfer-note").value.trim();
    if (note) payload.note = note;
    try {
      const ack = await request(app.socket, E.CONTACT_TRANSFER, payload);
      $("transfer").close();
      app.toast(ack.to ? `Transferred to ${ack.to.name}: it is offered to them now.` : "Back in the queue, at its place in line.");
      this.gone(contactId);
    } catch (err) {
      $("transfer-error").textContent = err.message || "Could not transfer";
    }
  }

  // The contact left this agent (transferred by them or by a supervisor): off the screen,
  // unless it is only watched here.
  gone(contactId) {
    const app = this.app;
    const item = app.state.contacts[contactId];
    if (item && !item.watching) {
      delete app.state.contacts[contactId];
      delete app.unread[contactId];
      delete app.pending[contactId];
      if (app.selected === contactId) app.selected = Object.keys(app.state.contacts)[0] || null;
    }
    app.renderAll();
  }

  // ---- the supervisors' live queue ---------------------------------------------------------
  async refresh() {
    if (!this.supervisor || !this.app.socket) return;
    try {
      this.live = (await request(this.app.socket, E.CONTACT_LIST, {})).contacts;
      if (this.app.tab === "supervisor") this.app.renderAll();
    } catch (_) {
      /* offline: the next change will ask again */
    }
  }

  // Debounced: the queue and the agents change in bursts.
  schedule() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), 300);
  }

  liveTable() {
    const st = this.app.state;
    const rows = this.live || [];
    const agentName = (id) => (id && st.agents && st.agents[id] && st.agents[id].name) || (id ? "an agent" : "—");
    const now = Date.now() / 1000;
    const table = h(
      "table",
      { class: "grid", id: "live-contacts" },
      h("thead", {}, h("tr", {}, ...["Customer", "Channel", "State", "Agent", "Since", ""].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        rows.map((c) =>
          h(
            "tr",
            { "data-contact": c.id },
            h("td", {}, customerName(c.customer)),
            h("td", {}, channelLabel(c.channel)),
            h("td", {}, h("span", { class: "pill" }, c.state)),
            h("td", {}, c.state === "waiting" ? "—" : agentName(c.agent_id)),
            h("td", {}, fmtWait(Math.max(0, now - c.enqueued_at))),
            h("td", {}, h("button", { type: "button", class: "ghost sm", "data-watch": c.id, "aria-label": `Watch the conversation with ${customerName(c.customer)}`, onclick: () => this.watch(c.id) }, "Watch")),
          ),
        ),
      ),
    );
    return h("div", { class: "live-contacts" }, h("h2", {}, "Conversations"), rows.length ? table : h("p", { class: "empty" }, this.live ? "No live conversations." : "Loading…"));
  }

  async watch(contactId) {
    const app = this.app;
    try {
      const ack = await request(app.socket, E.CONTACT_WATCH, { contact_id: contactId });
      const held = app.state.contacts[contactId];
      const item = addContact(app.state, ack.contact, ack.customer, ack.events);
      // One of the supervisor's own is theirs to answer, not only to watch.
      item.watching = !(held && !held.watching);
      app.selected = contactId;
      app.tab = "inbox";
      app.renderAll();
    } catch (err) {
      app.toast(err.message || "Could not open the conversation");
    }
  }

  async unwatch(contactId) {
    const app = this.app;
    try {
      await request(app.socket, E.CONTACT_UNWATCH, { contact_id: contactId });
    } catch (_) {
      /* gone already: off the screen all the same */
    }
    const item = app.state.contacts[contactId];
    if (item && item.watching) delete app.state.contacts[contactId];
    if (app.selected === contactId) app.selected = Object.keys(app.state.contacts)[0] || null;
    app.renderAll();
  }
}
