// The console's keyboard shortcuts: Alt+A accept and Alt+D decline the oldest offer, Alt+N
// toggles the private note, Alt+E wraps up, Alt+1…9 switch conversations.
export function shortcut(app, e) {
  if (!app.state) return;
  const offers = Object.values(app.state.offers).filter((o) => !o.busy);
  if (e.altKey && !e.ctrlKey && !e.metaKey) {
    const k = e.key.toLowerCase();
    const code = e.code || "";
    if ((k === "a" || code === "KeyA") && offers.length) {
      e.preventDefault();
      app.accept(offers[0].contact_id);
    } else if ((k === "d" || code === "KeyD") && offers.length) {
      e.preventDefault();
      app.decline(offers[0].contact_id);
    } else if ((k === "n" || code === "KeyN") && app.selected) {
      e.preventDefault();
      app.setNoteMode(!app.noteMode);
    } else if ((k === "e" || code === "KeyE") && app.selected) {
      e.preventDefault();
      app.openWrapUp();
    } else if (/^Digit[1-9]$/.test(code)) {
      const ids = Object.keys(app.state.contacts);
      const id = ids[Number(code.slice(5)) - 1];
      if (id) {
        e.preventDefault();
        app.select(id);
      }
    }
  }
}
