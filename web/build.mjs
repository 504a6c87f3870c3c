// Builds the widget, the console and the demo shop into hub/static/, deterministically:
// the same sources always give byte-identical files (CI rebuilds and diffs them).
import * as esbuild from "esbuild";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "hub", "static");
const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));

const common = {
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2021"],
  legalComments: "none",
  sourcemap: false,
  charset: "utf8",
  logLevel: "warning",
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // socket.io-client's "browser" entry without the debug module.
  mainFields: ["browser", "module", "main"],
  conditions: ["browser", "import", "default"],
};

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "console"), { recursive: true });

// A built file's version for the URLs that load it (?v=): the first 16 hex digits of its
// SHA-256, as the hub computes it (hub/edges/assets.py). The hub serves a file asked for by its
// own hash with a year's caching; any other URL of it is revalidated each time.
const version = (file) => createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 16);

// The lazy part of the widget, loaded at the "Live video help" tap (rrweb record, WebRTC).
// Built first: the widget's loader (widget/src/mayday-loader.js) asks for it by its hash.
await esbuild.build({
  ...common,
  entryPoints: [join(here, "widget", "src", "mayday", "index.js")],
  outfile: join(out, "widget-mayday.js"),
  banner: { js: `/*! Lifeline widget (Mayday) ${pkg.version} | Apache-2.0; includes rrweb (MIT) */` },
});

// The embed URL, /widget.js, has no version in it: shops paste it once.
await esbuild.build({
  ...common,
  define: { ...common.define, __MAYDAY_VERSION__: JSON.stringify(version(join(out, "widget-mayday.js"))) },
  entryPoints: [join(here, "widget", "src", "index.js")],
  outfile: join(out, "widget.js"),
  banner: { js: `/*! Lifeline widget ${pkg.version} | Apache-2.0 */` },
});

// The reports' charts (Chart.js), loaded by a supervisor's reports view on first use.
await esbuild.build({
  ...common,
  entryPoints: [join(here, "console", "src", "charts.js")],
  outfile: join(out, "console", "charts.js"),
  banner: { js: `/*! Lifeline console charts ${pkg.version} | Apache-2.0; includes Chart.js (MIT) */` },
});
const chartsVersion = JSON.stringify(version(join(out, "console", "charts.js")));
await esbuild.build({
  ...common,
  // The console's one use of __VERSION__ is the ?v= of its charts bundle (console/src/reports.js),
  // so there it is charts.js's hash; __CHARTS_VERSION__ names it plainly for that code to take.
  define: { ...common.define, __VERSION__: chartsVersion, __CHARTS_VERSION__: chartsVersion },
  entryPoints: [join(here, "console", "src", "main.js")],
  outfile: join(out, "console", "console.js"),
});
await esbuild.build({
  ...common,
  format: undefined,
  entryPoints: [join(here, "console", "src", "console.css")],
  outfile: join(out, "console", "console.css"),
});
// The console's page names its script and styles by their hashes.
let page = readFileSync(join(here, "console", "index.html"), "utf8");
for (const name of ["console.css", "console.js"]) {
  const ref = new RegExp(`(href|src)="${name.replace(".", "\\.")}"`);
  if (!ref.test(page)) throw new Error(`console/index.html does not load ${name}`);
  page = page.replace(ref, `$1="${name}?v=${version(join(out, "console", name))}"`);
}
writeFileSync(join(out, "console", "index.html"), page);
cpSync(join(here, "demo"), join(out, "demo"), { recursive: true });

// What goes over the wire: the hub sends each file gzip (level 9) or brotli (quality 11) as the
// browser asks (hub/edges/assets.py).
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const size = (file) => {
  const buf = readFileSync(file);
  const br = brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length, br: br.length };
};
const report = (label, file, note) => {
  const s = size(file);
  console.log(`${label.padEnd(18)} ${kb(s.raw)}, ${kb(s.gzip)} gzipped, ${kb(s.br)} brotli${note ? ` (${note})` : ""}`);
  return s;
};
const w = report("widget.js", join(out, "widget.js"), "budget 35 KB gzipped");
report("widget-mayday.js", join(out, "widget-mayday.js"), "lazy: loaded at the video tap");
report("console.js", join(out, "console", "console.js"));
report("console.css", join(out, "console", "console.css"));
report("console/charts.js", join(out, "console", "charts.js"), "lazy: loaded by the reports view");
if (w.gzip > 35 * 1024) {
  console.error("widget.js is over its 35 KB gzipped budget");
  process.exit(1);
}
