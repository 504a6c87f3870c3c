// Small formatting helpers shared by the console's views: labels, times, names.
import { icons as base } from "../../shared/dom.js";

export const icons = { chat: base.chat, video: base.video, callback: base.phone };

// A URL the console may make a link of: http(s) only, never javascript:, data: or the like
// (the hub refuses those, and a page stored before it did must not become one either).
export function webUrl(url) {
  if (typeof url !== "string") return null;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch (_) {
    return null;
  }
}

export function channelLabel(ch) {
  return { chat: "Chat", video: "Video", callback: "Callback" }[ch] || ch || "";
}

// ts is epoch seconds, epoch milliseconds or an ISO string.
export function toDate(ts) {
  if (ts == null) return null;
  if (typeof ts === "number") return new Date(ts < 1e12 ? ts * 1000 : ts);
  return new Date(ts);
}

export function fmtTime(ts, withDay) {
  const d = toDate(ts);
  if (!d || isNaN(d)) return "";
  const today = new Date().toDateString() === d.toDateString();
  const opts = withDay && !today ? { weekday: "short", hour: "2-digit", minute: "2-digit" } : { hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(undefined, opts).format(d);
}

// The agent statuses, in the order the console offers them (docs/protocol.md "presence").
export const STATUSES = [
  ["available", "Available"],
  ["away", "Away"],
  ["break", "Break"],
  ["offline", "Offline"],
];

// Whether the shopper is here: "● here" or "left 2 min ago" (null: the hub has not said).
export function customerHere(cu, nowMs) {
  if (!cu || typeof cu.online !== "boolean") return null;
  if (cu.online) return { online: true, text: "● here", since: cu.online_since };
  if (cu.last_seen == null) return { online: false, text: "left", since: null };
  const min = Math.max(0, Math.floor((nowMs / 1000 - cu.last_seen) / 60));
  return { online: false, text: min < 1 ? "left just now" : `left ${min} min ago`, since: cu.last_seen };
}

// An agent's seconds in each status today: what the hub counted up to status_since, and the
// current status running since then (from midnight when it began before).
export function statusTimes(agent, nowMs) {
  const today = (agent && agent.today) || { seconds: {} };
  const out = {};
  for (const [k] of STATUSES) out[k] = (today.seconds || {})[k] || 0;
  if (agent && agent.status_since != null && agent.status in out) {
    const from = Math.max(agent.status_since, today.since || 0);
    out[agent.status] += Math.max(0, nowMs / 1000 - from);
  }
  return out;
}

export function fmtWait(s) {
  s = Math.max(0, Math.round(s || 0));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${String(s % 60).padStart(2, "0")}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function initials(name) {
  const parts = String(name || "?").trim().split(/\s+/);
  return ((parts[0] || "?")[0] + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase();
}

// One line for a timeline event that is not a message.
export function describeEvent(ev) {
  const d = ev.data || {};
  const who = (ev.author && ev.author.name) || (d.agent && d.agent.name) || "";
  switch (ev.type) {
    case "contact.requested":
      if (d.follow_up_of) return `Follow-up ${channelLabel(d.channel).toLowerCase() || "contact"} booked from the survey`;
      return `Asked for ${channelLabel(d.channel).toLowerCase() || "help"}${d.phone ? ` at ${d.phone}` : ""}${d.not_before ? ` (not before ${fmtTime(d.not_before, true)})` : ""}`;
    case "contact.assigned":
      return `${who || "An agent"} took the ${channelLabel(d.channel).toLowerCase() || "contact"}`;
    case "contact.ended":
      return `${channelLabel(d.channel) || "Contact"} ended${d.reason ? ` (${d.reason})` : ""}${d.resolved === true ? " · resolved" : d.resolved === false ? " · not resolved" : ""}`;
    case "contact.transferred": {
      const from = (d.from && d.from.name) || "An agent";
      const by = ev.author && d.from && ev.author.id !== d.from.id ? ` (by ${ev.author.name})` : "";
      const skills = (d.skills || []).length ? `, needing ${d.skills.join(", ")}` : "";
      return d.to ? `${from} transferred to ${d.to.name}${by}` : `${from} sent it back to the queue${skills}${by}`;
    }
    case "contact.requeued":
      return `Back in the queue${d.reason ? ` (${String(d.reason).replace(/_/g, " ")})` : ""}`;
    case "contact.cancelled":
      return "The customer cancelled";
    case "callback.outcome":
      return `Callback: ${String(d.outcome || "").replace("_", " ")}${d.attempt ? ` (attempt ${d.attempt})` : ""}${d.will_retry ? ", will retry" : ""}`;
    case "identity.merged":
      return "Earlier history merged in (same customer on another device)";
    case "attachment":
      return d.erased ? "Sent a file (erased)" : `${who || "Someone"} sent ${d.name || "a file"}`;
    case "customer.erased":
      return "The shop erased this customer's personal data (GDPR request)";
    case "page":
      return d.erased ? "Viewed a page (erased)" : `Viewing ${d.title || d.url}`;
    case "survey":
      return surveyLine(d);
    case "annotation":
    case "annotation.clear":
      return "";
    case "video.failed":
      return `Video could not connect${d.reason ? `: ${d.reason}` : ""} · carrying on by chat`;
    default:
      return ev.type.replace(/[._]/g, " ");
  }
}

// Anonymous visitors get a short stable name so that two of them can be told apart.
export function customerName(c) {
  if (c && c.name) return c.name;
  return c && c.id ? `Visitor ${String(c.id).slice(0, 4).toUpperCase()}` : "Visitor";
}

// A customer's survey answer in one line: "Not resolved · effort 6/7 · “Still flickers”".
export function surveyLine(sv) {
  if (!sv) return "Survey";
  const parts = [sv.resolved === false ? "Not resolved" : "Resolved"];
  if (sv.effort) parts.push(`effort ${sv.effort}/7`);
  if (sv.comment) parts.push(`“${sv.comment}”`);
  return `Survey: ${parts.join(" · ")}`;
}
