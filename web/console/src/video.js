// The console's side of Mayday (live video): the agent's camera and microphone, opened once at
// sign-in, and the one live video session (MaydayView, stage.js) at a time.
import { request } from "./net.js";
import { customerName } from "./format.js";
import { MaydayView } from "./stage.js";
import { CONTACT_END, RTC_CONFIG, RTC_REJOIN } from "../../shared/events.js";

export class VideoDesk {
  // app: the controller (controller.js).
  constructor(app) {
    this.app = app;
    this.session = null; // the MaydayView of the live video contact
    this.media = null; // Promise of the agent's camera and microphone, opened at sign-in
  }

  // The camera and microphone are opened once, at sign-in, so that accepting a video costs
  // nothing; they stay disabled (no picture, no sound leaves) until a session starts.
  warmMedia() {
    if (this.media || !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) return;
    const gum = (c) => navigator.mediaDevices.getUserMedia(c);
    const video = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } };
    this.media = gum({ video, audio: { echoCancellation: true, noiseSuppression: true } })
      .catch(() => gum({ video }))
      .catch(() => gum({ audio: true }))
      .then((m) => (this.idleMedia(m), m))
      .catch(() => {
        this.app.toast("No camera or microphone: video customers will hear and see nothing from you.");
        return null;
      });
  }

  idleMedia(m) {
    if (m && !this.session) for (const t of m.getTracks()) t.enabled = false;
  }

  // Signing out: the camera and microphone are closed.
  releaseMedia() {
    if (this.media) this.media.then((m) => m && m.getTracks().forEach((t) => t.stop()));
    this.media = null;
  }

  // Signalling and screen view arrive from the moment the hub assigns the contact (rtc.config
  // first), possibly before offer.accept's ack: the session starts on rtc.config.
  onServer(name, p) {
    if (name === RTC_CONFIG && (!this.session || this.session.contactId !== p.contact_id)) this.start(p.contact_id);
    if (this.session && this.session.contactId === p.contact_id) this.session.handle(name, p);
  }

  // Back after a reload with a video session still live: open its view and ask the hub to
  // rejoin; its rtc.config (with rejoin) then makes the offer.
  rejoin() {
    const app = this.app;
    if (this.session) return;
    const item = Object.values(app.state.contacts).find((i) => i.contact.channel === "video" && i.contact.state === "assigned" && i.contact.agent_id === app.me.id);
    if (!item) return;
    const contactId = item.contact.id;
    this.start(contactId);
    request(app.socket, RTC_REJOIN, { contact_id: contactId }).catch((err) => {
      if (this.session && this.session.contactId === contactId) this.end();
      if (err.code !== "not_found") app.toast(err.message);
    });
  }

  start(contactId) {
    const app = this.app;
    this.end();
    const item = app.state && app.state.contacts[contactId];
    const offer = app.state && app.state.offers[contactId];
    const who = customerName((item && item.customer) || (offer && offer.customer));
    this.session = new MaydayView({
      contactId,
      who,
      request: (name, payload) => request(app.socket, name, payload),
      media: this.media || Promise.resolve(null),
      onEnd: () => this.endVideo(contactId),
    });
    if (app.selected !== contactId) app.saveDraft();
    app.selected = contactId;
    app.tab = "inbox";
    if (app.state) app.renderAll();
    app.loadDraft();
  }

  end() {
    if (!this.session) return;
    this.session.end();
    this.session = null;
    if (this.media) this.media.then((m) => this.idleMedia(m));
    if (this.app.state) this.app.renderAll();
  }

  // "End video": the contact ends for both sides (contact.end); the wrap-up can follow.
  async endVideo(contactId) {
    this.end();
    try {
      await request(this.app.socket, CONTACT_END, { contact_id: contactId });
    } catch (err) {
      if (err.code !== "not_found") this.app.toast(err.message);
    }
  }
}
