"use strict";
// The bounded queue of writes waiting for the link: limits, policies, maximum age.
const assert = require("assert");
const { lib } = require("../../helpers");
const { Outbox } = lib("client/outbox.js");

const entry = (name, size, at = 0) => ({ bytes: Buffer.alloc(size, name), ctx: name, at });
const names = (entries) => entries.map((e) => e.ctx);

describe("client outbox", function () {
  const limits = (extra) => Object.assign({ maxMessages: 3, maxBytes: 100, policy: "refuse", maxAgeMs: 0 }, extra);

  it("keeps entries in arrival order and counts messages and bytes", function () {
    const q = new Outbox(limits());
    for (const [n, s] of [
      ["a", 10],
      ["b", 20],
      ["c", 30],
    ])
      assert.deepStrictEqual(q.push(entry(n, s)), { taken: true, dropped: [] });
    assert.strictEqual(q.length, 3);
    assert.strictEqual(q.bytes, 60);
    assert.strictEqual(q.shift().ctx, "a");
    assert.strictEqual(q.bytes, 50);
    assert.deepStrictEqual(names(q.drain()), ["b", "c"]);
    assert.strictEqual(q.length, 0);
    assert.strictEqual(q.bytes, 0);
    assert.strictEqual(q.shift(), undefined);
  });

  it("refuse: a write over either limit is not taken, the waiting ones stay", function () {
    const q = new Outbox(limits());
    q.push(entry("a", 10));
    q.push(entry("b", 10));
    q.push(entry("c", 10));
    assert.deepStrictEqual(q.push(entry("d", 1)), { taken: false, dropped: [] }, "4th message");
    const r = new Outbox(limits());
    r.push(entry("a", 60));
    assert.deepStrictEqual(r.push(entry("b", 41)), { taken: false, dropped: [] }, "101 bytes");
    assert.deepStrictEqual(r.push(entry("c", 40)).taken, true, "100 bytes exactly");
    assert.deepStrictEqual(names(q.drain()), ["a", "b", "c"]);
  });

  it("drop-newest: the new write is the one dropped", function () {
    const q = new Outbox(limits({ policy: "drop-newest" }));
    for (const n of ["a", "b", "c"]) q.push(entry(n, 1));
    assert.deepStrictEqual(q.push(entry("d", 1)), { taken: false, dropped: [] });
    assert.deepStrictEqual(names(q.drain()), ["a", "b", "c"]);
  });

  it("drop-oldest: the oldest make room, each handed back to be reported", function () {
    const q = new Outbox(limits({ policy: "drop-oldest" }));
    for (const n of ["a", "b", "c"]) q.push(entry(n, 30));
    const r = q.push(entry("d", 50)); // 90 + 50 > 100: a and b must go (c + d = 80)
    assert.strictEqual(r.taken, true);
    assert.deepStrictEqual(names(r.dropped), ["a", "b"]);
    assert.strictEqual(q.bytes, 80);
    assert.deepStrictEqual(names(q.drain()), ["c", "d"]);
  });

  it("an entry larger than the byte limit on its own is never taken, whatever the policy", function () {
    for (const policy of ["refuse", "drop-oldest", "drop-newest"]) {
      const q = new Outbox(limits({ policy }));
      q.push(entry("a", 10));
      assert.deepStrictEqual(q.push(entry("big", 101)), { taken: false, dropped: [] }, policy);
      assert.deepStrictEqual(names(q.drain()), ["a"], `${policy}: nothing dropped for an entry that cannot fit`);
    }
  });

  it("maximum age: expire() takes out exactly the entries that waited that long", function () {
    const q = new Outbox(limits({ maxAgeMs: 100, maxMessages: 10 }));
    q.push(entry("a", 1, 1000));
    q.push(entry("b", 1, 1050));
    q.push(entry("c", 1, 1100));
    assert.strictEqual(q.nextExpiry(), 1100);
    assert.deepStrictEqual(q.expire(1099), []);
    assert.deepStrictEqual(names(q.expire(1150)), ["a", "b"], "a waited 150, b 100 (= the limit), c 50");
    assert.strictEqual(q.nextExpiry(), 1200);
    assert.strictEqual(q.bytes, 1);
    assert.deepStrictEqual(names(q.drain()), ["c"]);
    assert.strictEqual(q.nextExpiry(), undefined);
    const off = new Outbox(limits());
    off.push(entry("a", 1, 0));
    assert.deepStrictEqual(off.expire(1e12), [], "maxAgeMs 0: no limit");
    assert.strictEqual(off.nextExpiry(), undefined);
  });

  it("stays correct over many pushes and shifts (compaction)", function () {
    const q = new Outbox(limits({ maxMessages: 5000, maxBytes: 1e9 }));
    let next = 0;
    let expect = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) q.push(entry(String(next++), 2));
      for (let i = 0; i < 90; i++) assert.strictEqual(q.shift().ctx, String(expect++));
    }
    assert.strictEqual(q.length, next - expect);
    assert.strictEqual(q.bytes, 2 * (next - expect));
    assert.strictEqual(q.peek().ctx, String(expect));
  });

  it("past: a job kept on disk from before a restart is taken past both limits, whatever the policy, and drops nothing", function () {
    for (const policy of ["refuse", "drop-oldest", "drop-newest"]) {
      const q = new Outbox(limits({ policy }));
      for (const n of ["a", "b", "c"]) q.push(entry(n, 10), true);
      assert.deepStrictEqual(q.push(entry("d", 200), true), { taken: true, dropped: [] }, policy);
      assert.deepStrictEqual(names(q.drain()), ["a", "b", "c", "d"]);
    }
  });

  it("refuses limits that make no sense", function () {
    for (const bad of [{ maxMessages: 0 }, { maxBytes: 0 }, { maxAgeMs: -1 }, { maxMessages: Number.NaN }]) {
      assert.throws(() => new Outbox(limits(bad)), RangeError, JSON.stringify(bad));
    }
  });
});
