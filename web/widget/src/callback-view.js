// The "call me back" view: the form (phone number, as soon as possible or a half-hour slot),
// then where the request stands (scheduled, retrying, done...) with Cancel or Ask again.
import { h } from "../../shared/dom.js";
import { activeCallback, callbackFinished } from "./state.js";

export class CallbackView {
  // actions: {submit(), cancel(), again()}
  constructor({ config, t, state, actions }) {
    this.config = config;
    this.t = t;
    this.state = state;
    this.el = this.build(actions);
  }

  build(actions) {
    const { t } = this;
    this.phone = h("input", { class: "in", id: "ll-phone", type: "tel", autocomplete: "tel", inputmode: "tel", "aria-describedby": "ll-phone-hint ll-phone-err", required: true });
    this.phoneErr = h("div", { class: "err", id: "ll-phone-err", role: "alert" });
    this.asap = h("input", { type: "radio", name: "ll-when", value: "asap", checked: true, onchange: () => this.syncSlot() });
    this.later = h("input", { type: "radio", name: "ll-when", value: "later", onchange: () => this.syncSlot() });
    this.slot = h("select", { class: "in", id: "ll-slot", "aria-label": t("slotLabel"), hidden: true });
    this.form = h(
      "form",
      { class: "form", novalidate: true, onsubmit: (e) => (e.preventDefault(), actions.submit()) },
      h("h3", {}, t("callbackTitle")),
      h("label", { class: "f", for: "ll-phone" }, t("phoneLabel")),
      this.phone,
      h("span", { class: "hint", id: "ll-phone-hint" }, t("phoneHint")),
      this.phoneErr,
      h(
        "fieldset",
        {},
        h("legend", {}, t("when")),
        h("label", { class: "radio" }, this.asap, t("asap")),
        h("label", { class: "radio" }, this.later, t("later")),
        this.slot,
      ),
      h("button", { class: "btn wide", type: "submit" }, t("requestCall")),
    );
    this.status = h("div", { class: "form", hidden: true },
      h("h3", {}, t("callbackTitle")),
      (this.statusText = h("div", { class: "notice", role: "status", "aria-live": "polite" })),
      (this.cancelBtn = h("button", { class: "btn ghost", type: "button", onclick: () => actions.cancel() }, t("cbCancel"))),
      (this.againBtn = h("button", { class: "btn", type: "button", hidden: true, onclick: () => actions.again() }, t("cbAnother"))),
    );
    return h("section", { class: "body", "data-view": "callback", hidden: true }, this.form, this.status);
  }

  // What takes the focus when the view opens: the phone field, or the status's button.
  focusTarget() {
    return this.form.hidden ? this.status.querySelector("button:not([hidden])") : this.phone;
  }

  focusPhone() {
    this.phone.focus();
  }

  focusStatus() {
    const b = this.status.querySelector("button:not([hidden])");
    if (b) b.focus();
  }

  syncSlot() {
    this.slot.hidden = !this.later.checked;
    if (this.later.checked && !this.slot.options.length) this.fillSlots();
  }

  // Half-hour slots in the customer's local time, 08:00 to 20:00, today and tomorrow.
  fillSlots() {
    const { t } = this;
    const fmt = new Intl.DateTimeFormat(this.config.lang, { hour: "2-digit", minute: "2-digit" });
    const now = new Date();
    const d = new Date(now);
    d.setSeconds(0, 0);
    d.setMinutes(d.getMinutes() < 30 ? 30 : 60);
    d.setMinutes(d.getMinutes() + 30);
    const groups = {};
    for (let i = 0; i < 96 && Object.values(groups).flat().length < 30; i++, d.setMinutes(d.getMinutes() + 30)) {
      if (d.getHours() < 8 || d.getHours() >= 20) continue;
      const day = d.getDate() === now.getDate() ? "today" : "tomorrow";
      if (d.getDate() !== now.getDate() && d - now > 36 * 3600e3) break;
      (groups[day] = groups[day] || []).push(h("option", { value: d.toISOString() }, `${t(day)} ${fmt.format(d)}`));
    }
    for (const day of Object.keys(groups)) this.slot.append(h("optgroup", { label: t(day) }, groups[day]));
  }

  // The form's answer: {phone: raw text, notBefore: ISO time or undefined}.
  values() {
    return { phone: this.phone.value, notBefore: this.later.checked && this.slot.value ? this.slot.value : undefined };
  }

  // The number typed is not one we can call: say so next to it.
  phoneInvalid(text) {
    this.phone.setAttribute("aria-invalid", "true");
    this.phoneErr.textContent = text;
    this.phone.focus();
  }

  phoneValid() {
    this.phone.removeAttribute("aria-invalid");
    this.phoneErr.textContent = "";
  }

  // The hub refused the request.
  formError(text) {
    this.phoneErr.textContent = text;
  }

  showError(text) {
    this.statusText.textContent = text;
  }

  callbackText(c) {
    const { t } = this;
    const phone = c.phoneDisplay || c.phone || "";
    const time = (iso) =>
      iso ? new Intl.DateTimeFormat(this.config.lang, { weekday: "short", hour: "2-digit", minute: "2-digit" }).format(new Date(typeof iso === "number" ? iso * 1000 : iso)) : "";
    if (c.status === "cancelled") return [t("cbCancelled"), ""];
    if (c.status === "done" || c.outcome === "reached") return [t("cbDone"), "ok"];
    if (c.status === "failed") return [t("cbFailed", { phone }), "bad"];
    if (c.status === "retry") return [t("cbRetry", { attempts: c.attempts || 1, time: time(c.next_attempt_at) }), ""];
    if (c.state === "assigned") return [t("cbInProgress"), "ok"];
    if (c.not_before) return [t("cbScheduledAt", { phone, time: time(c.not_before) }), ""];
    return [t("cbScheduledAsap", { phone }), ""];
  }

  // Returns what it shows of a callback ({text, tone}), or null when it shows the form.
  render() {
    const { state } = this;
    let c = activeCallback(state);
    if (c && c === state.forgetCallback) c = null;
    this.form.hidden = !!c;
    this.status.hidden = !c;
    if (!c) {
      if (!this.phone.value && state.knownPhone) this.phone.value = state.knownPhone;
      return null;
    }
    const [text, tone] = this.callbackText(c);
    const finished = callbackFinished(c);
    this.statusText.textContent = text;
    this.statusText.className = "notice" + (tone ? " " + tone : "");
    this.cancelBtn.hidden = finished || c.state === "assigned";
    this.againBtn.hidden = !finished;
    return { text, tone };
  }
}
