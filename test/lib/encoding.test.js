"use strict";
const assert = require("assert");
const { lib } = require("../helpers");
const enc = lib("encoding.js");

const decode = (name, bytes) => {
  const b = Buffer.from(bytes);
  return enc.makeDecoder(name)(b, 0, b.length);
};

describe("encoding", function () {
  it("auto: BOM picks UTF-8 / UTF-16LE / UTF-16BE and is dropped", function () {
    assert.strictEqual(decode("auto", [0xef, 0xbb, 0xbf, 0x68, 0x69]), "hi");
    assert.strictEqual(decode("auto", [0xff, 0xfe, 0x68, 0x00, 0x69, 0x00]), "hi");
    assert.strictEqual(decode("auto", [0xfe, 0xff, 0x00, 0x68, 0x00, 0x69]), "hi");
  });
  it("auto: valid UTF-8 is UTF-8, anything else windows-1252", function () {
    assert.strictEqual(decode("auto", Buffer.from("Grüße €")), "Grüße €");
    assert.strictEqual(decode("auto", [0x47, 0x72, 0xfc, 0xdf, 0x65, 0x20, 0x80]), "Grüße €");
  });
  it("decodes only the requested range", function () {
    const b = Buffer.from("xxhello yy");
    assert.strictEqual(enc.makeDecoder("utf8")(b, 2, 7), "hello");
    assert.strictEqual(enc.makeDecoder("cp437")(Buffer.from([0x41, 0x81, 0x42]), 1, 2), "ü");
  });
  it("iconv-lite encodings both ways: cp437, shift_jis, windows-1252, utf16le", function () {
    for (const [name, text] of [["cp437", "Ä½░"], ["shift_jis", "ラベル印刷"], ["windows-1252", "€ “quoted”"], ["utf16le", "hé"]]) {
      const bytes = enc.encodeString(text, name);
      assert.strictEqual(enc.makeDecoder(name)(bytes, 0, bytes.length), text, name);
    }
  });
  it("stream decoder keeps a character split across chunks whole", function () {
    const d = enc.makeStreamDecoder("utf8");
    const b = Buffer.from("€uro");
    assert.strictEqual(d.write(b.subarray(0, 1)) + d.write(b.subarray(1, 2)) + d.write(b.subarray(2)) + d.end(), "€uro");
    const s = enc.makeStreamDecoder("shift_jis");
    const j = enc.encodeString("印刷", "shift_jis");
    assert.strictEqual(s.write(j.subarray(0, 1)) + s.write(j.subarray(1, 3)) + s.write(j.subarray(3)) + s.end(), "印刷");
  });
  it("stream decoder in auto mode decides on the first chunk, even when it ends mid-character", function () {
    const d = enc.makeStreamDecoder("auto");
    const b = Buffer.from("ab€");
    assert.strictEqual(d.write(b.subarray(0, 3)) + d.write(b.subarray(3)), "ab€");
  });
  it("auto encodes strings as UTF-8; unknown encodings are refused clearly", function () {
    assert.deepStrictEqual([...enc.encodeString("é", "auto")], [0xc3, 0xa9]);
    assert.throws(() => enc.encodeString("x", "klingon"), (e) => e.code === "EENCODING" && /klingon/.test(e.message));
    assert.throws(() => enc.makeDecoder("klingon"), /unknown encoding/);
    assert.strictEqual(enc.isKnownEncoding("Windows-1252"), true);
    assert.strictEqual(enc.isKnownEncoding(""), true);
    assert.strictEqual(enc.isKnownEncoding("klingon"), false);
  });
});
