"use strict";
const assert = require("assert");
const { lib } = require("../../helpers");
const { parseEscapes } = lib("base/escapes.js");

describe("escapes", function () {
  it("turns \\r \\n \\t \\0 \\\\ \\xNN into bytes and keeps the rest as UTF-8", function () {
    assert.deepStrictEqual([...parseEscapes("\\r\\n")], [13, 10]);
    assert.deepStrictEqual([...parseEscapes("A\\tB\\0\\\\\\x03\\xfF")], [0x41, 9, 0x42, 0, 0x5c, 3, 0xff]);
    assert.deepStrictEqual([...parseEscapes("é")], [0xc3, 0xa9]);
  });
  it("refuses unknown escapes, bad hex and a trailing backslash", function () {
    assert.throws(() => parseEscapes("\\q"), /unknown escape \\q/);
    assert.throws(() => parseEscapes("\\x3"), /two hex digits/);
    assert.throws(() => parseEscapes("ab\\"), /trailing backslash/);
  });
});
