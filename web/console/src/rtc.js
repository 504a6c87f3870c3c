// The agent's WebRTC end of a Mayday session. The agent makes every offer, always with three
// m-lines in this order (as hub/rtc.py's AgentPeer does):
//   0 video sendonly: the agent's camera;
//   1 audio sendrecv (recvonly without a microphone): the agent's and the shopper's microphones;
//   2 video recvonly: the shopper's screen, when they share it (the co-browsing fallback).
// Candidates trickle both ways; the ones found within GATHER_WAIT_MS travel inside the offer
// itself, so peers that do not read trickled candidates (aiortc) can still connect.
const GATHER_WAIT_MS = 300;
const RESTART_AFTER_MS = 1500;

export class AgentRtc {
  // on: {audio(stream), screen(track), connected(), failed(reason)}
  constructor({ iceServers, media, signal, report, on }) {
    this.signal = signal;
    this.report = report;
    this.on = on;
    this.media = media;
    this.closed = false;
    this.offerSent = false;
    this.everConnected = false;
    this.restarts = 0;
    this.pc = new RTCPeerConnection({ iceServers: iceServers || [] });
    this.pc.addEventListener("icecandidate", (e) => {
      if (this.offerSent) this.signal({ candidate: e.candidate ? e.candidate.toJSON() : null });
    });
    this.pc.addEventListener("track", (e) => this.onTrack(e));
    this.pc.addEventListener("connectionstatechange", () => this.onState());
    this.pc.addEventListener("iceconnectionstatechange", () => this.onIceState());
  }

  async start() {
    const media = this.media;
    const cam = media && media.getVideoTracks()[0];
    const mic = media && media.getAudioTracks()[0];
    const streams = media ? [media] : [];
    this.pc.addTransceiver(cam || "video", { direction: "sendonly", streams });
    this.pc.addTransceiver(mic || "audio", { direction: mic ? "sendrecv" : "recvonly", streams });
    this.pc.addTransceiver("video", { direction: "recvonly" });
    await this.offer(false);
  }

  async offer(restart) {
    if (this.closed) return;
    if (restart) this.pc.restartIce();
    await this.pc.setLocalDescription(await this.pc.createOffer(restart ? { iceRestart: true } : undefined));
    if (!this.offerSent) await this.gathered(GATHER_WAIT_MS);
    const local = this.pc.localDescription;
    this.offerSent = true;
    await this.signal(restart ? { description: { type: local.type, sdp: local.sdp }, restart: true } : { description: { type: local.type, sdp: local.sdp } });
  }

  gathered(ms) {
    if (this.pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => (clearTimeout(t), this.pc.removeEventListener("icegatheringstatechange", check), resolve());
      const check = () => this.pc.iceGatheringState === "complete" && done();
      const t = setTimeout(done, ms);
      this.pc.addEventListener("icegatheringstatechange", check);
    });
  }

  async onSignal(p) {
    if (this.closed) return;
    try {
      if (p.description && p.description.type === "answer") await this.pc.setRemoteDescription(p.description);
      else if (p.candidate) await this.pc.addIceCandidate(p.candidate);
    } catch (err) {
      if (p.description) this.on.failed("the customer's answer could not be used");
    }
  }

  onTrack(e) {
    const [, audio, screen] = this.pc.getTransceivers();
    if (e.transceiver === audio) this.on.audio(new MediaStream([e.track]));
    else if (e.transceiver === screen) this.on.screen(e.track);
  }

  onState() {
    const s = this.pc.connectionState;
    if (s === "connected") {
      clearTimeout(this.restartTimer);
      if (!this.everConnected) this.report("connected");
      this.everConnected = true;
      this.restarts = 0;
      this.on.connected();
    } else if (s === "failed") this.restart("failed");
  }

  onIceState() {
    if (this.pc.iceConnectionState !== "disconnected") return;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.pc.iceConnectionState === "disconnected") this.restart("disconnected");
    }, RESTART_AFTER_MS);
  }

  // An ICE restart: the shopper asked (network change) or our side lost the path. The shopper's
  // side gives up and tells the hub ("failed") if this does not bring the media back.
  restart(why) {
    if (this.closed || !this.everConnected || this.pc.signalingState !== "stable") return;
    if (this.restarts >= 3) return;
    this.restarts += 1;
    this.offer(true).catch(() => {});
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.restartTimer);
    // The camera and microphone are the console's, kept warm for the next session.
    this.pc.close();
  }
}
