// The console's formatting helpers (console/src/format.js) that guard what the shopper's page
// may say about itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { webUrl } from "../console/src/format.js";

test("only http(s) URLs may become links", () => {
  assert.equal(webUrl("https://shop.example/lamp?x=1"), "https://shop.example/lamp?x=1");
  assert.equal(webUrl("http://shop.example/"), "http://shop.example/");
  for (const bad of ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x", "/relative", "", null, 5]) {
    assert.equal(webUrl(bad), null, String(bad));
  }
});
