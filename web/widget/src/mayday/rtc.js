// The shopper's WebRTC end. The agent makes every offer, with three m-lines in this order:
//   0 video: the agent's camera → us (we answer recvonly);
//   1 audio: both ways. We answer sendrecv with no track: nothing is captured or sent until the
//     shopper unmutes, and unmuting is a replaceTrack on that already negotiated transceiver,
//     so it needs no renegotiation (the agent is the only side that makes offers);
//   2 video: our screen → the agent, only for "share my screen" (sendonly, no track until then).
// The camera is never requested. Candidates trickle both ways over rtc.signal.
const GATHER_WAIT_MS = 300; // wait this long for our candidates to be in the answer itself
const CONNECT_TIMEOUT_MS = 15000;
const RECOVER_TIMEOUT_MS = 12000;

export class CustomerRtc {
  // signal(payload) sends rtc.signal; report(state, detail) sends rtc.state;
  // on: {track(stream), firstFrame(), connected(), failed(reason)}
  constructor({ iceServers, signal, report, on }) {
    this.signal = signal;
    this.report = report;
    this.on = on;
    this.closed = false;
    this.answered = false;
    this.everConnected = false;
    this.failedOnce = false;
    this.sentAnswer = false;
    this.mic = null;
    this.screen = null;
    this.pc = new RTCPeerConnection({ iceServers: iceServers || [] });
    this.stream = new MediaStream();
    this.pc.addEventListener("track", (e) => this.onTrack(e));
    this.pc.addEventListener("icecandidate", (e) => {
      // Candidates found before the answer left are inside it; the later ones trickle.
      if (this.sentAnswer) this.signal({ candidate: e.candidate ? e.candidate.toJSON() : null });
    });
    this.pc.addEventListener("connectionstatechange", () => this.onState());
    this.pc.addEventListener("iceconnectionstatechange", () => this.onIceState());
    this.onNetwork = () => this.askRestart("network changed");
    if (navigator.connection && navigator.connection.addEventListener) navigator.connection.addEventListener("change", this.onNetwork);
    window.addEventListener("online", this.onNetwork);
  }

  async onSignal(p) {
    if (this.closed) return;
    try {
      if (p.description && p.description.type === "offer") await this.onOffer(p.description);
      else if (p.candidate) await this.pc.addIceCandidate(p.candidate);
    } catch (err) {
      if (!this.closed && p.description) this.fail("the video offer could not be used");
    }
  }

  async onOffer(description) {
    await this.pc.setRemoteDescription(description);
    const [cam, audio, screen] = this.pc.getTransceivers();
    if (cam) cam.direction = "recvonly";
    if (audio) audio.direction = "sendrecv";
    if (screen) screen.direction = "sendonly";
    if (audio && this.mic) await audio.sender.replaceTrack(this.mic);
    if (screen) await screen.sender.replaceTrack(this.paused ? null : this.screen);
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    if (!this.sentAnswer) await this.gathered(GATHER_WAIT_MS);
    const local = this.pc.localDescription;
    this.sentAnswer = true;
    this.signal({ description: { type: local.type, sdp: local.sdp } });
    if (!this.answered) {
      this.answered = true;
      this.connectTimer = setTimeout(() => {
        if (!this.everConnected) this.fail("timed out");
      }, CONNECT_TIMEOUT_MS);
    }
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

  onTrack(e) {
    const [cam, audio] = this.pc.getTransceivers();
    if (e.transceiver !== cam && e.transceiver !== audio) return;
    this.stream.addTrack(e.track);
    this.on.track(this.stream);
  }

  onState() {
    const s = this.pc.connectionState;
    if (s === "connected") {
      clearTimeout(this.connectTimer);
      clearTimeout(this.recoverTimer);
      if (!this.everConnected) this.report("connected");
      this.everConnected = true;
      this.on.connected();
    } else if (s === "failed") {
      if (!this.everConnected) this.fail("ICE or DTLS could not connect");
      else this.askRestart("connection lost");
    }
  }

  onIceState() {
    const s = this.pc.iceConnectionState;
    if (s === "disconnected" || s === "failed") this.askRestart(s === "failed" ? "connection lost" : "network interrupted");
  }

  // The agent makes ICE restart offers: tell it (rtc.state disconnected); give up if nothing
  // comes back in time.
  askRestart(why) {
    if (this.closed || !this.answered) return;
    const now = Date.now();
    if (now - (this.lastAsk || 0) < 2000) return;
    this.lastAsk = now;
    this.report("disconnected", why);
    if (!this.recoverTimer)
      this.recoverTimer = setTimeout(() => {
        this.recoverTimer = null;
        if (this.pc.connectionState !== "connected") this.fail("connection lost");
      }, RECOVER_TIMEOUT_MS);
  }

  fail(reason) {
    if (this.closed || this.failedOnce) return;
    this.failedOnce = true;
    this.report("failed", reason);
    this.on.failed(reason);
    this.close();
  }

  // The first decoded frame of the agent's video, from the <video> element that shows it.
  watchFirstFrame(video) {
    const seen = () => {
      if (this.firstFrameSeen || this.closed) return;
      this.firstFrameSeen = true;
      this.report("first_frame");
      this.on.firstFrame();
    };
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(seen);
    else video.addEventListener("loadeddata", seen, { once: true });
  }

  audioSender() {
    const t = this.pc.getTransceivers()[1];
    return t && t.sender;
  }

  async setMic(track) {
    if (this.mic && this.mic !== track) this.mic.stop();
    this.mic = track;
    const sender = this.audioSender();
    if (sender) await sender.replaceTrack(track);
  }

  async setScreen(track) {
    if (this.screen && this.screen !== track) this.screen.stop();
    this.screen = track;
    const t = this.pc.getTransceivers()[2];
    if (t) await t.sender.replaceTrack(this.paused ? null : track);
  }

  // While sharing is paused the screen track sends nothing either.
  async setPaused(paused) {
    this.paused = paused;
    const t = this.pc.getTransceivers()[2];
    if (t && this.screen) await t.sender.replaceTrack(paused ? null : this.screen);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.recoverTimer);
    if (navigator.connection && navigator.connection.removeEventListener) navigator.connection.removeEventListener("change", this.onNetwork);
    window.removeEventListener("online", this.onNetwork);
    for (const t of [this.mic, this.screen]) if (t) t.stop();
    for (const t of this.stream.getTracks()) t.stop();
    this.pc.close();
  }
}
