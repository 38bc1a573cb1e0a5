"use strict";
// The status countdown ("next attempt in 3 s"): which number shows, and when to tick so each shows once.
const assert = require("assert");
const { countdownStep, COUNTDOWN_MARGIN_MS } = require("../../helpers").lib("base/countdown.js");

describe("countdown", function () {
  it("shows whole seconds rounded up, never below 0", function () {
    assert.deepStrictEqual(
      [6000, 5999, 5001, 1001, 1000, 999, 1, 0, -5].map((l) => countdownStep(l).seconds),
      [6, 6, 6, 2, 1, 1, 1, 0, 0],
    );
  });

  it("ticks a margin past the next whole-second crossing, and stops once it shows 1", function () {
    assert.strictEqual(countdownStep(3000).nextTickMs, 1000 + COUNTDOWN_MARGIN_MS);
    assert.strictEqual(countdownStep(2999).nextTickMs, 999 + COUNTDOWN_MARGIN_MS);
    assert.strictEqual(countdownStep(2001).nextTickMs, 1 + COUNTDOWN_MARGIN_MS);
    assert.strictEqual(countdownStep(1000).nextTickMs, undefined);
    assert.strictEqual(countdownStep(0).nextTickMs, undefined);
  });

  it("each number shows once, in order, when every tick fires up to the margin early or 900 ms late", function () {
    for (const wait of [6000, 5432, 3001, 3000]) {
      for (const skew of [-(COUNTDOWN_MARGIN_MS - 1), -1, 0, 1, 250, 900]) {
        const shown = [];
        let left = wait;
        for (;;) {
          const step = countdownStep(left);
          shown.push(step.seconds);
          if (step.nextTickMs === undefined) break;
          left -= Math.max(0, step.nextTickMs + skew);
        }
        const expected = Array.from({ length: Math.ceil(wait / 1000) }, (_, i) => Math.ceil(wait / 1000) - i);
        assert.deepStrictEqual(shown, expected, `wait ${wait} ms, ticks ${skew} ms off`);
      }
    }
  });
});
