// The survey after a contact: "was your problem resolved?" (yes / no), the effort it took (seven
// labelled steps), an optional comment and, for a "no" with no number known, an optional phone
// for the callback; then what happens next (a callback, a chat, or a thank-you).
import { h } from "../../shared/dom.js";
import { surveyOnShow } from "./state.js";

const STEPS = [1, 2, 3, 4, 5, 6, 7];

export class SurveyView {
  // actions: {submit(), dismiss()}
  constructor({ t, state, actions }) {
    this.t = t;
    this.state = state;
    this.resolved = null; // true, false or null (not chosen yet)
    this.effort = null;
    this.actions = actions;
    // Under the conversation's log, in place of the composer while it asks. Its form is built
    // when a survey first comes: most pages never have one.
    this.el = h("section", { class: "survey-pane", "data-survey": "", "aria-labelledby": "ll-survey-title", hidden: true });
    this.form = null;
  }

  build() {
    const { t, actions } = this;
    const choice = (group, value, label, extra = {}) =>
      h("button", { class: "choice", type: "button", "aria-pressed": "false", "data-value": String(value), onclick: () => this.choose(group, value), ...extra }, label);
    this.heading = h("h3", { id: "ll-survey-title", tabindex: "-1" }, t("surveyTitle"));
    this.yesBtn = choice("resolved", true, t("yes"), { "data-answer": "yes" });
    this.noBtn = choice("resolved", false, t("no"), { "data-answer": "no" });
    this.steps = STEPS.map((n) => choice("effort", n, String(n), { class: "choice step", "aria-label": t("effortStep", { n, label: t("effort" + n) }), title: t("effort" + n), "data-effort": String(n) }));
    this.comment = h("textarea", { class: "in area", id: "ll-survey-comment", rows: "2", maxlength: "2000" });
    this.phone = h("input", { class: "in", id: "ll-survey-phone", type: "tel", autocomplete: "tel", inputmode: "tel", "aria-describedby": "ll-survey-phone-hint ll-survey-phone-err" });
    this.phoneErr = h("div", { class: "err", id: "ll-survey-phone-err", role: "alert" });
    this.phoneBox = h(
      "div",
      { class: "phonebox", hidden: true },
      h("label", { class: "f", for: "ll-survey-phone" }, t("surveyPhone")),
      this.phone,
      h("span", { class: "hint", id: "ll-survey-phone-hint" }, t("surveyPhoneHint")),
      this.phoneErr,
    );
    this.formErr = h("div", { class: "err", role: "alert" });
    this.sendBtn = h("button", { class: "btn wide", type: "submit" }, t("surveySend"));
    this.form = h(
      "form",
      { class: "form survey", novalidate: true, "aria-labelledby": "ll-survey-title", onsubmit: (e) => (e.preventDefault(), actions.submit()) },
      this.heading,
      (this.intro = h("p", { class: "lead" }, t("surveyIntro"))),
      h("fieldset", { "data-question": "resolved" }, h("legend", {}, t("surveyResolved")), h("div", { class: "choices", role: "group" }, this.yesBtn, this.noBtn)),
      h(
        "fieldset",
        { "data-question": "effort" },
        h("legend", {}, t("surveyEffort")),
        h("div", { class: "choices steps", role: "group" }, this.steps),
        h("div", { class: "ends", "aria-hidden": "true" }, h("span", {}, t("effort1")), h("span", {}, t("effort7"))),
      ),
      this.phoneBox,
      h("label", { class: "f", for: "ll-survey-comment" }, t("surveyComment")),
      this.comment,
      this.formErr,
      this.sendBtn,
    );
    // What happens next, said politely to screen readers when it changes.
    this.outcomeText = h("div", { class: "notice", role: "status", "aria-live": "polite" });
    this.okBtn = h("button", { class: "btn ghost", type: "button", "data-action": "survey-ok", onclick: () => actions.dismiss() }, t("surveyOk"));
    this.outcome = h("div", { class: "outcome", hidden: true }, this.outcomeText, this.okBtn);
    this.el.append(this.form, this.outcome);
  }

  // Another contact's survey: a blank form.
  restart(contactId) {
    this.contactId = contactId;
    this.resolved = this.effort = null;
    for (const b of [this.yesBtn, this.noBtn, ...this.steps]) b.setAttribute("aria-pressed", "false");
    this.comment.value = this.phone.value = "";
    this.clearErrors();
  }

  choose(group, value) {
    if (group === "resolved") this.resolved = value;
    else this.effort = value;
    const buttons = group === "resolved" ? [this.yesBtn, this.noBtn] : this.steps;
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.value === String(value)));
    if (group === "resolved") {
      this.formErr.textContent = "";
      this.render();
    }
  }

  // Where the focus goes when the view opens: the question itself, so it is read out first.
  focusTarget() {
    if (!this.form) return null;
    return this.form.hidden ? this.okBtn : this.heading;
  }

  // The form's answer, as survey.answer wants it, or {error} for what the customer must fix.
  values(toE164) {
    const { t } = this;
    if (this.resolved == null) return { error: "resolved", message: t("surveyNeedResolved") };
    const out = { resolved: this.resolved };
    if (this.effort) out.effort = this.effort;
    const comment = this.comment.value.trim();
    if (comment) out.comment = comment.slice(0, 2000);
    if (!this.phoneBox.hidden && this.phone.value.trim()) {
      const phone = toE164(this.phone.value);
      if (!phone) return { error: "phone", message: t("phoneInvalid") };
      out.phone = phone;
    }
    return out;
  }

  showError(field, text) {
    if (field === "phone") {
      this.phone.setAttribute("aria-invalid", "true");
      this.phoneErr.textContent = text;
      this.phone.focus();
      return;
    }
    this.formErr.textContent = text;
    if (field === "resolved") this.yesBtn.focus();
  }

  clearErrors() {
    this.phone.removeAttribute("aria-invalid");
    this.phoneErr.textContent = "";
    this.formErr.textContent = "";
  }

  outcomeFor(s) {
    const { t } = this;
    if (s.status === "closed") return [s.error === "survey_expired" ? t("surveyExpired") : t("surveyAlready"), ""];
    const o = s.outcome || {};
    if (o.kind === "callback") return [t("surveyCallback", { phone: o.phone }), "ok"];
    if (o.kind === "chat") return [t("surveyChat"), "ok"];
    return [t("surveyThanks"), "ok"];
  }

  // Whether the form is asking (the composer makes way for it).
  asking() {
    return !!this.form && !this.el.hidden && !this.form.hidden;
  }

  // Returns whether there is a survey to show.
  render() {
    const s = surveyOnShow(this.state);
    this.el.hidden = !s;
    if (!s) return false;
    if (!this.form) this.build();
    if (s.contact_id !== this.contactId) this.restart(s.contact_id);
    this.intro.textContent = this.t(s.channel === "callback" ? "surveyIntroCall" : "surveyIntro");
    const asking = s.status === "asked" || s.status === "sending";
    this.form.hidden = !asking;
    this.outcome.hidden = asking;
    if (asking) {
      // The phone only for a "no" when the hub knows no number to call.
      this.phoneBox.hidden = !(this.resolved === false && !s.phone);
      this.sendBtn.disabled = s.status === "sending";
      this.form.setAttribute("aria-busy", String(s.status === "sending"));
      if (s.error && s.status === "asked") this.formErr.textContent = this.t("error");
      return true;
    }
    const [text, tone] = this.outcomeFor(s);
    this.outcomeText.textContent = text;
    this.outcomeText.className = "notice" + (tone ? " " + tone : "");
    return true;
  }
}
