// Builds the widget, the console and the demo shop into hub/static/, deterministically:
// the same sources always give byte-identical files (CI rebuilds and diffs them).
import * as esbuild from "esbuild";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
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

await esbuild.build({
  ...common,
  entryPoints: [join(here, "widget", "src", "index.js")],
  outfile: join(out, "widget.js"),
  banner: { js: `/*! Lifeline widget ${pkg.version} | Apache-2.0 */` },
});

// The lazy part of the widget, loaded at the "Live video help" tap (rrweb record, WebRTC).
await esbuild.build({
  ...common,
  entryPoints: [join(here, "widget", "src", "mayday", "index.js")],
  outfile: join(out, "widget-mayday.js"),
  banner: { js: `/*! Lifeline widget (Mayday) ${pkg.version} | Apache-2.0; includes rrweb (MIT) */` },
});

await esbuild.build({
  ...common,
  entryPoints: [join(here, "console", "src", "main.js")],
  outfile: join(out, "console", "console.js"),
});
// The reports' charts (Chart.js), loaded by a supervisor's reports view on first use.
await esbuild.build({
  ...common,
  entryPoints: [join(here, "console", "src", "charts.js")],
  outfile: join(out, "console", "charts.js"),
  banner: { js: `/*! Lifeline console charts ${pkg.version} | Apache-2.0; includes Chart.js (MIT) */` },
});
await esbuild.build({
  ...common,
  format: undefined,
  entryPoints: [join(here, "console", "src", "console.css")],
  outfile: join(out, "console", "console.css"),
});
cpSync(join(here, "console", "index.html"), join(out, "console", "index.html"));
cpSync(join(here, "demo"), join(out, "demo"), { recursive: true });

// The hub ships these files; an empty __init__-free folder is fine for package data.
const size = (file) => {
  const buf = readFileSync(file);
  return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
};
const w = size(join(out, "widget.js"));
const c = size(join(out, "console", "console.js"));
const m = size(join(out, "widget-mayday.js"));
const ch = size(join(out, "console", "charts.js"));
console.log(`widget.js   ${(w.raw / 1024).toFixed(1)} KB, ${(w.gzip / 1024).toFixed(1)} KB gzipped (budget 35 KB)`);
console.log(`widget-mayday.js ${(m.raw / 1024).toFixed(1)} KB, ${(m.gzip / 1024).toFixed(1)} KB gzipped (lazy: loaded at the video tap)`);
console.log(`console.js  ${(c.raw / 1024).toFixed(1)} KB, ${(c.gzip / 1024).toFixed(1)} KB gzipped`);
console.log(`console/charts.js ${(ch.raw / 1024).toFixed(1)} KB, ${(ch.gzip / 1024).toFixed(1)} KB gzipped (lazy: loaded by the reports view)`);
if (w.gzip > 35 * 1024) {
  console.error("widget.js is over its 35 KB gzipped budget");
  process.exit(1);
}
