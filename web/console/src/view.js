// What the agent sees: the sign-in form, the top bar, the offers and conversations on the left,
// the conversation or a page in the middle, the customer on the right, the wrap-up dialog.
// Drawn from the controller's state; what the agent does goes back to the controller (`app`).
import { h } from "../../shared/dom.js";
import { siteLists, followUpOf, openFlags } from "./state.js";
import { icons, fmtTime, fmtWait, channelLabel, describeEvent, initials, customerName, surveyLine, STATUSES } from "./format.js";
import { customerPanel, callbacksPage, supervisorPage, longestWaits } from "./panels.js";
import { CannedPopup } from "./canned.js";
import { attachControl, attachmentNode } from "./attach.js";

const $ = (id) => document.getElementById(id);

const REPLY_PLACEHOLDER = "Reply… (Enter to send, Shift+Enter for a new line)";

export class ConsoleView {
  // app: the controller (controller.js); the view reads its state and calls its actions.
  constructor(app) {
    this.app = app;
  }

  // ---- sign-in -----------------------------------------------------------------------------
  showLogin(message) {
    $("app").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    $("email").focus();
  }

  onLoginSubmit(fn) {
    $("login-form").addEventListener("submit", fn);
  }

  showApp() {
    $("login").hidden = true;
    $("app").hidden = false;
  }

  credentials() {
    return { email: $("email").value.trim(), password: $("password").value };
  }

  loginError(text) {
    $("login-error").textContent = text;
  }

  toast(text) {
    const box = $("toasts");
    if (!box || !text) return;
    const el = h("div", { class: "toast", role: "status" }, text);
    box.append(el);
    setTimeout(() => el.remove(), 6000);
  }

  // ---- the shell, built once per sign-in ---------------------------------------------------
  buildShell() {
    const app = this.app;
    const root = $("app");
    root.textContent = "";
    this.top = h("header", { class: "top" });
    this.side = h("aside", { class: "side", "aria-label": "Offers and conversations" });
    this.center = h("main", { class: "center", id: "center" });
    this.right = h("aside", { class: "cust", "aria-label": "Customer" });
    // Supervisors: the stopped lines (open andon flags), above everything until cleared.
    this.andonBar = h("section", { class: "andon-bar", id: "andon", "aria-label": "Stopped lines", "aria-live": "polite", hidden: true });
    root.append(this.top, this.andonBar, h("div", { class: "layout" }, this.side, this.center, this.right), h("div", { id: "toasts", class: "toasts", "aria-live": "polite" }));
    root.append(this.buildWrapUp());

    // The conversation pane is built once so the composer keeps focus and text across renders.
    this.convHead = h("div", { class: "conv-head" });
    this.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
    this.typingEl = h("div", { class: "typing", hidden: true });
    this.input = h("textarea", { id: "composer", rows: "3", "aria-label": "Reply to the customer", placeholder: REPLY_PLACEHOLDER });
    this.input.addEventListener("keydown", (e) => {
      if (this.cannedPop.open && this.cannedPop.key(e)) return;
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        app.send();
      }
    });
    this.input.addEventListener("input", () => {
      this.cannedPop.follow();
      app.onComposerInput();
    });
    this.input.addEventListener("blur", () => this.cannedPop.close());
    // The canned responses: choosing one with the arrow keys only shows it; Enter (or a pick
    // from the open list, or the mouse) inserts it. An arrow key's change is told apart by the
    // keydown that comes just before it.
    this.cannedSel = h("select", { class: "canned", id: "canned", "aria-label": "Insert a canned response", title: "Arrow keys choose, Enter inserts; or type / in an empty reply" });
    let keyed = false;
    this.cannedSel.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.insertChosenCanned();
      } else if (!e.altKey) {
        keyed = true;
        setTimeout(() => (keyed = false), 0);
      }
    });
    this.cannedSel.addEventListener("change", () => {
      if (!keyed) this.insertChosenCanned();
    });
    this.cannedPop = new CannedPopup(this);
    this.replyTab = h("button", { type: "button", role: "tab", class: "mode", onclick: () => app.setNoteMode(false) }, "Reply");
    this.noteTab = h("button", { type: "button", role: "tab", class: "mode", title: "Alt+N", onclick: () => app.setNoteMode(true) }, "Private note");
    this.composer = h(
      "form",
      { class: "composer", onsubmit: (e) => (e.preventDefault(), app.send()) },
      h("div", { class: "composer-bar" }, h("div", { class: "modes", role: "tablist", "aria-label": "Message kind" }, this.replyTab, this.noteTab), h("span", { class: "grow" }), this.cannedSel),
      this.cannedPop.el,
      this.input,
      h("div", { class: "composer-foot" }, h("span", { class: "muted small", id: "composer-keys" }, "Alt+A accept · Alt+D decline · Alt+N note · Alt+E wrap up · Alt+1…9 switch · / canned"), attachControl(app), h("button", { type: "submit", class: "primary" }, "Send")),
    );
    this.input.setAttribute("aria-describedby", "composer-keys");
    this.followBox = h("div", { class: "follow-box", hidden: true });
    this.convPane = h("section", { class: "conv", "aria-labelledby": "conv-title" }, this.convHead, this.followBox, this.log, this.typingEl, this.composer);
  }

  // The canned responses of the selected conversation's site.
  cannedList() {
    const item = this.app.state && this.app.state.contacts[this.app.selected];
    return item ? siteLists(this.app.state, item.contact).canned : [];
  }

  insertChosenCanned() {
    const i = this.cannedSel.value;
    const canned = i !== "" && this.cannedList()[Number(i)];
    this.cannedSel.value = "";
    if (canned) this.app.insertCanned(canned.text);
  }

  buildWrapUp() {
    return h(
      "dialog",
      { id: "wrapup", class: "dialog", "aria-labelledby": "wrap-title" },
      h(
        "form",
        { method: "dialog", onsubmit: (e) => this.app.submitWrapUp(e) },
        h("h2", { id: "wrap-title" }, "Wrap up"),
        h("label", { for: "wrap-reason" }, "Contact reason"),
        h("select", { id: "wrap-reason", onkeydown: (e) => this.wrapReasonKey(e) }),
        h("label", { for: "wrap-product" }, "Product ", h("span", { class: "muted small" }, "(SKU or name, optional)")),
        h("input", { id: "wrap-product", type: "text", maxlength: "120", autocomplete: "off" }),
        h(
          "fieldset",
          {},
          h("legend", {}, "Was the problem resolved?"),
          h("label", { class: "radio" }, h("input", { type: "radio", name: "resolved", id: "wrap-yes", value: "yes" }), " Yes"),
          h("label", { class: "radio" }, h("input", { type: "radio", name: "resolved", id: "wrap-no", value: "no" }), " No"),
        ),
        h("p", { id: "wrap-error", class: "error", role: "alert" }),
        h("p", { id: "wrap-andon-status", class: "small ok-text", role: "status" }),
        h(
          "div",
          { class: "row end" },
          h(
            "button",
            { type: "button", class: "danger", id: "wrap-andon", title: "Tell the supervisors to pull this product: every agent may stop the line", onclick: () => this.app.raiseAndon() },
            "Stop the line",
          ),
          h("span", { class: "grow" }),
          h("button", { type: "button", class: "ghost", onclick: () => $("wrapup").close() }, "Cancel"),
          h("button", { type: "submit", class: "primary", id: "wrap-submit" }, "End contact"),
        ),
      ),
    );
  }

  // ---- the wrap-up dialog ------------------------------------------------------------------
  openWrapUp(item, reasons) {
    const dlg = $("wrapup");
    const sel = $("wrap-reason");
    sel.textContent = "";
    sel.append(h("option", { value: "" }, "Choose a reason…"));
    for (const r of reasons) sel.append(h("option", { value: r }, r));
    $("wrap-title").textContent = `Wrap up: ${customerName(item.customer)} · ${channelLabel(item.contact.channel)}`;
    const resolved = item.outcome ? item.outcome === "reached" : true;
    $("wrap-yes").checked = resolved;
    $("wrap-no").checked = !resolved;
    // The product defaults to what the customer's page showed (the shop's setContext).
    $("wrap-product").value = (item.customer.page && item.customer.page.product) || "";
    $("wrap-error").textContent = "";
    $("wrap-andon-status").textContent = "";
    dlg.showModal();
    sel.focus();
  }

  // Enter on the reason (a closed <select>, which a form does not submit by itself) ends the
  // contact, as Enter does in the dialog's text field.
  wrapReasonKey(e) {
    if (e.key !== "Enter" || e.altKey || e.isComposing) return;
    e.preventDefault();
    e.target.form.requestSubmit();
  }

  wrapUpValues() {
    return { reason: $("wrap-reason").value, resolved: $("wrap-yes").checked, product: $("wrap-product").value.trim() };
  }

  wrapUpAndonDone(text) {
    $("wrap-error").textContent = "";
    $("wrap-andon-status").textContent = text;
  }

  wrapUpError(text) {
    $("wrap-error").textContent = text;
  }

  closeWrapUp() {
    $("wrapup").close();
  }

  // ---- rendering ---------------------------------------------------------------------------
  renderAll() {
    const app = this.app;
    if (!app.state) return;
    this.renderTop();
    this.renderAndon();
    this.renderSide();
    this.renderCenter();
    this.renderCustomer();
    const total = Object.values(app.unread).reduce((a, b) => a + b, 0) + Object.keys(app.state.offers).length;
    document.title = (total ? `(${total}) ` : "") + "Lifeline console";
  }

  renderTop() {
    if (!this.top) return;
    const app = this.app;
    const st = app.state;
    const presence = st ? st.presence : "offline";
    const sup = app.me && ["supervisor", "admin"].includes(app.me.role);
    const nCb = st ? Object.keys(st.callbacks).length : 0;
    const tab = (id, label) =>
      h("button", { type: "button", class: "tab" + (app.tab === id ? " on" : ""), "aria-current": app.tab === id ? "page" : null, onclick: () => app.openTab(id) }, label);
    const sel = h(
      "select",
      { id: "presence", class: "presence " + presence, "aria-label": "Your status", onchange: (e) => app.setPresence(e.target.value) },
      ...STATUSES.map(([value, label]) => h("option", { value, selected: presence === value }, "● " + label)),
    );
    // The search box is kept across renders: typing in it goes on while events arrive.
    const search = app.history.box();
    const typing = document.activeElement === search.firstChild;
    this.top.textContent = "";
    this.top.append(
      ...[
        h("div", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true" }), "Lifeline"),
        h("nav", { class: "tabs", "aria-label": "Views" }, tab("inbox", "Conversations"), tab("callbacks", nCb ? `Callbacks (${nCb})` : "Callbacks"), sup ? tab("supervisor", "Live queue") : null, sup ? tab("team", "Team") : null),
        search,
        h("span", { class: "grow" }),
        app.connected ? null : h("span", { class: "pill warn", role: "status" }, "Reconnecting…"),
        sel,
        h("span", { class: "me" }, h("span", { class: "avatar sm" }, initials(app.me && app.me.name)), (app.me && app.me.name) || ""),
        h("button", { type: "button", class: "ghost sm", onclick: () => app.logout() }, "Sign out"),
      ].filter(Boolean),
    );
    if (typing && document.activeElement !== search.firstChild) search.firstChild.focus();
  }

  // The open andon flags, one row each: product, reason, contacts, who raised it, Clear.
  renderAndon() {
    const app = this.app;
    const bar = this.andonBar;
    if (!bar) return;
    const flags = app.state ? openFlags(app.state) : [];
    bar.hidden = !flags.length;
    bar.textContent = "";
    if (!flags.length) return;
    bar.append(h("h2", { class: "andon-h" }, h("span", { class: "andon-icon", "aria-hidden": "true" }, "■"), flags.length === 1 ? "Line stopped" : `${flags.length} lines stopped`));
    const list = h("ul", { class: "andon-list" });
    for (const f of flags) {
      const n = (f.contact_ids || []).length;
      const by = f.raised_by ? `raised by ${f.raised_by.name || "an agent"}` : `raised by the hub: ${n} customers, same problem`;
      list.append(
        h(
          "li",
          { "data-flag": f.id },
          h("b", { class: "andon-product" }, f.product),
          h("span", { class: "andon-reason" }, f.reason),
          h("span", { class: "small" }, `${n} contact${n === 1 ? "" : "s"} · ${by} · ${fmtTime(f.ts, true)}`),
          h("button", { type: "button", class: "ghost sm", "data-clear": f.id, "aria-label": `Clear the stop on ${f.product} (${f.reason})`, onclick: () => app.clearAndon(f.id) }, "Clear"),
        ),
      );
    }
    bar.append(list);
  }

  // A follow-up's survey answer, on top of an offer or a conversation.
  followUpNode(x) {
    const f = followUpOf(x);
    if (!f) return null;
    const sv = f.survey;
    return h(
      "div",
      { class: "follow-up", "data-follow-up": f.of },
      h("span", { class: "pill follow" }, "Follow-up"),
      h("span", { class: "follow-what" }, sv ? surveyLine(sv).replace(/^Survey: /, "") : "of an earlier contact"),
    );
  }

  renderSide() {
    const app = this.app;
    const st = app.state;
    this.side.textContent = "";
    this.offersBox = h("section", { class: "offers", "aria-label": "Incoming", "aria-live": "assertive" });
    this.side.append(this.offersBox);
    this.renderOffers();
    const items = Object.values(st.contacts);
    const list = h("ul", { class: "convs", "aria-label": "Your conversations" });
    items.forEach((item, i) => {
      const c = item.contact;
      const last = [...item.events].reverse().find((e) => e.type === "message");
      const n = app.unread[c.id] || 0;
      list.append(
        h(
          "li",
          {},
          h(
            "button",
            { type: "button", class: "conv-item" + (c.id === app.selected && app.tab === "inbox" ? " on" : "") + (c.state === "ended" ? " ended" : ""), "aria-current": c.id === app.selected ? "true" : null, "data-contact": c.id, onclick: () => app.select(c.id), title: i < 9 ? `Alt+${i + 1}` : null },
            h("span", { class: "avatar" }, initials(customerName(item.customer))),
            h(
              "span",
              { class: "ci-main" },
              h(
                "span",
                { class: "ci-top" },
                h("b", {}, customerName(item.customer)),
                followUpOf(c) ? h("span", { class: "pill follow sm" }, "Follow-up") : null,
                item.watching ? h("span", { class: "pill watching sm" }, "Watching") : null,
                h("span", { class: "chan", html: icons[c.channel] || "", title: channelLabel(c.channel) }),
              ),
              h("span", { class: "ci-last" }, c.state === "ended" ? "Ended · wrap up" : last ? last.data.text : channelLabel(c.channel)),
            ),
            n ? h("span", { class: "count", "aria-label": `${n} unread` }, String(n)) : null,
          ),
        ),
      );
    });
    this.side.append(h("h2", { class: "side-h" }, "Conversations ", h("span", { class: "muted" }, String(items.length))), items.length ? list : h("p", { class: "empty" }, st.presence === "available" ? "Waiting for the next customer…" : "You are away. Set yourself available to receive contacts."));
  }

  renderOffers() {
    if (!this.offersBox) return;
    const app = this.app;
    this.offersBox.textContent = "";
    for (const o of Object.values(app.state.offers)) {
      const who = customerName(o.customer);
      const bar = h("span", { class: "bar" });
      const secs = h("span", { class: "secs" });
      const card = h(
        "div",
        { class: "offer " + o.channel, role: "alertdialog", "aria-label": `Incoming ${channelLabel(o.channel)} from ${who}`, "data-offer": o.contact_id },
        h("div", { class: "offer-top" }, h("span", { class: "chan big", html: icons[o.channel] || "" }), h("div", {}, h("b", {}, who), h("div", { class: "small" }, `${channelLabel(o.channel)} · waited ${fmtWait(o.waited_ms / 1000)}`)), secs),
        this.followUpNode(o),
        o.text || o.preview ? h("p", { class: "offer-text" }, o.text || o.preview) : null,
        o.phone ? h("p", { class: "offer-text" }, o.phone) : null,
        h("div", { class: "timer" }, bar),
        h(
          "div",
          { class: "row" },
          h("button", { type: "button", class: "primary grow", disabled: o.busy, onclick: () => app.accept(o.contact_id), "aria-keyshortcuts": "Alt+A" }, "Accept ", h("kbd", {}, "Alt+A")),
          h("button", { type: "button", class: "ghost", disabled: o.busy, onclick: () => app.decline(o.contact_id), "aria-keyshortcuts": "Alt+D" }, "Decline"),
        ),
      );
      card._offer = o;
      card._bar = bar;
      card._secs = secs;
      this.offersBox.append(card);
    }
    this.renderCountdowns();
  }

  renderCountdowns() {
    if (!this.offersBox) return;
    const now = Date.now();
    for (const card of this.offersBox.children) {
      const o = card._offer;
      const left = Math.max(0, o.expires_in_ms - (now - o.received_at));
      card._bar.style.width = `${(100 * left) / Math.max(1, o.expires_in_ms)}%`;
      card._secs.textContent = `${Math.ceil(left / 1000)}s`;
    }
  }

  renderCenter() {
    const app = this.app;
    // The live video stage is never taken out of the page while it lives: moving an <iframe>
    // reloads it, and the replay would be lost. It is only shown or hidden.
    const stage = app.mayday && app.mayday.el;
    // The conversation pane stays in the page while it is the one shown: taking it out, even
    // to put it straight back, would blur the composer, and what the agent types next (an
    // Enter that sends, the rest of a reply) would go nowhere whenever an event came in.
    const item = ["callbacks", "supervisor", "team"].includes(app.tab) ? null : app.state.contacts[app.selected];
    // The reports and the team stay in the page too while shown, so their controls keep the
    // focus (an admin editing a row goes on typing while agents come and go).
    const kept = app.tab === "supervisor" ? app.reports.el : app.tab === "team" ? app.team.el : null;
    for (const child of [...this.center.children]) if (child !== stage && !(item && child === this.convPane) && child !== kept) child.remove();
    if (stage) {
      if (stage.parentNode !== this.center) this.center.prepend(stage);
      stage.hidden = !(app.tab === "inbox" && app.selected === app.mayday.contactId);
    }
    this.center.classList.toggle("with-stage", !!stage && !stage.hidden);
    if (app.tab === "callbacks") return this.center.append(callbacksPage(app.state));
    if (app.tab === "supervisor") {
      if (kept.parentNode !== this.center) this.center.append(kept);
      const page = supervisorPage(app.state);
      page.append(app.transfer.liveTable());
      return this.center.insertBefore(page, kept);
    }
    if (app.tab === "team") {
      if (kept.parentNode !== this.center) this.center.append(kept);
      return;
    }
    if (!item) {
      this.center.append(
        h("div", { class: "blank" }, h("div", { class: "blank-icon", html: icons.chat }), h("h2", {}, "No conversation selected"), h("p", { class: "muted" }, "New contacts appear on the left with a sound. Accept with Alt+A.")),
      );
      return;
    }
    this.renderConvHead(item);
    this.renderLog();
    this.renderComposerMode();
    this.renderTyping();
    const ended = item.contact.state === "ended";
    this.input.disabled = ended;
    this.composer.hidden = !!item.watching; // a watched conversation is read-only
    this.cannedSel.textContent = "";
    this.cannedSel.append(h("option", { value: "" }, "Canned responses…"));
    siteLists(app.state, item.contact).canned.forEach((c, i) => this.cannedSel.append(h("option", { value: String(i) }, c.title)));
    if (this.convPane.parentNode !== this.center) this.center.append(this.convPane);
  }

  // The supervisor's "longest wait" figures go on between the hub's queue updates: only their
  // text changes, so nothing on the page loses the focus.
  renderWaits() {
    if (this.app.tab !== "supervisor" || !this.app.state) return;
    const waits = longestWaits(this.app.state, Date.now());
    for (const el of this.center.querySelectorAll("[data-longest]")) {
      const text = waits[el.dataset.longest];
      if (text !== undefined && el.textContent !== text) el.textContent = text;
    }
  }

  renderConvHead(item) {
    const app = this.app;
    const c = item.contact;
    const ended = c.state === "ended";
    const parts = [
      h("div", { class: "grow" }, h("h2", { id: "conv-title" }, customerName(item.customer)), h("div", { class: "small muted" }, `${channelLabel(c.channel)} · ${ended ? "ended" : "in progress"}`)),
    ];
    if (c.channel === "callback") {
      parts.push(
        h(
          "div",
          { class: "callbar" },
          c.phone ? h("a", { class: "primary call", href: `tel:${c.phone}`, html: icons.callback + `<span>Call ${c.phone}</span>` }) : null,
          item.outcome ? h("span", { class: "pill" }, `Outcome: ${item.outcome.replace("_", " ")}`) : null,
          ...(item.outcome
            ? []
            : [
                ["reached", "Reached"],
                ["no_answer", "No answer"],
                ["wrong_number", "Wrong number"],
              ].map(([v, label]) => h("button", { type: "button", class: "ghost", "data-outcome": v, onclick: () => app.outcome(c.id, v) }, label))),
        ),
      );
    }
    parts.push(...app.transfer.headControls(item));
    if (!item.watching) parts.push(h("button", { type: "button", class: ended ? "primary" : "ghost", id: "wrapup-open", onclick: () => app.openWrapUp(c.id), title: "Alt+E" }, ended ? "Wrap up" : "End & wrap up"));
    this.convHead.textContent = "";
    this.convHead.append(...parts);
    // A follow-up: the customer's answer that brought it, first thing the agent reads.
    const f = followUpOf(c);
    this.followBox.textContent = "";
    this.followBox.hidden = !f;
    if (f) {
      const sv = f.survey;
      this.followBox.append(
        h("div", { class: "follow-top" }, h("span", { class: "pill follow" }, "Follow-up"), h("span", {}, sv && sv.resolved === false ? "The customer said the problem was not resolved" : "Follow-up of an earlier contact")),
        sv && sv.effort ? h("div", { class: "follow-effort" }, `Effort: ${sv.effort}/7`) : null,
        sv && sv.comment ? h("blockquote", { class: "follow-comment" }, sv.comment) : null,
      );
    }
  }

  renderLog() {
    const app = this.app;
    const item = app.state && app.state.contacts[app.selected];
    if (!item || !this.log) return;
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    this.log.textContent = "";
    let lastKey = null;
    for (const ev of item.events) {
      const a = ev.author || {};
      const d = ev.data || {};
      if (ev.type === "message" || ev.type === "note") {
        const mine = a.role === "agent" || a.role === "supervisor";
        const key = ev.type + (a.id || a.role);
        if (key !== lastKey) this.log.append(h("div", { class: "who" + (mine ? " mine" : "") }, ev.type === "note" ? `Private note · ${a.name || "agent"}` : a.role === "customer" ? customerName(item.customer) : a.name || "Agent", h("span", { class: "ts" }, fmtTime(ev.ts))));
        lastKey = key;
        this.log.append(h("div", { class: "bubble " + (ev.type === "note" ? "note" : mine ? "mine" : "theirs"), "data-seq": ev.seq }, d.erased ? "(erased)" : d.text || ""));
      } else if (ev.type === "attachment") {
        const mine = a.role === "agent" || a.role === "supervisor";
        const key = "message" + (a.id || a.role);
        if (key !== lastKey) this.log.append(h("div", { class: "who" + (mine ? " mine" : "") }, a.role === "customer" ? customerName(item.customer) : a.name || "Agent", h("span", { class: "ts" }, fmtTime(ev.ts))));
        lastKey = key;
        this.log.append(attachmentNode(app, item, ev, mine));
      } else if (ev.type === "survey") {
        // The customer's answer to the survey: a card of its own, not a grey line.
        lastKey = null;
        this.log.append(
          h(
            "div",
            { class: "survey-item" + (d.resolved === false ? " bad" : " good"), "data-seq": ev.seq, "data-type": "survey", role: "note" },
            h("b", {}, "Survey answer"),
            h("span", {}, surveyLine(d).replace(/^Survey: /, "")),
            h("span", { class: "ts" }, fmtTime(ev.ts)),
          ),
        );
      } else {
        lastKey = null;
        const text = describeEvent(ev);
        if (text) this.log.append(h("div", { class: "sys", "data-seq": ev.seq }, text, h("span", { class: "ts" }, fmtTime(ev.ts))));
      }
    }
    for (const m of app.pending[item.contact.id] || []) this.log.append(h("div", { class: "bubble pending " + (m.note ? "note" : "mine") }, m.text));
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }

  renderTyping() {
    const app = this.app;
    const item = app.state && app.state.contacts[app.selected];
    const t = item && app.typing[item.contact.conversation_id];
    if (!this.typingEl) return;
    this.typingEl.hidden = !t;
    this.typingEl.textContent = t ? `${customerName(item.customer)} is typing…` : "";
  }

  renderComposerMode() {
    const note = this.app.noteMode;
    this.replyTab.classList.toggle("on", !note);
    this.noteTab.classList.toggle("on", note);
    this.replyTab.setAttribute("aria-selected", String(!note));
    this.noteTab.setAttribute("aria-selected", String(note));
    this.composer.classList.toggle("noting", note);
    this.input.placeholder = note ? "Private note: only agents see it" : REPLY_PLACEHOLDER;
    this.input.setAttribute("aria-label", note ? "Private note for agents" : "Reply to the customer");
  }

  renderCustomer() {
    const app = this.app;
    this.right.textContent = "";
    // The team is a wide table: it takes the customer's column, which has nothing to show then.
    this.right.parentNode.classList.toggle("wide", app.tab === "team");
    const item = app.tab === "inbox" && app.state.contacts[app.selected];
    if (!item) return (this.right.hidden = true);
    this.right.hidden = false;
    this.right.append(...customerPanel(item, app.history.section(item)));
  }
}
