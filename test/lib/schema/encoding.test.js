"use strict";
const assert = require("assert");
const fc = require("fast-check");
const iconv = require("iconv-lite");
const { lib } = require("../../helpers");
const { iconvKey, knownEncoding, normalizeEncoding, ENCODINGS } = lib("schema/encoding.js");

describe("schema: encoding names", function () {
  it("iconvKey is iconv-lite's own canonical form of a name", function () {
    const near = fc.oneof(
      fc.string(),
      fc.constantFrom("UTF-8", "utf-8:2000", "ISO_8859-15", "Windows 1252", "cp-437", "shift_jis", "x:1234"),
      fc.string({ unit: fc.constantFrom(..."aUtf8-_: 0129") }),
    );
    fc.assert(
      fc.property(near, (s) => iconvKey(s) === iconv._canonicalizeEncoding(s)),
      { numRuns: 20000 },
    );
  });

  it("knownEncoding: auto, or what the host knows by the normalized name", function () {
    const asked = [];
    assert.strictEqual(
      knownEncoding(" UTF-8 ", (n) => (asked.push(n), true)),
      true,
    );
    assert.deepStrictEqual(asked, ["utf-8"]);
    assert.strictEqual(
      knownEncoding("", () => false),
      true,
    );
    assert.strictEqual(
      knownEncoding(42, () => false),
      true,
      "anything but text is auto",
    );
    assert.strictEqual(normalizeEncoding("  "), "auto");
  });

  it("every encoding the editor offers is one iconv-lite knows", function () {
    for (const e of ENCODINGS) if (e !== "auto") assert.ok(iconv.encodingExists(e), e);
  });
});
