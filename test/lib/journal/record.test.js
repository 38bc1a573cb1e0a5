"use strict";
// The journal's records: a checksum per record; reading stops at the first torn or damaged one.
const assert = require("assert");
const { lib } = require("../../helpers");
const { crc32, encodeHeader, encodeJob, encodeEnd, parseRecords } = lib("journal/index.js");

describe("journal records", function () {
  it("crc32: the IEEE check value of '123456789' (0xCBF43926), and of nothing", function () {
    assert.strictEqual(crc32(Buffer.from("123456789")), 0xcbf43926);
    assert.strictEqual(crc32(Buffer.alloc(0)), 0);
  });

  it("reads back a header, jobs and ends as written", function () {
    const file = Buffer.concat([
      encodeHeader("fp"),
      encodeJob(1, 1000, Buffer.from("{}"), Buffer.from("^XA^XZ")),
      encodeEnd(1),
      encodeJob(2, 2000, Buffer.alloc(0), Buffer.alloc(0)),
    ]);
    const { records, droppedBytes } = parseRecords(file);
    assert.strictEqual(droppedBytes, 0);
    assert.deepStrictEqual(
      records.map((r) => r.record),
      [
        { type: "H", fingerprint: "fp" },
        { type: "J", seq: 1, created: 1000, meta: Buffer.from("{}"), data: Buffer.from("^XA^XZ") },
        { type: "E", seq: 1 },
        { type: "J", seq: 2, created: 2000, meta: Buffer.alloc(0), data: Buffer.alloc(0) },
      ],
    );
  });

  it("a tail cut at any byte: the whole records before it are kept, the rest counted as dropped", function () {
    const good = Buffer.concat([encodeHeader("fp"), encodeJob(1, 1, Buffer.from("m"), Buffer.from("data"))]);
    const last = encodeJob(2, 2, Buffer.from("meta"), Buffer.from("more data"));
    for (let cut = 0; cut < last.length; cut++) {
      const { records, droppedBytes } = parseRecords(Buffer.concat([good, last.subarray(0, cut)]));
      assert.strictEqual(records.length, 2, `cut at ${cut}`);
      assert.strictEqual(droppedBytes, cut);
    }
  });

  it("a bit flipped anywhere in a record: that record and everything after it are dropped", function () {
    const first = encodeJob(1, 1, Buffer.from("m"), Buffer.from("data"));
    const second = encodeJob(2, 2, Buffer.from("m"), Buffer.from("data"));
    const third = encodeEnd(1);
    for (let at = 0; at < second.length; at++) {
      for (const bit of [0x01, 0x80]) {
        const damaged = Buffer.from(second);
        damaged[at] ^= bit;
        const { records, droppedBytes } = parseRecords(Buffer.concat([first, damaged, third]));
        assert.strictEqual(records.length, 1, `byte ${at} bit ${bit}`);
        assert.strictEqual(droppedBytes, second.length + third.length);
      }
    }
  });
});
