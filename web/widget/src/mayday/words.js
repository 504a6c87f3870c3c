// The words of a Mayday session, in the widget's languages (a missing French key falls back).
const en = {
  waitingFrame: "Connecting you to an expert · they will see this page, not your camera",
  frame: "{name} can see this page",
  paused: "Sharing paused · {name} cannot see this page",
  pause: "Pause sharing",
  resume: "Resume sharing",
  end: "End",
  endLabel: "End the video help",
  videoOf: "Video of {name}. Arrow keys move it.",
  connecting: "Connecting video…",
  mute: "Microphone off · tap to talk",
  unmute: "Microphone on · tap to mute",
  micDenied: "The microphone is blocked; you can still chat.",
  share: "Share my screen",
  stopShare: "Stop sharing my screen",
  shrink: "Make the video smaller",
  grow: "Make the video bigger",
  failed: "The video could not connect ({reason}). {name} can still see this page and help you by chat.",
  tooBig: "This page is too large to show; {name} may ask you to share your screen.",
  expert: "the expert",
};
const fr = {
  waitingFrame: "Nous vous mettons en relation · l'expert verra cette page, pas votre caméra",
  frame: "{name} voit cette page",
  paused: "Partage en pause · {name} ne voit pas cette page",
  pause: "Mettre en pause",
  resume: "Reprendre le partage",
  end: "Terminer",
  endLabel: "Terminer l'aide en vidéo",
  videoOf: "Vidéo de {name}. Les flèches la déplacent.",
  connecting: "Connexion de la vidéo…",
  mute: "Micro coupé · touchez pour parler",
  unmute: "Micro ouvert · touchez pour couper",
  micDenied: "Le micro est bloqué ; vous pouvez toujours écrire.",
  share: "Partager mon écran",
  stopShare: "Arrêter de partager l'écran",
  shrink: "Réduire la vidéo",
  grow: "Agrandir la vidéo",
  failed: "La vidéo n'a pas pu se connecter ({reason}). {name} voit toujours cette page et vous aide par écrit.",
  tooBig: "Cette page est trop grande pour être montrée ; {name} pourra vous demander de partager votre écran.",
  expert: "l'expert",
};

export function words(lang) {
  const table = lang === "fr" ? { ...en, ...fr } : en;
  return (key, vars) => String(table[key] || key).replace(/\{(\w+)\}/g, (_, k) => (vars && vars[k] != null ? vars[k] : ""));
}
