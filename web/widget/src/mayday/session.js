// One Mayday session on the shopper's side: screen view (rrweb), the agent's video (WebRTC),
// the consent frame with Pause and End, and the agent's drawings. widget.js hands it the hub
// events of its contact through handle(); it talks to the hub through the widget's connection.
import { Recorder } from "./recorder.js";
import { CustomerRtc } from "./rtc.js";
import { MaydayUI } from "./ui.js";
import { Overlay } from "./overlay.js";
import { words } from "./words.js";
import {
  CONTACT_ASSIGNED,
  CONTACT_CANCEL,
  CONTACT_ENDED,
  COBROWSE_CHUNK,
  COBROWSE_EVENTS,
  COBROWSE_SNAPSHOT,
  LASER_END,
  LASER_MOVE,
  EVENT,
  RTC_CONFIG,
  RTC_REJOIN,
  RTC_SIGNAL,
  RTC_STATE,
  SHARE_PAUSE,
  SHARE_RESUME,
} from "../../../shared/events.js";

// Never recorded: the widget itself, this session's own elements, and what the shop marks.
const ALWAYS_BLOCKED = ["lifeline-widget", "lifeline-mayday", "lifeline-overlay", "[data-lifeline-mask]"];

function validSelectors(list) {
  return list
    .map((s) => s.trim())
    .filter((s) => {
      try {
        return s && (document.createDocumentFragment().querySelector(s), true);
      } catch (_) {
        if (window.console) console.warn("Lifeline: ignoring the invalid mask selector", s);
        return false;
      }
    });
}

export class Session {
  // conn: the widget's Connection; hooks: {ended(), failed(reason), firstFrame(), bar(px)}
  // rejoining: back after a reload; recording waits for the hub's word on pausing (rejoin()).
  constructor({ contactId, conn, lang, color, side, maskSelectors, hooks, rejoining }) {
    this.contactId = contactId;
    this.conn = conn;
    this.hooks = hooks || {};
    this.t = words(lang);
    this.paused = false;
    this.ended = false;
    this.rtc = null;
    this.iceServers = null;
    this.ui = new MaydayUI({
      t: this.t,
      color,
      side,
      actions: { pause: () => this.pause(), resume: () => this.resume(), end: () => this.end(true), mic: () => this.toggleMic(), screen: () => this.toggleScreen() },
      onBar: (px) => this.hooks.bar && this.hooks.bar(px),
    });
    this.overlay = new Overlay();
    const extra = validSelectors(String(maskSelectors || "").split(","));
    this.recorder = new Recorder({
      blockSelector: ALWAYS_BLOCKED.concat(extra).join(","),
      send: (events) => this.send(COBROWSE_EVENTS, { events }),
      // Its refusal reaches the recorder, which tells the shopper a page is too big to show.
      sendChunk: (slice) => this.conn.request(COBROWSE_CHUNK, { contact_id: this.contactId, ...slice }),
      onTooBig: () => this.ui.setMessage(this.t("tooBig", { name: this.ui.who() })),
    });
    // Recording starts at the tap, so the agent sees the page the moment they accept.
    if (!rejoining) this.recorder.start();
  }

  send(name, payload) {
    return this.conn.request(name, { contact_id: this.contactId, ...payload }).catch((err) => {
      if (window.console && err && err.code !== "not_found") console.warn(`Lifeline: ${name} refused`, err);
    });
  }

  // Hub events for this contact, forwarded by widget.js (possibly replayed after loading).
  handle(name, p) {
    if (this.ended || !p) return;
    const mine = p.contact_id === this.contactId || (p.data && p.data.contact_id === this.contactId);
    if (!mine) return;
    switch (name) {
      case CONTACT_ASSIGNED:
        this.ui.setAgent(p.agent && p.agent.name);
        this.ui.showVideo();
        break;
      case RTC_CONFIG:
        this.iceServers = p.ice_servers || [];
        // A rejoin (either side reloaded): the agent makes a fresh offer to a fresh peer.
        if (p.rejoin && this.rtc && !this.mediaDown) this.renewPeer();
        this.peer();
        break;
      case RTC_SIGNAL:
        // An ICE restart offer is for a peer that has answered before: one that reaches a peer
        // made since a reload comes from the agent's old connection, and is dropped.
        if (p.from !== "agent" || (p.restart && !(this.rtc && this.rtc.answered))) break;
        this.peer().onSignal(p);
        break;
      case RTC_STATE:
        if (p.from === "agent" && p.state === "failed") this.mediaFailed(p.detail || "", false);
        break;
      case COBROWSE_SNAPSHOT:
        if (!this.paused) this.recorder.snapshot();
        break;
      case LASER_MOVE:
        if (!this.paused) this.overlay.laser(p.x, p.y, p.color);
        break;
      case LASER_END:
        this.overlay.laserOff();
        break;
      case CONTACT_ENDED:
        this.end(false);
        break;
      case EVENT:
        if (p.type === "annotation") this.overlay.draw(p.data.stroke);
        else if (p.type === "annotation.clear") this.overlay.clear();
        else if (p.type === "contact.assigned" && p.data.agent) this.ui.setAgent(p.data.agent.name);
        else if (p.type === "contact.ended") this.end(false);
        break;
    }
  }

  peer() {
    if (this.rtc) return this.rtc;
    const video = this.ui.showVideo();
    this.rtc = new CustomerRtc({
      iceServers: this.iceServers || [],
      signal: (payload) => this.send(RTC_SIGNAL, payload),
      report: (state, detail) => this.send(RTC_STATE, detail ? { state, detail: String(detail).slice(0, 300) } : { state }),
      on: {
        track: (stream) => {
          if (video.srcObject !== stream) {
            video.srcObject = stream;
            this.rtc.watchFirstFrame(video);
          }
          video.play().catch(() => {
            // Sound needs a gesture on some browsers: play muted rather than not at all.
            video.muted = true;
            video.play().catch(() => {});
          });
        },
        connected: () => {},
        firstFrame: () => {
          this.ui.setMessage("");
          if (this.hooks.firstFrame) this.hooks.firstFrame();
        },
        failed: (reason) => this.mediaFailed(reason, true),
      },
    });
    return this.rtc;
  }

  // Back after a reload of this page, the consent frame up: the hub sends both sides
  // rtc.config again (the agent then makes a fresh offer) and, unless sharing was paused before
  // the reload, asks for a full snapshot, which starts recording again.
  async rejoin(agent) {
    this.handle(CONTACT_ASSIGNED, { contact_id: this.contactId, agent });
    let ack;
    try {
      ack = await this.conn.request(RTC_REJOIN, { contact_id: this.contactId });
    } catch (err) {
      if (window.console && err && err.code !== "not_found") console.warn("Lifeline: rtc.rejoin refused", err);
      return this.end(false);
    }
    if (ack.paused) {
      // Paused before the reload: it stays paused, and nothing of the page leaves it.
      this.paused = true;
      this.ui.setPaused(true);
    } else if (!this.paused) this.recorder.start();
  }

  // A new peer connection for the same session; the microphone and a shared screen carry over.
  renewPeer() {
    const old = this.rtc;
    const { mic, screen } = old;
    old.mic = old.screen = null;
    old.close();
    this.rtc = null;
    const rtc = this.peer();
    rtc.mic = mic;
    rtc.screen = screen;
    rtc.paused = this.paused;
  }

  // Media could not connect: the page view, the drawing and the chat carry on.
  mediaFailed(reason, reported) {
    if (this.ended || this.mediaDown) return;
    this.mediaDown = true;
    if (this.rtc && !reported) this.rtc.close();
    this.ui.showFailure(this.t("failed", { reason: reason || "", name: this.ui.who() }));
    if (this.hooks.failed) this.hooks.failed(reason);
  }

  async pause() {
    if (this.paused) return;
    // Stop first: nothing captured from now on leaves the page, even before the hub answers.
    this.paused = true;
    this.recorder.stop();
    this.overlay.laserOff();
    if (this.rtc) this.rtc.setPaused(true);
    this.ui.setPaused(true);
    await this.send(SHARE_PAUSE, {});
  }

  async resume() {
    if (!this.paused) return;
    this.paused = false;
    this.ui.setPaused(false);
    if (this.rtc) this.rtc.setPaused(false);
    await this.send(SHARE_RESUME, {});
    this.recorder.start(); // begins with a full snapshot
  }

  async toggleMic() {
    if (!this.rtc) return;
    if (this.rtc.mic) {
      await this.rtc.setMic(null);
      this.ui.setMic(false);
      return;
    }
    try {
      // Only the microphone, only now: the camera is never asked for.
      const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true }, video: false });
      if (this.ended) return stream.getTracks().forEach((t) => t.stop());
      await this.rtc.setMic(stream.getAudioTracks()[0]);
      this.ui.setMic(true);
    } catch (_) {
      this.ui.setMessage(this.t("micDenied"));
    }
  }

  async toggleScreen() {
    if (!this.rtc) return;
    if (this.rtc.screen) return this.stopScreen();
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 10 }, audio: false, preferCurrentTab: true, selfBrowserSurface: "include" });
      const track = stream.getVideoTracks()[0];
      if (this.ended) return track.stop();
      track.addEventListener("ended", () => this.stopScreen());
      await this.rtc.setScreen(track);
      this.ui.setSharing(true);
      this.recorder.custom("lifeline.screen", { sharing: true });
    } catch (_) {
      /* the shopper said no: nothing to do */
    }
  }

  async stopScreen() {
    if (!this.rtc || !this.rtc.screen) return;
    await this.rtc.setScreen(null);
    this.ui.setSharing(false);
    this.recorder.custom("lifeline.screen", { sharing: false });
  }

  // Ends everything on this page; `local` when the shopper pressed End (the hub is told).
  end(local) {
    if (this.ended) return;
    this.ended = true;
    this.recorder.stop();
    if (this.rtc) this.rtc.close();
    this.ui.remove();
    this.overlay.remove();
    if (local) this.conn.request(CONTACT_CANCEL, { contact_id: this.contactId }).catch(() => {});
    if (this.hooks.ended) this.hooks.ended(local);
  }
}
