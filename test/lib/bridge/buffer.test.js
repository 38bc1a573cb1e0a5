"use strict";
const assert = require("assert");
const fc = require("fast-check");
const { lib } = require("../../helpers");
const { BoundedBuffer } = lib("bridge/buffer.js");

const B = (s) => Buffer.from(s);

describe("bridge buffer (bounded, with a policy when full)", function () {
  it("keeps bytes in order and drains them as one buffer", function () {
    const b = new BoundedBuffer(10, "error");
    b.push(B("abc"));
    b.push(B("de"));
    assert.strictEqual(b.length, 5);
    assert.strictEqual(b.drain().toString(), "abcde");
    assert.strictEqual(b.length, 0);
    assert.strictEqual(b.drain().length, 0);
  });

  it("copies what it keeps: a Buffer changed afterwards does not change what is sent", function () {
    const b = new BoundedBuffer(10, "error");
    const data = B("abc");
    b.push(data);
    data[0] = 0x7a;
    assert.strictEqual(b.drain().toString(), "abc");
  });

  it('"error": an input that does not fit is refused whole, the buffer unchanged', function () {
    const b = new BoundedBuffer(5, "error");
    assert.deepStrictEqual(b.push(B("abcd")), { accepted: 4, dropped: 0, full: false });
    assert.deepStrictEqual(b.push(B("ef")), { accepted: 0, dropped: 0, full: true });
    assert.deepStrictEqual(b.push(B("e")), { accepted: 1, dropped: 0, full: false });
    assert.strictEqual(b.drain().toString(), "abcde");
  });

  it('"drop-newest": an input that does not fit is discarded whole and counted', function () {
    const b = new BoundedBuffer(5, "drop-newest");
    b.push(B("abcd"));
    assert.deepStrictEqual(b.push(B("xyz")), { accepted: 0, dropped: 3, full: false });
    assert.strictEqual(b.drain().toString(), "abcd");
  });

  it('"drop-oldest": the oldest bytes make room; an input larger than the buffer keeps its tail', function () {
    const b = new BoundedBuffer(5, "drop-oldest");
    b.push(B("ab"));
    b.push(B("cd"));
    assert.deepStrictEqual(b.push(B("efg")), { accepted: 3, dropped: 2, full: false });
    assert.strictEqual(b.drain().toString(), "cdefg");
    b.push(B("12"));
    assert.deepStrictEqual(b.push(B("abcdefgh")), { accepted: 5, dropped: 5, full: false });
    assert.strictEqual(b.drain().toString(), "defgh");
  });

  it("reserved bytes (already handed to the socket) count against the capacity", function () {
    const e = new BoundedBuffer(10, "error");
    assert.strictEqual(e.push(B("abcd"), 7).full, true);
    assert.strictEqual(e.push(B("abc"), 7).full, false);
    const o = new BoundedBuffer(10, "drop-oldest");
    o.push(B("abc"));
    assert.deepStrictEqual(o.push(B("12345"), 8), { accepted: 2, dropped: 6, full: false });
    assert.strictEqual(o.drain().toString(), "45");
  });

  it("property: never holds more than its capacity; drop-oldest holds the newest bytes", function () {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 30 }), (cap, inputs) => {
        for (const policy of ["error", "drop-newest", "drop-oldest"]) {
          const b = new BoundedBuffer(cap, policy);
          let kept = Buffer.alloc(0);
          let dropped = 0;
          for (const u of inputs) {
            const r = b.push(Buffer.from(u));
            assert.ok(b.length <= cap);
            dropped += r.dropped;
            if (!r.full && policy !== "drop-newest") kept = Buffer.concat([kept, Buffer.from(u)]);
            else if (policy === "drop-newest" && r.dropped === 0) kept = Buffer.concat([kept, Buffer.from(u)]);
          }
          const out = b.drain();
          if (policy === "drop-oldest") {
            assert.ok(out.equals(kept.subarray(Math.max(0, kept.length - cap))));
            assert.strictEqual(out.length + dropped, kept.length);
          } else {
            assert.ok(out.equals(kept));
          }
        }
      }),
    );
  });
});
