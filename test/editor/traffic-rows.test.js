"use strict";
// The traffic view's rows (nodes/editor/traffic-rows.ts) as the browser gets them: loaded from the built
// resources/editor-common.js in a vm, with the bundle's own module loader.
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const SCRIPT = path.join(__dirname, "..", "..", "resources", "editor-common.js");

function editorModule(id) {
  const source = fs.readFileSync(SCRIPT, "utf8").replace(/load\("editor\/index"\);\s*\}\)\(\);\s*$/, "window.load = load;\n})();");
  const context = vm.createContext({ window: {}, RED: {}, $: () => undefined, atob });
  vm.runInContext(source, context, { filename: SCRIPT });
  return context.window.load(id);
}

describe("traffic view rows (editor)", function () {
  const rows = editorModule("editor/traffic-rows");
  const bytes = (s) => new Uint8Array(Buffer.from(s, "latin1"));

  it("16 bytes a line, hex and printable text side by side, split where a frame ended", function () {
    const lines = rows.byteLines(bytes("one\ntwo\nthree\n<tag>\x02\x03"), 100, [104, 108, 114]);
    assert.strictEqual(lines.length, 2);
    assert.strictEqual(lines[0].off, 100);
    assert.deepStrictEqual([...lines[0].text], ["one\u00b7", "two\u00b7", "three\u00b7", "<t"]);
    assert.deepStrictEqual([...lines[0].hex], ["6f 6e 65 0a", "74 77 6f 0a", "74 68 72 65 65 0a", "3c 74"]);
    assert.deepStrictEqual([...lines[1].text], ["ag>\u00b7\u00b7"]);
  });

  it("a frame that ends at the end of a line leaves an empty last part (the mark goes there)", function () {
    const [line] = rows.byteLines(bytes("abc\n"), 0, [4]);
    assert.deepStrictEqual([...line.text], ["abc\u00b7", ""]);
  });

  it("search: text without case, or bytes when the query is hex (at a byte boundary)", function () {
    const b = bytes("Hello\r\n");
    assert.strictEqual(rows.matches(b, "hello"), true);
    assert.strictEqual(rows.matches(b, "0d 0a"), true);
    assert.strictEqual(rows.matches(b, "0D0A"), true);
    assert.strictEqual(rows.matches(b, "d0"), false, "not across two bytes' digits");
    assert.strictEqual(rows.matches(b, "bye"), false);
    assert.strictEqual(rows.matches(b, " "), true, "an empty search keeps everything");
  });

  it("base64 back to the bytes the route sent", function () {
    assert.deepStrictEqual([...rows.decodeBase64(Buffer.from([0, 255, 10]).toString("base64"))], [0, 255, 10]);
  });
});
