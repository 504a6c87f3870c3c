// The reply box's "/" shortcut: a "/" typed in an empty reply opens the site's canned responses
// as a list, filtered by what is typed after it; the arrow keys choose, Enter inserts the chosen
// one in place of the "/…", Escape closes the list and leaves the text as it is.
import { h } from "../../shared/dom.js";

export class CannedPopup {
  // view: the console's view (view.js): its reply box, its canned list, its app.
  constructor(view) {
    this.view = view;
    this.open = false;
    this.dismissed = false; // Escape pressed: closed until the "/" is gone
    this.active = 0;
    this.matches = [];
    this.el = h("ul", { class: "canned-pop", id: "canned-pop", role: "listbox", "aria-label": "Canned responses", hidden: true });
    // A click on the list must not take the focus from the reply box.
    this.el.addEventListener("mousedown", (e) => e.preventDefault());
  }

  // After every change of the reply box: open, filter again, or close.
  follow() {
    const m = /^\/([^\n]*)$/.exec(this.view.input.value);
    if (!m) {
      this.dismissed = false;
      return this.close();
    }
    if (this.dismissed) return;
    const q = m[1].trim().toLowerCase();
    this.matches = this.view.cannedList().filter((c) => !q || c.title.toLowerCase().includes(q) || c.text.toLowerCase().includes(q));
    this.active = this.open ? Math.min(this.active, Math.max(0, this.matches.length - 1)) : 0;
    this.open = true;
    this.render();
  }

  render() {
    const input = this.view.input;
    this.el.textContent = "";
    this.el.hidden = false;
    input.setAttribute("aria-controls", this.el.id);
    if (!this.matches.length) {
      this.el.append(h("li", { role: "option", "aria-disabled": "true", "aria-selected": "false", class: "none" }, "No canned response matches"));
      input.removeAttribute("aria-activedescendant");
      return;
    }
    this.matches.forEach((c, i) => {
      const on = i === this.active;
      this.el.append(
        h("li", { role: "option", id: `canned-opt-${i}`, class: on ? "on" : null, "aria-selected": String(on), onclick: () => this.choose(i) }, h("b", {}, c.title), h("span", { class: "canned-text" }, c.text)),
      );
    });
    input.setAttribute("aria-activedescendant", `canned-opt-${this.active}`);
    const on = this.el.children[this.active];
    if (on && on.scrollIntoView) on.scrollIntoView({ block: "nearest" });
  }

  // A key pressed in the reply box while the list is open: true when the list took it.
  key(e) {
    const n = this.matches.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (n) this.active = (this.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      this.render();
      return true;
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && n) {
      e.preventDefault();
      this.choose(this.active);
      return true;
    }
    if (e.key === "Escape") {
      e.preventDefault();
      this.dismissed = true;
      this.close();
      return true;
    }
    if (e.key === "Tab") this.close();
    return false;
  }

  choose(i) {
    const c = this.matches[i];
    if (!c) return;
    this.view.input.value = "";
    this.close();
    this.view.app.insertCanned(c.text);
  }

  close() {
    if (!this.open && this.el.hidden) return;
    this.open = false;
    this.el.hidden = true;
    this.el.textContent = "";
    this.view.input.removeAttribute("aria-activedescendant");
  }
}
