// The replay's URL guard (console/src/replay-urls.js): a shopper's snapshot may make the agent's
// browser fetch its own page's origin and data: URLs, nothing else.
import { test } from "node:test";
import assert from "node:assert/strict";
import { UrlGuard } from "../console/src/replay-urls.js";

const PAGE = "https://shop.example/lamp";
const meta = { type: 4, data: { href: PAGE, width: 800, height: 600 } };
const el = (tagName, attributes, childNodes = []) => ({ type: 2, tagName, attributes, childNodes, id: 1 });

test("a full snapshot keeps the page's own URLs and data:, and loses the others", () => {
  const guard = new UrlGuard(null);
  guard.event(meta);
  const snap = {
    type: 2,
    data: {
      node: el("html", {}, [
        el("img", { src: "https://shop.example/lamp.jpg", alt: "Lamp" }),
        el("img", { src: "/relative.png" }),
        el("img", { src: "https://evil.example/track.gif" }),
        el("img", { src: "data:image/png;base64,AAAA" }),
        el("img", { srcset: "https://shop.example/a.jpg 1x, http://10.0.0.1/b.jpg 2x" }),
        el("link", { rel: "stylesheet", href: "//evil.example/x.css" }),
        el("div", { style: "background: url('https://evil.example/bg.png'); color: red" }),
        el("style", { _cssText: "@import 'https://evil.example/i.css'; a { background: url(https://shop.example/ok.png) }" }),
        el("style", {}, [{ type: 3, textContent: "b { background-image: url(http://intranet.local/x) }", isStyle: true }]),
        el("video", { poster: "javascript:alert(1)" }),
      ]),
    },
  };
  guard.event(snap);
  const [ok, rel, evil, data, srcset, link, div, style, styleText, video] = snap.data.node.childNodes;
  assert.equal(ok.attributes.src, "https://shop.example/lamp.jpg");
  assert.equal(ok.attributes.alt, "Lamp");
  assert.equal(rel.attributes.src, "/relative.png");
  assert.equal(evil.attributes.src, "");
  assert.equal(data.attributes.src, "data:image/png;base64,AAAA");
  assert.equal(srcset.attributes.srcset, "");
  assert.equal(link.attributes.href, "");
  assert.equal(div.attributes.style, "background: url(); color: red");
  assert.equal(style.attributes._cssText, '@import ""; a { background: url(https://shop.example/ok.png) }');
  assert.equal(styleText.childNodes[0].textContent, "b { background-image: url() }");
  assert.equal(video.attributes.poster, "");
});

test("mutations, style rules and fonts are guarded too", () => {
  const guard = new UrlGuard(PAGE);
  const mutation = {
    type: 3,
    data: {
      source: 0,
      adds: [{ parentId: 1, node: el("img", { src: "https://evil.example/a.gif" }) }],
      attributes: [{ id: 2, attributes: { src: "https://evil.example/b.gif", style: { background: "url(https://evil.example/c.png)" } } }],
      texts: [],
      removes: [],
    },
  };
  guard.event(mutation);
  assert.equal(mutation.data.adds[0].node.attributes.src, "");
  assert.equal(mutation.data.attributes[0].attributes.src, "");
  assert.equal(mutation.data.attributes[0].attributes.style.background, "url()");
  const rule = { type: 3, data: { source: 8, id: 3, adds: [{ rule: "p { background: url(https://evil.example/d.png) }" }] } };
  guard.event(rule);
  assert.equal(rule.data.adds[0].rule, "p { background: url() }");
  const font = { type: 3, data: { source: 10, family: "X", fontSource: "url(https://evil.example/f.woff)", buffer: false } };
  guard.event(font);
  assert.equal(font.data.fontSource, "url()");
});

test("without a known page only data: URLs pass", () => {
  const guard = new UrlGuard(null);
  assert.equal(guard.allowed("https://shop.example/a.png"), false);
  assert.equal(guard.allowed("data:image/gif;base64,R0lGOD"), true);
  guard.setPage("javascript:alert(1)");
  assert.equal(guard.allowed("https://shop.example/a.png"), false);
});
