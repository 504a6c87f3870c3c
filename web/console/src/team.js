// The supervisor's "Team" view: every agent from GET /api/v1/agents with their live status and
// load (kept current by agent.updated), edited in place by admins (PATCH /api/v1/agents/{id}:
// role, skills, sites, auto-answer, disable/enable), and the chosen site's webhook deliveries
// from GET /api/v1/webhooks. What the hub refuses is shown as its own words, next to the row.
// The pure helpers are exported for the node tests; TeamPanel draws.
import { h } from "../../shared/dom.js";
import { fmtTime } from "./format.js";

export const ROLES = ["agent", "supervisor", "admin"];
export const EVERY_SITE = "*";
const CHANNELS = ["chat", "video", "callback"];
export const WEBHOOKS_REFRESH_MS = 10000; // while the view is shown

// "fr, returns ,fr" -> ["fr", "returns"]: what the skills field means.
export function parseSkills(text) {
  return [...new Set(String(text || "").split(",").map((s) => s.trim()).filter(Boolean))].sort();
}

// An agent's sites as text: null is every site.
export function sitesText(sites) {
  return sites == null ? "Every site" : sites.join(", ");
}

// "2 chat · 1 video", or "—" when the agent holds nothing.
export function fmtLoad(load) {
  const parts = CHANNELS.filter((ch) => (load || {})[ch] > 0).map((ch) => `${load[ch]} ${ch}`);
  return parts.length ? parts.join(" · ") : "—";
}

// The agents in the table's order: by name, then email.
export function teamRows(members) {
  return Object.values(members).sort((a, b) => (a.name || "").localeCompare(b.name || "") || (a.email < b.email ? -1 : 1));
}

// The PATCH body of an edit: only what differs from the agent as shown. `form` holds
// {role, skills (text), everySite, sites (keys), auto_answer}; sites stay as they were when
// every site is still chosen, or when the same keys are.
export function changeOf(member, form) {
  const body = {};
  if (form.role !== member.role) body.role = form.role;
  const skills = parseSkills(form.skills);
  if (skills.join() !== [...(member.skills || [])].sort().join()) body.skills = skills;
  const sites = form.everySite ? EVERY_SITE : [...form.sites].sort();
  const had = member.sites == null ? EVERY_SITE : [...member.sites].sort();
  if ((sites === EVERY_SITE) !== (had === EVERY_SITE) || (sites !== EVERY_SITE && sites.join() !== had.join())) body.sites = sites;
  if (!!form.auto_answer !== !!member.auto_answer) body.auto_answer = !!form.auto_answer;
  return body;
}

// An agent.updated applied to the team: presence and load always, the listing when it comes
// with one (after an admin's change). Returns false for an agent the team does not know yet.
export function applyAgentUpdate(members, p) {
  const m = members[p.id];
  if (!m) return false;
  members[p.id] = { ...m, ...p };
  return true;
}

// What an error answer says, plainly: the hub's message when it gave one.
export function errorText(status, body, what = "the team") {
  if (status === 403) return (body && body.error && body.error.message) || `Only supervisors and admins see ${what} (403 forbidden).`;
  if (status === 401) return "Your session has expired: sign in again (401).";
  const msg = body && body.error && body.error.message;
  return msg ? `The hub refused: ${msg}.` : `Could not load ${what} (${status}).`;
}

// A delivery's row: type, status, attempts, last error, next attempt.
export function deliveryRow(d) {
  const error = d.last_error || (d.last_code && (d.last_code < 200 || d.last_code >= 300) ? `HTTP ${d.last_code}` : "");
  return {
    type: d.type,
    status: d.status,
    attempts: String(d.attempts),
    error: error || "—",
    next: d.next_attempt_at ? fmtTime(d.next_attempt_at, true) : "—",
  };
}

export class TeamPanel {
  constructor(app) {
    this.app = app;
    this.members = null; // by id, once loaded
    this.editing = null; // the id of the agent whose row is a form
    this.busy = false;
    this.error = null;
    this.seq = 0;
    this.webhooks = null;
    this.webhooksAt = 0;
    this.status = h("p", { class: "muted small", id: "team-status", role: "status", "aria-live": "polite" });
    this.alert = h("p", { class: "error", id: "team-error", role: "alert" });
    this.body = h("div", { id: "team-body" });
    this.siteSel = h("select", { id: "hook-site", onchange: () => this.refreshWebhooks() });
    this.hookStatus = h("p", { class: "muted small", id: "hook-status", role: "status", "aria-live": "polite" });
    this.hookBody = h("div", { id: "hook-body" });
    this.el = h(
      "section",
      { class: "page-pad team", id: "team", "aria-labelledby": "team-h" },
      h("h2", { id: "team-h" }, "Team"),
      h("div", { class: "rep-controls" }, h("button", { type: "button", class: "ghost", id: "team-refresh", onclick: () => this.refresh() }, "Refresh"), this.status),
      this.alert,
      this.body,
      h(
        "section",
        { class: "webhooks", id: "webhooks", "aria-labelledby": "hook-h" },
        h("h2", { id: "hook-h" }, "Webhooks"),
        h("div", { class: "rep-controls" }, h("label", { for: "hook-site" }, "Site "), this.siteSel, h("button", { type: "button", class: "ghost", id: "hook-refresh", onclick: () => this.refreshWebhooks() }, "Refresh")),
        this.hookStatus,
        this.hookBody,
      ),
    );
  }

  get isAdmin() {
    return !!(this.app.me && this.app.me.role === "admin");
  }

  // The sites of the snapshot: [{key, name}] by key.
  sites() {
    return Object.values((this.app.state && this.app.state.sites) || {})
      .filter((s) => s && s.key)
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async api(method, path, body) {
    const headers = { Authorization: `Bearer ${this.app.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { res, body: await res.json().catch(() => ({})) };
  }

  // The view opened: the team and the chosen site's deliveries, fresh.
  show() {
    this.refresh();
    this.refreshWebhooks();
  }

  async refresh() {
    const seq = ++this.seq;
    this.status.textContent = "Loading…";
    try {
      const { res, body } = await this.api("GET", "/api/v1/agents");
      if (seq !== this.seq) return;
      if (!res.ok) {
        this.status.textContent = "";
        return this.say(errorText(res.status, body));
      }
      this.members = Object.fromEntries(body.agents.map((a) => [a.id, a]));
      if (this.editing && !this.members[this.editing]) this.editing = null;
      this.status.textContent = `${body.agents.length} agent${body.agents.length === 1 ? "" : "s"} · updated ${new Date().toLocaleTimeString()}`;
      this.draw();
    } catch (_) {
      if (seq === this.seq) this.say("Could not reach the hub to load the team.");
    }
  }

  // agent.updated: the row follows; an agent the team does not know yet reloads it.
  onAgentUpdated(p) {
    if (!this.members) return;
    if (!applyAgentUpdate(this.members, p)) return this.refresh();
    const row = this.body.querySelector(`tr[data-agent="${CSS.escape(p.id)}"]`);
    if (!row) return this.draw();
    if (this.editing === p.id) return this.fillLive(row, this.members[p.id]);
    const focused = row.contains(document.activeElement) ? document.activeElement.id : null;
    row.replaceWith(this.row(this.members[p.id]));
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }

  say(text) {
    this.alert.textContent = text || "";
  }

  draw() {
    const members = this.members || {};
    const focused = document.activeElement && this.body.contains(document.activeElement) ? document.activeElement.id : null;
    this.body.textContent = "";
    const cols = ["Agent", "Role", "Skills", "Sites", "Auto-answer", "Status", "Load", "Account"];
    if (this.isAdmin) cols.push(h("span", { class: "sr-only" }, "Change"));
    // In a box of its own that scrolls sideways when the column is narrow: the page never does.
    const table = h(
      "table",
      { class: "grid team-table", id: "team-table" },
      h("caption", { class: "sr-only" }, this.isAdmin ? "The agents; an admin changes one with its Edit button" : "The agents, live"),
      h("thead", {}, h("tr", {}, ...cols.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, teamRows(members).map((m) => (this.editing === m.id ? this.editRow(m) : this.row(m)))),
    );
    this.body.append(h("div", { class: "team-scroll" }, table));
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }

  liveCells(m) {
    return [
      h("td", { "data-col": "status" }, h("span", { class: "pill " + m.status }, m.status)),
      h("td", { "data-col": "load" }, fmtLoad(m.load)),
      h("td", { "data-col": "account" }, m.disabled ? h("span", { class: "pill warn" }, "disabled") : "enabled"),
    ];
  }

  // The editing row's live cells follow too, without touching the fields being edited.
  fillLive(row, m) {
    for (const cell of this.liveCells(m)) row.querySelector(`[data-col=${cell.dataset.col}]`).replaceWith(cell);
  }

  // The agent's name, with their email under it.
  who(m, me) {
    return [m.name, me ? h("span", { class: "muted small" }, " (you)") : null, h("div", { class: "small muted team-email" }, m.email)];
  }

  row(m) {
    const me = this.app.me && this.app.me.id === m.id;
    const toggle = m.disabled ? "Enable" : "Disable";
    const actions = this.isAdmin
      ? h(
          "td",
          {},
          h(
            "div",
            { class: "team-buttons" },
            h("button", { type: "button", class: "ghost sm", id: `team-edit-${m.id}`, "aria-label": `Edit ${m.name}`, disabled: this.busy, onclick: () => this.edit(m.id) }, "Edit"),
            h("button", { type: "button", class: "ghost sm", id: `team-toggle-${m.id}`, "aria-label": `${toggle} ${m.name}`, disabled: this.busy, onclick: () => this.save(m.id, { disabled: !m.disabled }) }, toggle),
          ),
        )
      : null;
    return h(
      "tr",
      { "data-agent": m.id, class: m.disabled ? "off" : null },
      h("th", { scope: "row" }, this.who(m, me)),
      h("td", { "data-col": "role" }, m.role),
      h("td", { "data-col": "skills" }, (m.skills || []).join(", ") || "—"),
      h("td", { "data-col": "sites" }, sitesText(m.sites)),
      h("td", { "data-col": "auto_answer" }, m.auto_answer ? "on" : "off"),
      ...this.liveCells(m),
      actions,
    );
  }

  // The row as a form: Enter saves, Escape cancels; every field is labelled with the agent.
  editRow(m) {
    const id = (f) => `team-${f}-${m.id}`;
    const sites = this.sites();
    const role = h("select", { id: id("role"), "aria-label": `Role of ${m.name}` }, ROLES.map((r) => h("option", { value: r, selected: r === m.role }, r)));
    const skills = h("input", { id: id("skills"), type: "text", value: (m.skills || []).join(", "), "aria-label": `Skills of ${m.name}, separated by commas`, placeholder: "fr, returns" });
    const every = h("input", { type: "checkbox", id: id("every"), checked: m.sites == null });
    const boxes = sites.map((s) => h("input", { type: "checkbox", value: s.key, id: `${id("site")}-${s.key}`, checked: m.sites != null && m.sites.includes(s.key), disabled: m.sites == null }));
    every.addEventListener("change", () => boxes.forEach((b) => (b.disabled = every.checked)));
    const auto = h("input", { type: "checkbox", id: id("auto"), checked: !!m.auto_answer });
    const form = { role, skills, every, boxes, auto };
    const keys = (e) => {
      if (e.key === "Escape") (e.preventDefault(), this.cancel(m.id));
      else if (e.key === "Enter" && e.target.tagName !== "BUTTON") (e.preventDefault(), this.submit(m.id, form));
    };
    return h(
      "tr",
      { "data-agent": m.id, class: "editing", onkeydown: keys },
      h("th", { scope: "row" }, this.who(m, this.app.me && this.app.me.id === m.id)),
      h("td", {}, role),
      h("td", {}, skills),
      h(
        "td",
        {},
        h(
          "fieldset",
          { class: "team-sites" },
          h("legend", { class: "sr-only" }, `Sites of ${m.name}`),
          h("label", {}, every, " Every site"),
          sites.map((s, i) => h("label", {}, boxes[i], ` ${s.key}`)),
        ),
      ),
      h("td", {}, h("label", {}, auto, h("span", { class: "sr-only" }, `Auto-answer video for ${m.name}`))),
      ...this.liveCells(m),
      h(
        "td",
        {},
        h(
          "div",
          { class: "team-buttons" },
          h("button", { type: "button", class: "primary sm", id: id("save"), disabled: this.busy, onclick: () => this.submit(m.id, form) }, "Save"),
          h("button", { type: "button", class: "ghost sm", id: id("cancel"), onclick: () => this.cancel(m.id) }, "Cancel"),
        ),
      ),
    );
  }

  edit(agentId) {
    this.editing = agentId;
    this.say("");
    this.draw();
    const first = document.getElementById(`team-role-${agentId}`);
    if (first) first.focus();
  }

  cancel(agentId) {
    this.editing = null;
    this.say("");
    this.draw();
    this.focusEdit(agentId);
  }

  focusEdit(agentId) {
    const el = document.getElementById(`team-edit-${agentId}`);
    if (el) el.focus();
  }

  submit(agentId, f) {
    const m = this.members[agentId];
    const body = changeOf(m, {
      role: f.role.value,
      skills: f.skills.value,
      everySite: f.every.checked,
      sites: f.boxes.filter((b) => b.checked).map((b) => b.value),
      auto_answer: f.auto.checked,
    });
    if (!Object.keys(body).length) return this.cancel(agentId);
    return this.save(agentId, body);
  }

  // One PATCH; the row shows the hub's answer: the agent as changed, or its refusal as text
  // (the form stays open, as it was, so nothing typed is lost).
  async save(agentId, body) {
    const m = this.members[agentId];
    this.busy = true;
    this.say("");
    this.status.textContent = `Saving ${m.name}…`;
    try {
      const { res, body: answer } = await this.api("PATCH", `/api/v1/agents/${encodeURIComponent(agentId)}`, body);
      if (!res.ok) {
        this.status.textContent = "";
        this.say(`${m.name}: ${errorText(res.status, answer, "this change")}`);
        return;
      }
      this.members[agentId] = answer.agent;
      if (this.editing === agentId) this.editing = null;
      const what = body.disabled === true ? "disabled" : body.disabled === false ? "enabled" : "changed";
      this.status.textContent = `${answer.agent.name} ${what}${answer.revoked ? ": their consoles were signed out" : ""}.`;
    } catch (_) {
      this.say(`${m.name}: could not reach the hub; nothing was changed.`);
    } finally {
      this.busy = false;
      this.draw();
      const again = body.disabled === undefined ? `team-edit-${agentId}` : `team-toggle-${agentId}`;
      if (!this.editing && document.getElementById(again)) document.getElementById(again).focus();
    }
  }

  // ---- webhooks ----------------------------------------------------------------------------
  syncSites() {
    const keys = this.sites().map((s) => s.key);
    const have = [...this.siteSel.options].map((o) => o.value);
    if (keys.join() === have.join()) return;
    const chosen = this.siteSel.value;
    this.siteSel.textContent = "";
    this.siteSel.append(...this.sites().map((s) => h("option", { value: s.key }, s.name && s.name !== s.key ? `${s.name} (${s.key})` : s.key)));
    if (keys.includes(chosen)) this.siteSel.value = chosen;
  }

  async refreshWebhooks() {
    this.syncSites();
    const site = this.siteSel.value;
    this.webhooksAt = Date.now();
    if (!site) {
      this.hookBody.textContent = "";
      return this.hookBody.append(h("p", { class: "empty" }, "No site."));
    }
    this.hookStatus.textContent = "Loading…";
    try {
      const { res, body } = await this.api("GET", `/api/v1/webhooks?site=${encodeURIComponent(site)}`);
      if (site !== this.siteSel.value) return;
      if (!res.ok) {
        this.hookStatus.textContent = "";
        this.hookBody.textContent = "";
        return this.hookBody.append(h("p", { class: "error", role: "alert", id: "hook-error" }, errorText(res.status, body, "the webhook deliveries")));
      }
      this.webhooks = body;
      this.hookStatus.textContent = `updated ${new Date().toLocaleTimeString()}`;
      this.drawWebhooks();
    } catch (_) {
      if (site === this.siteSel.value) this.hookStatus.textContent = "Could not reach the hub to load the deliveries.";
    }
  }

  drawWebhooks() {
    const w = this.webhooks;
    this.hookBody.textContent = "";
    const counts = Object.entries(w.counts || {})
      .map(([status, n]) => `${n} ${status}`)
      .join(" · ");
    this.hookBody.append(
      h("p", { class: "small", id: "hook-url" }, w.url ? ["Posts to ", h("code", {}, w.url), counts ? ` · ${counts}` : ""] : "This site has no webhook (hub sites set KEY --webhook-url URL)."),
    );
    const rows = (w.recent || []).map((d) => ({ id: d.id, ...deliveryRow(d) }));
    if (!rows.length) return this.hookBody.append(h("p", { class: "empty" }, "No deliveries yet."));
    this.hookBody.append(
      h(
        "table",
        { class: "grid", id: "hook-table" },
        h("caption", { class: "sr-only" }, `Recent webhook deliveries of ${w.site}`),
        h("thead", {}, h("tr", {}, ...["Type", "Status", "Attempts", "Last error", "Next attempt"].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          {},
          rows.map((r) =>
            h(
              "tr",
              { "data-delivery": r.id },
              h("td", {}, r.type),
              h("td", {}, h("span", { class: "pill " + (r.status === "delivered" ? "available" : r.status === "failed" ? "warn" : "") }, r.status)),
              h("td", {}, r.attempts),
              h("td", {}, r.error),
              h("td", {}, r.next),
            ),
          ),
        ),
      ),
    );
  }

  // Called by the console's clock while the view is shown: deliveries have no live event.
  tick(now) {
    if (now - this.webhooksAt > WEBHOOKS_REFRESH_MS) this.refreshWebhooks();
  }
}
