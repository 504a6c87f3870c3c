// Loading the Mayday part (rrweb, WebRTC, consent frame, video window, drawing), a second file
// fetched at the "Live video help" tap only: it is most of the weight and most pages never need it.
const MAYDAY_PATH = "/widget-mayday.js";

export function loadMayday(hubUrl) {
  const ready = () => window.Lifeline && window.Lifeline.Mayday;
  if (ready()) return Promise.resolve(ready());
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    // Its content hash (web/build.mjs): the hub lets the browser keep that URL for a year.
    s.src = `${hubUrl}${MAYDAY_PATH}?v=${__MAYDAY_VERSION__}`;
    s.async = true;
    s.onload = () => (s.remove(), ready() ? resolve(ready()) : reject(new Error("no Mayday")));
    s.onerror = () => (s.remove(), reject(new Error("Mayday could not load")));
    document.head.appendChild(s);
  });
}

// The video session this tab holds, kept per tab (sessionStorage): a reload or the next page
// of the shop in the same tab rejoins it, another tab of the same shopper leaves it alone.
// tabVideo(key) reads it, tabVideo(key, id) keeps it, tabVideo(key, null) forgets it.
const videoKey = (siteKey) => `lifeline:${siteKey}:video`;

export function tabVideo(siteKey, contactId) {
  try {
    if (contactId === undefined) return window.sessionStorage.getItem(videoKey(siteKey));
    if (contactId) window.sessionStorage.setItem(videoKey(siteKey), contactId);
    else window.sessionStorage.removeItem(videoKey(siteKey));
  } catch (_) {
    /* storage blocked: no rejoin after a reload */
  }
  return null;
}
