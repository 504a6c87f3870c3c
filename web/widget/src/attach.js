// Attachments in the widget: the paperclip beside the composer, the upload over HTTP (socket.io
// payloads are capped small), and how an attachment event is drawn: an image as a thumbnail of
// its signed link, a PDF as a download link. The hub checks the type by the file's bytes; the
// checks here only spare the shopper a wait for a refusal.
import { h } from "../../shared/dom.js";
import { HISTORY } from "../../shared/events.js";

export const ACCEPT = "image/jpeg,image/png,image/webp,image/gif,application/pdf";
export const MAX_BYTES = 10 * 1024 * 1024;
const IMAGES = ["image/jpeg", "image/png", "image/webp", "image/gif"];

const WORDS = {
  en: { attach: "Attach a photo or PDF", tooLarge: "This file is larger than 10 MB.", badType: "Only photos (JPEG, PNG, WebP, GIF) and PDFs can be sent.", sending: "Sending {name}…", open: "Open {name}", first: "Write to us first, then attach your file." },
  fr: { attach: "Joindre une photo ou un PDF", tooLarge: "Ce fichier dépasse 10 Mo.", badType: "Seules les photos (JPEG, PNG, WebP, GIF) et les PDF peuvent être envoyés.", sending: "Envoi de {name}…", open: "Ouvrir {name}", first: "Écrivez-nous d'abord, puis joignez votre fichier." },
};

export function words(lang) {
  const table = WORDS[lang] || WORDS.en;
  return (key, vars) => {
    let text = table[key] || WORDS.en[key] || key;
    for (const k of Object.keys(vars || {})) text = text.split(`{${k}}`).join(String(vars[k]));
    return text;
  };
}

const CLIP = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false"><path d="m21.4 11.1-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5"/></svg>';

// The paperclip and its hidden file input; onFile(file) gets each file chosen.
export function attachControl(w, onFile) {
  const input = h("input", { type: "file", accept: ACCEPT, hidden: true, "data-attach-input": "" });
  input.addEventListener("change", () => {
    for (const file of input.files || []) onFile(file);
    input.value = "";
  });
  const button = h("button", { class: "attach", type: "button", "aria-label": w("attach"), title: w("attach"), html: CLIP, onclick: () => input.click() });
  return h("span", { class: "attach-wrap" }, button, input);
}

// Why the hub would refuse this file, before sending it (null if it would not).
export function precheck(w, file) {
  if (file.size > MAX_BYTES) return w("tooLarge");
  if (file.type && !ACCEPT.split(",").includes(file.type)) return w("badType");
  return null;
}

// POST the file's bytes; resolves with the hub's answer, rejects with {code, message}.
export async function upload({ hubUrl, siteKey, token, conversationId, file, clientId }) {
  const q = new URLSearchParams({ site: siteKey, client_id: clientId, name: file.name || "file" });
  const res = await fetch(`${hubUrl}/api/v1/conversations/${encodeURIComponent(conversationId)}/files?${q}`, {
    method: "POST",
    headers: { Authorization: `Visitor ${token}` },
    body: file,
  });
  const body = await res.json().catch(() => null);
  if (!res.ok || !body || !body.ok) throw (body && body.error) || { code: "error", message: `HTTP ${res.status}` };
  return body;
}

// An attachment event's node: a thumbnail for an image, a link for a PDF; nothing once erased.
// Its link lasts five minutes: a click asks the hub for a fresh one (fresh(ev) → url).
export function attachmentNode(ev, { hubUrl, mine, w, fresh }) {
  const d = ev.data || {};
  if (!d.url) return null;
  const href = new URL(d.url, hubUrl).href;
  const cls = "att " + (mine ? "me" : "them");
  const image = IMAGES.includes(d.type);
  const onclick = (e) => {
    if (e.button || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    // Opened within the click, so that no popup blocker stops it; pointed at the file after.
    const win = image ? window.open("about:blank", "_blank") : null;
    if (win) win.opener = null;
    fresh(ev).then(
      (url) => {
        const to = new URL(url, hubUrl).href;
        if (win) win.location.href = to;
        else h("a", { href: to, download: d.name }).click(); // a download: the page stays
      },
      () => win && win.close(),
    );
  };
  if (image) {
    return h(
      "a",
      { class: cls + " att-image", href, target: "_blank", rel: "noopener noreferrer", "data-seq": ev.seq, "data-attachment": d.type, "aria-label": w("open", { name: d.name }), onclick },
      h("img", { src: href, alt: d.name, loading: "lazy" }),
    );
  }
  return h("a", { class: cls + " att-file msg " + (mine ? "me" : "them"), href, rel: "noopener noreferrer", download: d.name, "data-seq": ev.seq, "data-attachment": d.type, onclick }, "📄 ", d.name);
}

// The event read again from the hub, for its fresh link.
export async function freshLink(conn, ev) {
  const ack = await conn.request(HISTORY, { conversation_id: ev.conversation_id, after_seq: ev.seq - 1 });
  const found = (ack.events || []).find((x) => x.seq === ev.seq);
  if (!found || !found.data || !found.data.url) throw new Error("no link");
  return found.data.url;
}

export const attachCss = `
.attach-wrap{display:contents;}
.attach{width:40px;height:40px;border:0;border-radius:50%;background:transparent;color:var(--muted,#555);display:grid;place-items:center;flex:none;cursor:pointer;}
.attach:hover{background:rgba(0,0,0,.06);}
.attach svg{width:20px;height:20px;}
.att-image{max-width:70%;border-radius:12px;overflow:hidden;border:1px solid var(--line,#ddd);line-height:0;}
.att-image.me{align-self:flex-end;}.att-image.them{align-self:flex-start;}
.att-image img{display:block;max-width:220px;max-height:220px;width:auto;height:auto;object-fit:contain;background:#f5f5f5;}
.att-file{text-decoration:underline;}
`;

// The composer's paperclip chose a file: a pending bubble while it goes, gone once stored
// (the attachment event draws it), marked failed with the reason otherwise.
export async function sendAttachment({ ui, conn, config, token, clientId }, file) {
  const w = words(config.lang);
  const el = ui.addPending(clientId, w("sending", { name: file.name || "file" }), false);
  const refused = precheck(w, file);
  const conversationId = conn.conversationId;
  if (refused || !conversationId || !token) return fail(ui, el, refused || w("first"));
  try {
    await upload({ hubUrl: config.hubUrl, siteKey: config.siteKey, token, conversationId, file, clientId });
    ui.dropPending(clientId);
  } catch (err) {
    const why = err && err.code === "too_large" ? w("tooLarge") : err && err.code === "unsupported_type" ? w("badType") : err && err.message;
    fail(ui, el, why);
  }
}

// The bubble marked failed, saying why in words (not only in its tooltip).
function fail(ui, el, why) {
  ui.failPending(el, why);
  const err = el.querySelector(".err");
  if (err && why) err.textContent = why;
}
