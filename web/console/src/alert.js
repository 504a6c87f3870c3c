// Getting an agent's attention for an offer: a short two-tone beep (WebAudio, no sound file)
// and a browser notification when the console is in the background.
let ctx = null;

export function unlockAudio() {
  try {
    ctx = ctx || new (window.AudioContext || window.webkitAudioContext)();
    if (ctx.state === "suspended") ctx.resume();
  } catch (_) {
    ctx = null;
  }
}

export function beep() {
  if (!ctx) return;
  const t0 = ctx.currentTime;
  for (const [i, freq] of [880, 1320].entries()) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    const start = t0 + i * 0.18;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start);
    osc.stop(start + 0.17);
  }
}

export function askNotificationPermission() {
  if ("Notification" in window && Notification.permission === "default") Notification.requestPermission().catch(() => {});
}

export function notify(title, body, onclick) {
  if (!("Notification" in window) || Notification.permission !== "granted" || !document.hidden) return;
  try {
    const n = new Notification(title, { body, tag: "lifeline-offer", renotify: true });
    n.onclick = () => {
      window.focus();
      n.close();
      if (onclick) onclick();
    };
  } catch (_) {
    /* notifications unavailable (e.g. some mobile browsers) */
  }
}
