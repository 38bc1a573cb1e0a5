"use strict";
// Exponential backoff with jitter: every wait checked exactly with a scripted random source and clock.
const assert = require("assert");
const { lib } = require("../../helpers");
const { Backoff, backoffWait } = lib("client/backoff.js");

/** A random source that returns the given values in turn. */
const script = (...values) => {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error("random source used more often than scripted");
    return values[i++];
  };
};

describe("client backoff", function () {
  const o = (extra) => Object.assign({ firstMs: 100, longestMs: 1000, jitter: "none", withinMs: 0 }, extra);

  it("without jitter doubles from the first wait up to the longest and stays there", function () {
    const b = new Backoff(o(), script(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5));
    const waits = [];
    for (let i = 0; i < 7; i++) waits.push(b.next());
    assert.deepStrictEqual(
      waits.map((w) => w.waitMs),
      [100, 200, 400, 800, 1000, 1000, 1000],
    );
    assert.deepStrictEqual(
      waits.map((w) => w.retry),
      [1, 2, 3, 4, 5, 6, 7],
    );
  });

  it("full jitter: uniform between 0 and the nominal wait", function () {
    const b = new Backoff(o({ jitter: "full" }), script(0, 0.5, 0.25, 0.999, 0.1));
    assert.deepStrictEqual(
      [1, 2, 3, 4, 5].map(() => b.next().waitMs),
      [0, 100, 100, 799, 100],
    );
  });

  it("equal jitter: half the nominal wait plus up to the other half", function () {
    const b = new Backoff(o({ jitter: "equal" }), script(0, 1, 0.5, 0.5, 0));
    assert.deepStrictEqual(
      [1, 2, 3, 4, 5].map(() => b.next().waitMs),
      [50, 200, 300, 600, 500],
    );
  });

  it("another growth factor", function () {
    assert.deepStrictEqual(
      [1, 2, 3, 4].map((n) => backoffWait(o({ factor: 3, longestMs: 2000 }), n, 0)),
      [100, 300, 900, 2000],
    );
    assert.strictEqual(backoffWait(o({ factor: 1 }), 50, 0), 100, "factor 1: a fixed wait (Q-SYS ReconnectTimeout)");
  });

  it("a very long round does not overflow into NaN or Infinity", function () {
    assert.strictEqual(backoffWait(o(), 100000, 0.3), 1000);
    assert.strictEqual(backoffWait(o({ jitter: "full" }), 5000, 0.5), 500);
  });

  it("within a bound: no attempt starts later than the bound after the round's first failure", function () {
    let now = 10_000;
    const b = new Backoff(
      o({ withinMs: 1000 }),
      () => 0.5,
      () => now,
    );
    assert.deepStrictEqual(b.next(), { retry: 1, waitMs: 100 }); // round starts at 10 000
    now += 100;
    assert.deepStrictEqual(b.next(), { retry: 2, waitMs: 200 }); // attempt at 10 300
    now += 200;
    assert.deepStrictEqual(b.next(), { retry: 3, waitMs: 400 }); // attempt at 10 700
    now += 400;
    assert.strictEqual(b.elapsed(), 700);
    assert.strictEqual(b.next(), undefined, "800 more would start at 1500 ms into a 1000 ms round");
    assert.strictEqual(b.retry, 3, "a refused retry is not counted");
    b.reset();
    assert.strictEqual(b.elapsed(), 0);
    assert.deepStrictEqual(b.next(), { retry: 1, waitMs: 100 }, "after a reset the next round starts from the first wait");
  });

  it("a wait that ends exactly at the bound is still allowed", function () {
    let now = 0;
    const b = new Backoff(
      o({ withinMs: 300 }),
      () => 0,
      () => now,
    );
    assert.deepStrictEqual(b.next(), { retry: 1, waitMs: 100 });
    now = 100;
    assert.deepStrictEqual(b.next(), { retry: 2, waitMs: 200 }, "100 + 200 = 300: at the bound");
    now = 300;
    assert.strictEqual(b.next(), undefined);
  });

  it("refuses options that make no sense", function () {
    for (const bad of [
      { firstMs: -1 },
      { longestMs: 50 },
      { factor: 0.5 },
      { jitter: "some" },
      { withinMs: -5 },
      { firstMs: Number.NaN },
      { longestMs: Infinity },
    ]) {
      assert.throws(() => new Backoff(o(bad)), RangeError, JSON.stringify(bad));
    }
  });
});
