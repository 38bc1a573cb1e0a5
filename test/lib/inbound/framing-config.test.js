"use strict";
// The framing properties of the two modes that skip bytes, as the editor
// stores them, read into framer options; the editor's presets read the same way.
const assert = require("assert");
const { lib } = require("../../helpers");
const { parseFramingConfig } = lib("inbound/framing-config.js");
const { createFramer } = lib("inbound/framing.js");
const { FIELD_PRESETS } = lib("schema/index.js");

const framingOf = (props) => parseFramingConfig(props).framing;
/** A new node's start and end, as the editor stores them. */
const STX = { event: "startend", startBytes: "\\x02", endBytes: "\\x03" };

describe("framing properties: start/end bytes and length field at an offset", function () {
  it("start and end bytes: as a new node has them, \\x02 and \\x03 stripped, no escape", function () {
    assert.deepStrictEqual(framingOf(STX), {
      kind: "startend",
      start: Buffer.from([2]),
      end: Buffer.from([3]),
      keep: false,
      escape: undefined,
    });
  });
  it("never saved (a flow written by hand): the defaults, STX/ETX and a line feed, as the editor gives an imported node", function () {
    assert.deepStrictEqual(framingOf({ event: "startend" }), framingOf(STX));
    assert.deepStrictEqual(framingOf({ event: "delimiter" }), framingOf({ event: "delimiter", delimiter: "\\n" }));
  });
  it("start and end bytes: sequences with escapes, kept, DLE as escape byte", function () {
    const f = framingOf({ event: "startend", startBytes: "<\\x02", endBytes: "\\r\\n", keepStartEnd: true, escapeByte: "\\x10" });
    assert.deepStrictEqual(f, { kind: "startend", start: Buffer.from("<\x02"), end: Buffer.from("\r\n"), keep: true, escape: 0x10 });
  });
  it("the escape byte is one byte or none; an empty start or a bad escape is refused", function () {
    assert.strictEqual(framingOf({ ...STX, escapeByte: "\\\\" }).escape, 0x5c);
    for (const [name, value] of [
      ["escapeByte", "\\x10\\x10"],
      ["escapeByte", "é"],
      ["escapeByte", "\\q"],
      ["startBytes", ""],
      ["endBytes", "\\x0"],
    ])
      assert.throws(
        () => framingOf({ ...STX, [name]: value }),
        (/** @type {any} */ e) => e.name === "ConfigError" && e.key === name,
        `${name} ${value}`,
      );
  });
  it("length field at an offset: Modbus/TCP by default", function () {
    assert.deepStrictEqual(framingOf({ event: "field" }), {
      kind: "field",
      offset: 4,
      fieldBytes: 2,
      littleEndian: false,
      counts: "payload",
      adjust: 0,
      start: Buffer.alloc(0),
    });
  });
  it("the adjustment applies only when the length counts the bytes after the field plus N", function () {
    assert.strictEqual(framingOf({ event: "field", fieldCounts: "plus", fieldAdjust: "-2" }).adjust, -2);
    assert.strictEqual(framingOf({ event: "field", fieldCounts: "payload", fieldAdjust: "junk" }).adjust, 0);
    assert.throws(
      () => framingOf({ event: "field", fieldCounts: "plus", fieldAdjust: "1.5" }),
      (/** @type {any} */ e) => e.key === "fieldAdjust",
    );
    assert.throws(
      () => framingOf({ event: "field", fieldOffset: "-1" }),
      (/** @type {any} */ e) => e.key === "fieldOffset",
    );
    assert.throws(
      () => framingOf({ event: "field", fieldOffset: "11", maxFrame: "10" }),
      (/** @type {any} */ e) => e.key === "fieldOffset",
    );
  });
  it("each editor preset, stored as its fields, frames its protocol", function () {
    const frames = (preset, bytes) => {
      const out = [];
      createFramer(framingOf({ event: "field", ...FIELD_PRESETS[preset] }), 300).push(Buffer.from(bytes), (b, s, e) =>
        out.push(b.toString("hex", s, e)),
      );
      return out;
    };
    // Read holding registers, transaction 1, then 2.
    assert.deepStrictEqual(frames("mbap", [0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2, 0, 2, 0, 0, 0, 6, 1, 3, 0, 4, 0, 1]), [
      "000100000006010300000002",
      "000200000006010300040001",
    ]);
    // STARTDT act (U format), with a stray byte before it.
    assert.deepStrictEqual(frames("iec104", [0xff, 0x68, 4, 7, 0, 0, 0]), ["680407000000"]);
  });
});
