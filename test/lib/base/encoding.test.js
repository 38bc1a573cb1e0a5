"use strict";
const assert = require("assert");
const iconv = require("iconv-lite");
const { lib } = require("../../helpers");
const enc = lib("base/encoding.js");

/** The encodings the editor offers (lib/schema, which the editor's selects are filled from), and the aliases a flow may type. */
function offeredEncodings() {
  const list = lib("schema/encoding.js").ENCODINGS;
  return [...list.filter((e) => e !== "auto"), "utf-8", "iso-8859-1", "binary", "utf-16le", "ucs2", "us-ascii"];
}

const decode = (name, bytes) => {
  const b = Buffer.from(bytes);
  return enc.makeDecoder(name)(b, 0, b.length);
};

describe("encoding", function () {
  it("knows every name it decodes natively, and no name of Object.prototype (a config error, not a throw per frame)", function () {
    for (const n of ["utf8", "utf-8", "latin1", "iso-8859-1", "binary", "utf16le", "utf-16le", "ucs2", "base64", "hex"]) {
      assert.ok(enc.isKnownEncoding(n), n);
      assert.ok(iconv.encodingExists(n), `iconv-lite knows ${n}`);
    }
    for (const n of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"])
      assert.strictEqual(enc.isKnownEncoding(n), false, n);
  });
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
    for (const [name, text] of [
      ["cp437", "Ä½░"],
      ["shift_jis", "ラベル印刷"],
      ["windows-1252", "€ “quoted”"],
      ["utf16le", "hé"],
    ]) {
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
  it("every offered encoding writes and reads exactly what iconv-lite does, for all 65536 BMP code points and all 256 bytes", function () {
    this.timeout(30000);
    const bytes = Buffer.alloc(256);
    for (let b = 0; b < 256; b++) bytes[b] = b;
    for (const name of offeredEncodings()) {
      const decode = enc.makeDecoder(name);
      const diffs = [];
      for (let cp = 0; cp < 0x10000 && diffs.length < 3; cp++) {
        const text = String.fromCharCode(cp);
        const ours = enc.encodeString(text, name);
        const theirs = iconv.encode(text, name);
        if (!ours.equals(theirs))
          diffs.push(`U+${cp.toString(16).padStart(4, "0")} -> ${ours.toString("hex")}, iconv-lite ${theirs.toString("hex")}`);
        const back = decode(theirs, 0, theirs.length);
        const expected = iconv.decode(theirs, name, { stripBOM: false });
        if (back !== expected) diffs.push(`${theirs.toString("hex")} -> ${JSON.stringify(back)}, iconv-lite ${JSON.stringify(expected)}`);
      }
      for (let b = 0; b < 256 && diffs.length < 3; b++) {
        const got = decode(bytes, b, b + 1);
        const expected = iconv.decode(bytes.subarray(b, b + 1), name, { stripBOM: false });
        if (got !== expected) diffs.push(`byte ${b.toString(16)} -> ${JSON.stringify(got)}, iconv-lite ${JSON.stringify(expected)}`);
      }
      assert.deepStrictEqual(diffs, [], name);
    }
  });
  it("latin1 and ascii write ? for a character they cannot represent, never its low byte", function () {
    assert.strictEqual(enc.encodeString("Grüße €", "latin1").toString("hex"), "4772fc df6520 3f".replace(/ /g, ""));
    assert.strictEqual(enc.encodeString("café", "ascii").toString("hex"), "6361663f");
    assert.strictEqual(enc.encodeString("plain", "latin1").toString(), "plain");
  });
  it("auto encodes strings as UTF-8; unknown encodings are refused clearly", function () {
    assert.deepStrictEqual([...enc.encodeString("é", "auto")], [0xc3, 0xa9]);
    assert.throws(
      () => enc.encodeString("x", "klingon"),
      (/** @type {any} */ e) => e.code === "EENCODING" && /klingon/.test(e.message),
    );
    assert.throws(() => enc.makeDecoder("klingon"), /unknown encoding/);
    assert.strictEqual(enc.isKnownEncoding("Windows-1252"), true);
    assert.strictEqual(enc.isKnownEncoding(""), true);
    assert.strictEqual(enc.isKnownEncoding("klingon"), false);
  });
});
