// Attachments in the console: the paperclip in the composer (the file goes over REST with the
// agent's token: socket.io payloads are capped small), and an attachment event in the log: an
// image as a thumbnail of its signed link, a PDF as a download link.
import { h } from "../../shared/dom.js";

function newClientId() {
  const c = window.crypto;
  if (c.randomUUID) return c.randomUUID();
  return Array.from(c.getRandomValues(new Uint8Array(16)), (x) => x.toString(16).padStart(2, "0")).join("");
}

export const ACCEPT = "image/jpeg,image/png,image/webp,image/gif,application/pdf";
const IMAGES = ["image/jpeg", "image/png", "image/webp", "image/gif"];
const MAX_BYTES = 10 * 1024 * 1024;
const CLIP = '<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false"><path d="m21.4 11.1-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5"/></svg>';

// The paperclip and its hidden file input, for the composer's foot.
export function attachControl(app) {
  const input = h("input", { type: "file", accept: ACCEPT, hidden: true, id: "attach-input" });
  input.addEventListener("change", () => {
    for (const file of input.files || []) sendFile(app, file);
    input.value = "";
  });
  const button = h("button", { type: "button", class: "ghost attach", id: "attach", "aria-label": "Attach an image or PDF", title: "Attach an image or PDF (at most 10 MB)", html: CLIP, onclick: () => input.click() });
  return h("span", { class: "attach-wrap" }, button, input);
}

// Send one file into the selected conversation; a refusal is said in a toast.
export async function sendFile(app, file) {
  const item = app.state && app.state.contacts[app.selected];
  if (!item) return;
  if (file.size > MAX_BYTES) return app.toast("This file is larger than 10 MB");
  const q = new URLSearchParams({ client_id: newClientId(), name: file.name || "file" });
  try {
    const res = await fetch(`/api/v1/conversations/${encodeURIComponent(item.contact.conversation_id)}/files?${q}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${app.token}` },
      body: file,
    });
    const body = await res.json().catch(() => null);
    if (!res.ok || !body || !body.ok) throw (body && body.error) || { message: `HTTP ${res.status}` };
  } catch (err) {
    app.toast(err.code === "unsupported_type" ? "Only images (JPEG, PNG, WebP, GIF) and PDFs can be sent" : err.message || "Not sent");
  }
}

// The log's node for an attachment event; a line once its customer was erased. A link lasts
// five minutes and a conversation stays open for longer: a click asks the hub for a fresh one.
export function attachmentNode(app, item, ev, mine) {
  const d = ev.data || {};
  const side = mine ? " mine" : " theirs";
  if (!d.url) return h("div", { class: "bubble" + side, "data-seq": ev.seq }, "(erased attachment)");
  const onclick = (e) => openFresh(e, app, item, ev);
  if (IMAGES.includes(d.type)) {
    return h(
      "a",
      { class: "att att-image" + side, href: d.url, target: "_blank", rel: "noopener noreferrer", "data-seq": ev.seq, "data-attachment": d.type, "aria-label": `Open ${d.name}`, onclick },
      h("img", { src: d.url, alt: d.name, loading: "lazy" }),
    );
  }
  return h("a", { class: "bubble att att-file" + side, href: d.url, download: d.name, rel: "noopener noreferrer", "data-seq": ev.seq, "data-attachment": d.type, onclick }, `📄 ${d.name}`);
}

function openFresh(e, app, item, ev) {
  if (e.button || e.ctrlKey || e.metaKey || e.shiftKey) return; // the browser's own ways
  e.preventDefault();
  const image = IMAGES.includes(ev.data.type);
  // Opened within the click, so that no popup blocker stops it; pointed at the file after.
  const win = image ? window.open("about:blank", "_blank") : null;
  if (win) win.opener = null;
  freshUrl(app, item, ev).then(
    (url) => {
      if (win) win.location.href = url;
      else if (!image) h("a", { href: url, download: ev.data.name }).click();
    },
    () => {
      if (win) win.close();
      app.toast("The file could not be opened");
    },
  );
}

async function freshUrl(app, item, ev) {
  const cid = encodeURIComponent(item.contact.conversation_id);
  const res = await fetch(`/api/v1/conversations/${cid}/events?after_seq=${ev.seq - 1}`, { headers: { Authorization: `Bearer ${app.token}` } });
  const body = await res.json();
  const found = res.ok && (body.events || []).find((x) => x.seq === ev.seq);
  if (!found || !found.data.url) throw new Error("no link");
  return found.data.url;
}
