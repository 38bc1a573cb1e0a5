"use strict";
// The two framing modes that skip bytes: start/end bytes ("STX/ETX") and a
// length field at an offset (Modbus/TCP MBAP, IEC 60870-5-104 APCI).
const assert = require("assert");
const { split } = require("../../helpers/split");
const fc = require("fast-check");
const { lib } = require("../../helpers");
const { createFramer, FrameTooLargeError } = lib("inbound/framing.js");

const B = (a) => Buffer.from(a);

/** Feeds chunks; returns frames (hex), bytes skipped in all, the too-large size if any, and what flush() gave. */
function run(mode, chunks, max = 1 << 20) {
  const f = createFramer(mode, max);
  const frames = [];
  let skipped = 0;
  try {
    for (const c of chunks) {
      f.push(Buffer.from(c), (b, s, e) => frames.push(b.toString("hex", s, e)));
      skipped += f.takeSkipped();
    }
  } catch (err) {
    if (!(err instanceof FrameTooLargeError)) throw err;
    return { frames, skipped: skipped + f.takeSkipped(), tooLarge: err.size };
  }
  const rest = f.flush();
  skipped += f.takeSkipped();
  return {
    frames,
    skipped,
    rest: rest ? { hex: rest.frame.toString("hex"), complete: rest.complete, expected: rest.expected } : undefined,
  };
}

const hex = (a) => Buffer.from(a).toString("hex");
const cuts = fc.array(fc.nat(), { maxLength: 30 });

const STX = { kind: "startend", start: B([2]), end: B([3]), keep: false, escape: undefined };
const STX_DLE = { ...STX, escape: 0x10 };
const STX_KEEP = { ...STX, keep: true };
/** Sequences that overlap themselves and each other, to try the partial matches. */
const SEQ = { kind: "startend", start: B("aab"), end: B("aba"), keep: true, escape: 0x5c };
const FLAG = { kind: "startend", start: B("~"), end: B("~"), keep: false, escape: undefined };

const MBAP = { kind: "field", offset: 4, fieldBytes: 2, littleEndian: false, counts: "payload", adjust: 0, start: B([]) };
const IEC104 = { kind: "field", offset: 1, fieldBytes: 1, littleEndian: false, counts: "payload", adjust: 0, start: B([0x68]) };
const WHOLE_LE = { kind: "field", offset: 2, fieldBytes: 4, littleEndian: true, counts: "frame", adjust: 0, start: B([]) };
const SHORT = { kind: "field", offset: 1, fieldBytes: 1, littleEndian: false, counts: "frame", adjust: 0, start: B([]) };
const PLUS = { kind: "field", offset: 1, fieldBytes: 1, littleEndian: false, counts: "plus", adjust: -2, start: B("S") };

describe("framing: start and end bytes, length field at an offset", function () {
  describe("start and end bytes (STX/ETX)", function () {
    it("bytes outside frames are skipped and counted", function () {
      assert.deepStrictEqual(run(STX, [[0x41, 2, 0x61, 0x62, 3, 0x42, 0x43, 2, 3]]), { frames: ["6162", ""], skipped: 3, rest: undefined });
    });
    it("keeps the start and end bytes when asked", function () {
      assert.deepStrictEqual(run(STX_KEEP, [[2, 0x61, 3]]).frames, ["026103"]);
    });
    it("a new start inside an open frame restarts it; the abandoned bytes count as skipped", function () {
      assert.deepStrictEqual(run(STX, [[2, 0x61, 0x62, 2, 0x63, 3]]), { frames: ["63"], skipped: 3, rest: undefined });
    });
    it("the escape byte makes the next byte literal and is dropped, also across chunks", function () {
      assert.deepStrictEqual(
        run(STX_DLE, [
          [2, 0x10, 3, 0x10, 2, 0x10],
          [0x10, 0x10],
          [3, 3],
        ]),
        {
          frames: ["03021003"],
          skipped: 0,
          rest: undefined,
        },
      );
    });
    it("the escape byte means nothing outside a frame", function () {
      assert.deepStrictEqual(run(STX_DLE, [[0x10, 2, 0x61, 3]]), { frames: ["61"], skipped: 1, rest: undefined });
    });
    it("multi-byte sequences that overlap themselves are matched across chunk boundaries", function () {
      assert.deepStrictEqual(run(SEQ, ["aa", "aabxab", "a"]).frames, [hex("aabxaba")]);
      assert.strictEqual(run(SEQ, ["aa", "aabxab", "a"]).skipped, 2);
    });
    it("start and end may be the same byte: one flag between frames", function () {
      assert.deepStrictEqual(run(FLAG, ["~a~~b~"]).frames, [hex("a"), hex("b")]);
    });
    it("a frame still open at the end is dropped and counted as skipped, never flushed", function () {
      assert.deepStrictEqual(run(STX_DLE, [[0x41, 2, 0x61, 0x10]]), { frames: [], skipped: 4, rest: undefined });
    });
    it("an empty frame is a frame", function () {
      assert.deepStrictEqual(run(STX, [[2, 3, 2], [3]]).frames, ["", ""]);
    });
    it("a frame over the maximum size is refused as soon as it is certain (stripped and kept)", function () {
      assert.deepStrictEqual(run(STX, [[2, 1, 1, 1, 1]], 3), { frames: [], skipped: 0, tooLarge: 4 });
      assert.deepStrictEqual(run(STX, [[2, 1, 1, 1, 3]], 3).frames, ["010101"]);
      assert.deepStrictEqual(run(STX_KEEP, [[2, 1, 3]], 3).frames, ["020103"]);
      assert.strictEqual(run(STX_KEEP, [[2, 1, 1]], 3).tooLarge, 4);
    });
    it("after a refused frame the framer starts over outside a frame", function () {
      const f = createFramer(STX, 2);
      assert.throws(() => f.push(B([2, 1, 1, 1]), () => undefined), FrameTooLargeError);
      const frames = [];
      f.push(B([1, 2, 9, 3]), (b, s, e) => frames.push(b.toString("hex", s, e)));
      assert.deepStrictEqual(frames, ["09"]);
      assert.strictEqual(f.takeSkipped(), 1);
    });
    it("rejects empty sequences and an escape that is not a byte", function () {
      assert.throws(() => createFramer({ ...STX, start: B([]) }, 10), RangeError);
      assert.throws(() => createFramer({ ...STX, end: B([]) }, 10), RangeError);
      assert.throws(() => createFramer({ ...STX, escape: 256 }, 10), RangeError);
    });
  });

  describe("length field at an offset", function () {
    const mbap = (tid, pdu) => [tid >> 8, tid & 255, 0, 0, (pdu.length + 1) >> 8, (pdu.length + 1) & 255, 1, ...pdu];
    it("Modbus/TCP: the whole frame, header and transaction id included", function () {
      const a = mbap(7, [3, 0, 0, 0, 2]);
      const b = mbap(8, [3, 4, 0, 1, 0, 2]);
      assert.deepStrictEqual(run(MBAP, [[...a, ...b.slice(0, 5)], b.slice(5)]).frames, [hex(a), hex(b)]);
    });
    it("counts the whole frame, little endian, 4 bytes", function () {
      assert.deepStrictEqual(run(WHOLE_LE, [[9, 9, 7, 0, 0, 0, 0x61, 9, 9, 6, 0, 0, 0]]).frames, ["090907000000" + "61", "090906000000"]);
    });
    it("bytes after the field plus a signed adjustment", function () {
      assert.deepStrictEqual(run(PLUS, ["S\x04ab", "S\x02"]).frames, [hex("S\x04ab"), hex("S\x02")]);
    });
    it("a zero-length payload is a frame of the header alone", function () {
      assert.deepStrictEqual(run(IEC104, [[0x68, 0, 0x68, 1, 5]]).frames, ["6800", "680105"]);
    });
    it("IEC 104: bytes before the start byte are skipped (resynchronise)", function () {
      assert.deepStrictEqual(run(IEC104, [[1, 2], [0x68], [0, 3, 0x68, 1, 9]]), {
        frames: ["6800", "680109"],
        skipped: 3,
        rest: undefined,
      });
    });
    it("a length shorter than the header itself skips one byte and searches on", function () {
      assert.deepStrictEqual(run(SHORT, [[0, 0, 1, 3, 0x62]]), { frames: ["010362"], skipped: 2, rest: undefined });
    });
    it("a frame cut short comes back incomplete with its whole length; an unfinished header without one", function () {
      assert.deepStrictEqual(run(MBAP, [[0, 1, 0, 0, 0, 3, 1]]).rest, { hex: "00010000000301", complete: false, expected: 9 });
      assert.deepStrictEqual(run(MBAP, [[0, 1, 0]]).rest, { hex: "000100", complete: false, expected: undefined });
    });
    it("a length over the maximum frame size is refused before its bytes arrive", function () {
      assert.deepStrictEqual(run(MBAP, [[0, 1, 0, 0, 0, 200]], 100), { frames: [], skipped: 0, tooLarge: 206 });
      assert.deepStrictEqual(run(MBAP, [[0, 1, 0, 0, 0, 1, 9]], 7).frames, ["00010000000109"]);
    });
    it("rejects nonsense options", function () {
      assert.throws(() => createFramer({ ...MBAP, offset: -1 }, 10), RangeError);
      assert.throws(() => createFramer({ ...MBAP, fieldBytes: 3 }, 10), RangeError);
      assert.throws(() => createFramer({ ...MBAP, adjust: 0.5 }, 10), RangeError);
    });
  });

  describe("frames never depend on how TCP cut the bytes (property)", function () {
    const byte = fc.constantFrom(0, 1, 2, 3, 0x10, 0x61, 0x62, 0x68, 0x7e, 0xff);
    const payload = fc.array(byte, { maxLength: 12 });
    /** Garbage between frames: anything but the start byte. */
    const garbage = (startByte) =>
      fc.array(
        byte.filter((b) => b !== startByte),
        { maxLength: 6 },
      );

    /** Frames wrapped by `encode`, garbage before each unless noGarbage: the bytes sent, the payloads, the garbage byte count. */
    const stream = (encode, startByte, noGarbage) =>
      fc.array(fc.tuple(noGarbage ? fc.constant([]) : garbage(startByte), payload), { maxLength: 8 }).map((parts) => ({
        bytes: parts.flatMap(([g, p]) => [...g, ...encode(p)]),
        payloads: parts.map(([, p]) => p),
        junk: parts.reduce((n, [g]) => n + g.length, 0),
      }));

    const anyBytes = fc.array(fc.constantFrom(0, 1, 2, 3, 6, 0x10, 0x53, 0x5c, 0x61, 0x62, 0x68, 0x7e), { maxLength: 200 });
    const stuff = (p) => p.flatMap((b) => (b === 2 || b === 3 || b === 0x10 ? [0x10, b] : [b]));
    const apci = (p) => [0x68, p.length, ...p];
    const mbapOf = (p) => [0, 1, 0, 0, 0, p.length, ...p];
    const cases = {
      "STX/ETX with DLE escapes": { mode: STX_DLE, sent: stream((p) => [2, ...stuff(p), 3], 2), frame: hex },
      "IEC 104 APCI": { mode: IEC104, sent: stream(apci, 0x68), frame: (p) => hex(apci(p)) },
      // Without a start byte there is nothing to resynchronise on: frames only.
      "Modbus/TCP MBAP": { mode: MBAP, sent: stream(mbapOf, undefined, true), frame: (p) => hex(mbapOf(p)) },
    };
    for (const [name, c] of Object.entries(cases)) {
      it(`${name}: random cuts of frames and garbage give the frames sent and count the garbage`, function () {
        fc.assert(
          fc.property(c.sent, cuts, (sent, cutPoints) => {
            const r = run(c.mode, split(sent.bytes, cutPoints));
            assert.deepStrictEqual(r, { frames: sent.payloads.map(c.frame), skipped: sent.junk, rest: undefined });
          }),
          { numRuns: 300 },
        );
      });
    }

    it("every byte is in a frame, skipped, or still waiting (start/end without escape, length field)", function () {
      const accounted = (mode, r) => {
        const framed = r.frames.reduce((n, f) => n + f.length / 2, 0);
        const marks = mode.kind === "startend" && !mode.keep ? r.frames.length * (mode.start.length + mode.end.length) : 0;
        return framed + marks + r.skipped + (r.rest ? r.rest.hex.length / 2 : 0);
      };
      for (const mode of [STX, STX_KEEP, SEQ, FLAG, MBAP, IEC104, WHOLE_LE, SHORT, PLUS]) {
        fc.assert(
          fc.property(anyBytes, cuts, (bytes, cutPoints) => {
            const r = run(mode, split(bytes, cutPoints), 1 << 20);
            // A frame refused as too large is discarded with its bytes (the stream closes the connection).
            if (r.tooLarge === undefined) assert.strictEqual(accounted(mode, r), bytes.length);
          }),
          { numRuns: 200 },
        );
      }
    });

    const modes = { STX, STX_DLE, STX_KEEP, SEQ, FLAG, MBAP, IEC104, WHOLE_LE, SHORT, PLUS };
    for (const [name, mode] of Object.entries(modes)) {
      it(`${name}: any bytes, any cuts, any maximum: the same frames, skipped count, error and remainder`, function () {
        fc.assert(
          fc.property(anyBytes, cuts, fc.integer({ min: 1, max: 40 }), (bytes, cutPoints, max) => {
            assert.deepStrictEqual(run(mode, split(bytes, cutPoints), max), run(mode, [bytes], max));
          }),
          { numRuns: 300 },
        );
      });
    }
  });
});
