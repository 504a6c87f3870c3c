// Entry point of widget.js: reads the <script> tag's data attributes, mounts the widget and
// replaces the queueing stub with the real API, replaying the calls made before we loaded.
//
//   <script>window.Lifeline=window.Lifeline||function(){(Lifeline.q=Lifeline.q||[]).push(arguments)}</script>
//   <script src="https://HUB/widget.js" data-site-key="KEY" async></script>
import { Widget } from "./widget.js";
import { pickCountry, pickLanguage } from "./i18n.js";

(function boot() {
  const w = window;
  if (w.Lifeline && w.Lifeline.version) return; // loaded twice: keep the first

  const script =
    document.currentScript ||
    document.querySelector("script[data-site-key][src*='widget']") ||
    document.querySelector("script[src*='widget.js']");
  const data = (script && script.dataset) || {};
  const meta = document.querySelector("meta[name='lifeline-site-key']");
  const siteKey = data.siteKey || (meta && meta.content) || new URLSearchParams(location.search).get("site_key");
  const hubUrl = (data.hub || (script && script.src ? new URL(script.src, location.href).origin : location.origin)).replace(/\/$/, "");
  if (!siteKey) {
    if (w.console) console.warn("Lifeline: no data-site-key on the widget's <script> tag");
    return;
  }
  const languages = navigator.languages || [navigator.language];
  const lang = pickLanguage(data.lang, languages);
  const config = {
    siteKey,
    hubUrl,
    lang,
    // Where the shopper is, to read a phone number as they write it at home (data-country).
    country: pickCountry(data.country, languages, lang),
    color: /^#[0-9a-f]{6}$/i.test(data.color || "") ? data.color : "#4f46e5",
    label: data.label || "",
    position: data.position === "left" || data.position === "bottom-left" ? "left" : "right",
    // CSS selectors of elements never shown to an agent (on top of [data-lifeline-mask]).
    maskSelectors: data.maskSelectors || "",
  };

  let widget = null;
  const queued = (w.Lifeline && w.Lifeline.q) || [];
  const api = function Lifeline(method, ...args) {
    const fn = api[method];
    if (typeof fn !== "function" || method === "q") throw new Error(`Lifeline: unknown method ${method}`);
    return fn(...args);
  };
  api.version = __VERSION__;
  api.identify = (who) => widget.identify(who || {});
  // open() the home view; open("chat" | "video" | "callback", {text}) straight into that
  // channel: a shop's own "Chat with us" button is one tap.
  api.open = (channel, opts) => widget.openChannel(channel, opts || {});
  api.close = () => widget.close();
  api.on = (name, fn) => widget.on(name, fn);
  api.reset = () => widget.reset();
  api.setContext = (ctx) => widget.setContext(ctx || {});
  api.q = [];
  widget = new Widget(config);
  w.Lifeline = api;
  for (const args of queued) {
    try {
      const p = api(...args);
      if (p && p.catch) p.catch(() => {});
    } catch (e) {
      if (w.console) console.warn(e);
    }
  }
  // Single-page shops: tell the hub when the page changes (without patching history.pushState).
  const tick = () => widget.sendPage(false);
  w.addEventListener("popstate", tick);
  w.addEventListener("hashchange", tick);
  setInterval(tick, 2000);
})();
