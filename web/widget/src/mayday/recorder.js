// The screen view: rrweb records the page from the tap on, and the events go to the hub in
// batches (cobrowse.events). Every input is masked; the widget's own elements, anything marked
// data-lifeline-mask and the shop's configured selectors are blocked (recorded as empty boxes).
// rrweb's recorder alone (@rrweb/record), not the whole rrweb package: the replayer is not
// shipped to shoppers, and the file is less than half the size.
import { record } from "@rrweb/record";
import { EventType, IncrementalSource } from "@rrweb/types";

const FLUSH_MS = 150;
const MAX_EVENTS = 500;
// The hub refuses batches over 200 KB as Python's json.dumps counts them; keep a margin.
const MAX_BYTES = 190 * 1024;

// The hub measures JSON with every non-ASCII character escaped as \uXXXX (6 bytes).
function weight(json) {
  let n = json.length;
  for (let i = 0; i < json.length; i++) if (json.charCodeAt(i) > 127) n += 5;
  return n;
}

export class Recorder {
  // send(events) ships one batch; onTooBig() is told when the page cannot be shown at all.
  constructor({ send, blockSelector, onTooBig }) {
    this.send = send;
    this.blockSelector = blockSelector;
    this.onTooBig = onTooBig;
    this.queue = [];
    this.bytes = 0;
    this.timer = null;
    this.stopFn = null;
    this.lite = false;
  }

  get recording() {
    return !!this.stopFn;
  }

  start() {
    if (this.stopFn) return;
    this.stopFn =
      record({
        emit: (ev) => this.push(ev),
        maskAllInputs: true,
        maskInputOptions: { password: true },
        blockSelector: this.blockSelector,
        // Inline the page's CSS so the agent sees it exactly; a page too large for one batch
        // is recorded again with links to its stylesheets instead (see push()).
        inlineStylesheet: !this.lite,
        inlineImages: false,
        recordCanvas: false,
        collectFonts: false,
        recordCrossOriginIframes: false,
        slimDOMOptions: { script: true, comment: true, headFavicon: true, headWhitespace: true, headMetaSocial: true, headMetaRobots: true, headMetaHttpEquiv: true, headMetaVerification: true, headMetaAuthorship: true, headMetaDescKeywords: true },
        // Inputs are sent as typed (masked): the agent follows the shopper live.
        sampling: { mousemove: 50, scroll: 100, media: 800 },
        errorHandler: () => true, // a recording glitch must never break the shop's page
      }) || null;
  }

  // Stop capturing and forget what was not sent: used when the shopper pauses or ends.
  stop() {
    if (this.stopFn) this.stopFn();
    this.stopFn = null;
    clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    this.bytes = 0;
  }

  // A fresh full snapshot (the agent joined with nothing buffered, or sharing resumed).
  snapshot() {
    if (!this.stopFn) return this.start();
    try {
      record.takeFullSnapshot(true);
    } catch (_) {
      /* the next mutation will do */
    }
  }

  custom(tag, payload) {
    if (this.stopFn) record.addCustomEvent(tag, payload);
  }

  push(ev) {
    // Text selections are left out: one inside a form field replays as the whole page selected.
    if (ev.type === EventType.IncrementalSnapshot && ev.data && ev.data.source === IncrementalSource.Selection) return;
    if (!this.stopFn && ev.type !== EventType.Meta && ev.type !== EventType.FullSnapshot) return;
    const n = weight(JSON.stringify(ev));
    if (n > MAX_BYTES) {
      if (ev.type === EventType.FullSnapshot && !this.lite) {
        // Most of a big snapshot is inlined CSS: record again, linking the stylesheets.
        this.lite = true;
        setTimeout(() => (this.stop(), this.start()), 0);
      } else if (ev.type === EventType.FullSnapshot) this.onTooBig();
      return; // one event over the limit can never be sent
    }
    if (this.bytes + n > MAX_BYTES || this.queue.length >= MAX_EVENTS) this.flush();
    this.queue.push(ev);
    this.bytes += n;
    if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush() {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.queue.length) return;
    const events = this.queue;
    this.queue = [];
    this.bytes = 0;
    this.send(events);
  }
}
