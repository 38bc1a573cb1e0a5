"use strict";
const assert = require("assert");
const { split } = require("../../helpers/split");
const fc = require("fast-check");
const { lib } = require("../../helpers");
const { createFramer, FrameTooLargeError } = lib("inbound/framing.js");

/** Feeds chunks, returns [frames as strings (latin1 keeps bytes 1:1), remainder]. */
function run(mode, chunks, max = 1 << 20) {
  const f = createFramer(mode, max);
  const frames = [];
  try {
    for (const c of chunks) f.push(Buffer.from(c, "latin1"), (b, s, e) => frames.push(b.toString("latin1", s, e)));
  } catch (err) {
    if (!(err instanceof FrameTooLargeError)) throw err;
    return { frames, tooLarge: err.size };
  }
  const rest = f.flush();
  return { frames, rest: rest ? { text: rest.frame.toString("latin1"), complete: rest.complete, expected: rest.expected } : undefined };
}

const MODES = {
  "line crlf": { kind: "line", eol: "crlf" },
  "line any": { kind: "line", eol: "any" },
  "line crlfstrict": { kind: "line", eol: "crlfstrict" },
  "line lf": { kind: "line", eol: "lf" },
  "line null": { kind: "line", eol: "null" },
  "delimiter keep": { kind: "delimiter", delimiter: Buffer.from("<END>"), keep: true },
  "delimiter strip": { kind: "delimiter", delimiter: Buffer.from("\r\n\r\n"), keep: false },
  count: { kind: "count", count: 3 },
  close: { kind: "close" },
  "length 2 be": { kind: "length", headerBytes: 2, littleEndian: false, keepHeader: false },
  "length 4 le keep": { kind: "length", headerBytes: 4, littleEndian: true, keepHeader: true },
  "length 1": { kind: "length", headerBytes: 1, littleEndian: false, keepHeader: false },
};

describe("framing", function () {
  describe("line endings (Q-SYS ReadLine styles)", function () {
    it("crlf: LF ends a line, a CR right before it is dropped, lone CRs stay", function () {
      assert.deepStrictEqual(run(MODES["line crlf"], ["a\r\nb\nc\rd\n\n"]).frames, ["a", "b", "c\rd", ""]);
    });
    it("crlfstrict: only CR LF ends a line", function () {
      assert.deepStrictEqual(run(MODES["line crlfstrict"], ["a\nb\r\nc\r\n"]).frames, ["a\nb", "c"]);
    });
    it("lf and null", function () {
      assert.deepStrictEqual(run(MODES["line lf"], ["a\r\nb\n"]).frames, ["a\r", "b"]);
      assert.deepStrictEqual(run(MODES["line null"], ["a\0b\0"]).frames, ["a", "b"]);
    });
    it("any: a run of CR/LF is one ending, leading and empty lines never appear", function () {
      assert.deepStrictEqual(run(MODES["line any"], ["\r\n\r\na\r\n\r\nb\rc\n\n\r"]).frames, ["a", "b", "c"]);
      assert.deepStrictEqual(run(MODES["line any"], ["a\r", "\n", "b\n"]).frames, ["a", "b"]);
    });
  });

  it("a trailing partial frame comes back from flush(), complete for delimited modes", function () {
    assert.deepStrictEqual(run(MODES["line lf"], ["a\nbc"]).rest, { text: "bc", complete: true, expected: undefined });
    assert.deepStrictEqual(run(MODES.count, ["abcde"]).rest, { text: "de", complete: true, expected: undefined });
  });

  it("length-prefixed: a frame cut short is flushed as incomplete with the announced length", function () {
    const r = run(MODES["length 2 be"], ["\x00\x05abc"]);
    assert.deepStrictEqual(r.frames, []);
    assert.deepStrictEqual(r.rest, { text: "\x00\x05abc", complete: false, expected: 5 });
  });

  it("length-prefixed: keeps the header when asked, reads little endian", function () {
    const r = run(MODES["length 4 le keep"], ["\x02\x00\x00\x00hi\x00\x00\x00\x00"]);
    assert.deepStrictEqual(r.frames, ["\x02\x00\x00\x00hi", "\x00\x00\x00\x00"]);
  });

  it("chunk mode emits every chunk as it is", function () {
    assert.deepStrictEqual(run({ kind: "chunk" }, ["ab", "c", ""]).frames, ["ab", "c"]);
  });

  describe("max frame size", function () {
    it("bytes without a frame end beyond the limit throw and are discarded", function () {
      const f = createFramer(MODES["line lf"], 10);
      const frames = [];
      const sink = (b, s, e) => frames.push(b.toString("latin1", s, e));
      f.push(Buffer.from("ok\n01234"), sink);
      assert.throws(
        () => f.push(Buffer.from("567890"), sink),
        (/** @type {any} */ e) => e instanceof FrameTooLargeError && e.limit === 10 && e.size === 11,
      );
      assert.deepStrictEqual(frames, ["ok"]);
      assert.strictEqual(f.pendingBytes, 0);
      assert.strictEqual(f.flush(), undefined);
    });
    it("frames completed in the same chunk before the overflow are still delivered", function () {
      const f = createFramer(MODES["line any"], 4);
      const frames = [];
      assert.throws(() => f.push(Buffer.from("ab\ncd\nefghij"), (b, s, e) => frames.push(b.toString("latin1", s, e))), FrameTooLargeError);
      assert.deepStrictEqual(frames, ["ab", "cd"]);
    });
    it("a length header announcing more than the limit is refused before its bytes arrive", function () {
      const f = createFramer(MODES["length 2 be"], 100);
      assert.throws(
        () => f.push(Buffer.from([0x01, 0x00]), () => undefined),
        (/** @type {any} */ e) => e instanceof FrameTooLargeError && e.size === 256,
      );
    });
    it("on client disconnect: the whole connection counts as one frame", function () {
      const f = createFramer(MODES.close, 5);
      f.push(Buffer.from("abc"), () => undefined);
      assert.throws(() => f.push(Buffer.from("def"), () => undefined), FrameTooLargeError);
    });
  });

  it("rejects nonsense options", function () {
    assert.throws(() => createFramer({ kind: "count", count: 0 }, 10), RangeError);
    assert.throws(() => createFramer({ kind: "count", count: 11 }, 10), RangeError);
    assert.throws(() => createFramer({ kind: "delimiter", delimiter: Buffer.alloc(0), keep: false }, 10), RangeError);
    assert.throws(() => createFramer({ kind: "length", headerBytes: 3 }, 10), RangeError);
    assert.throws(() => createFramer({ kind: "nope" }, 10), RangeError);
    assert.throws(() => createFramer({ kind: "close" }, 0), RangeError);
  });

  describe("frames never depend on how the bytes were split into chunks (property)", function () {
    // Alphabet rich in delimiter bytes so that boundaries fall inside delimiters often.
    const alphabet = fc.constantFrom("a", "b", "\r", "\n", "\0", "<", "E", "N", "D", ">", "\x00", "\x01", "\x03");
    const text = fc.array(alphabet, { maxLength: 200 }).map((a) => a.join(""));
    for (const [name, mode] of Object.entries(MODES)) {
      it(name, function () {
        fc.assert(
          fc.property(text, fc.array(fc.nat(), { maxLength: 20 }), (t, cuts) => {
            const whole = run(mode, [t]);
            const pieces = run(mode, split(t, cuts));
            assert.deepStrictEqual(pieces, whole);
          }),
          { numRuns: 300 },
        );
      });
    }
    it("every byte ends up in exactly one frame or the remainder (delimiter keep)", function () {
      fc.assert(
        fc.property(text, fc.array(fc.nat(), { maxLength: 20 }), (t, cuts) => {
          const r = run(MODES["delimiter keep"], split(t, cuts));
          assert.strictEqual(r.frames.join("") + (r.rest ? r.rest.text : ""), t);
        }),
        { numRuns: 300 },
      );
    });
  });
});
