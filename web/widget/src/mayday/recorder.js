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
// One event bigger than a batch (the full snapshot of a large page) goes as cobrowse.chunk
// slices of its JSON text; the hub allows 40 K characters a slice (so that any slice, however
// escaped, stays under the transport's 256 KB), and takes up to 256 of them.
const CHUNK_CHARS = 32 * 1024;
let batchSeq = 0;

// The hub measures JSON with every non-ASCII character escaped as \uXXXX (6 bytes).
function weight(json) {
  let n = json.length;
  for (let i = 0; i < json.length; i++) if (json.charCodeAt(i) > 127) n += 5;
  return n;
}

export class Recorder {
  // send(events) ships one batch; sendChunk(slice) one slice of a big one (both return the
  // ack's promise); onTooBig() is told when the page cannot be shown at all.
  constructor({ send, sendChunk, blockSelector, onTooBig }) {
    this.send = send;
    this.sendChunk = sendChunk;
    // Batches leave one after the other: nothing overtakes a big snapshot still in slices.
    this.chain = Promise.resolve();
    this.blockSelector = blockSelector;
    this.onTooBig = onTooBig;
    this.queue = [];
    this.bytes = 0;
    this.timer = null;
    this.stopFn = null;
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
        // Inline the page's CSS so the agent sees it exactly; a snapshot too large for one
        // batch goes in slices (see push()).
        inlineStylesheet: true,
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
    const json = JSON.stringify(ev);
    const n = weight(json);
    if (n > MAX_BYTES) {
      this.flush();
      this.chunked(`[${json}]`);
      return;
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
    this.chain = this.chain.then(() => this.send(events));
  }

  // One batch as slices, in order, each sent when the last is acknowledged. The hub keeps one
  // such batch per session up to its cap (8 MB by default): beyond it, the page cannot be
  // shown and the shopper is told the agent may ask for their screen.
  chunked(text) {
    const slices = [];
    for (let i = 0; i < text.length; ) {
      let end = Math.min(text.length, i + CHUNK_CHARS);
      // Never cut a UTF-16 surrogate pair in two.
      const c = text.charCodeAt(end - 1);
      if (end < text.length && c >= 0xd800 && c <= 0xdbff) end -= 1;
      slices.push(text.slice(i, end));
      i = end;
    }
    const batchId = `${Date.now().toString(36)}-${++batchSeq}`;
    const stopped = this.stopFn;
    this.chain = this.chain.then(async () => {
      for (let index = 0, waits = 0; index < slices.length; ) {
        if (this.stopFn !== stopped) return; // paused or ended meanwhile: send nothing more
        try {
          await this.sendChunk({ batch_id: batchId, index, count: slices.length, data: slices[index] });
          index += 1;
        } catch (err) {
          // Slices have a rate budget of their own at the hub (bursts of 256, 64 a second):
          // past it, wait a moment and send the same slice again.
          if (err && err.code === "rate_limited" && ++waits <= 100) {
            await new Promise((r) => setTimeout(r, 250));
            continue;
          }
          if (err && err.code === "too_large") this.onTooBig();
          return;
        }
      }
    });
  }
}
