"use strict";
// Short numbers for a status: two significant digits at most, so a busy node's status does not jitter.
const assert = require("assert");
const { lib } = require("../../helpers");
const { compactNumber } = lib("metrics/compact.js");
const { compactRate } = lib("metrics/rate-ticker.js");

describe("metrics: compact numbers for a status", function () {
  it("one decimal below 10, whole numbers to 999, then k, M, G", function () {
    const cases = [
      [0.4, "0.4"],
      [1, "1"],
      [2.25, "2.3"],
      [9.94, "9.9"],
      [9.96, "10"],
      [35, "35"],
      [999.4, "999"],
      [999.6, "1k"],
      [1234, "1.2k"],
      [12345, "12k"],
      [999_999, "1M"],
      [3_400_000, "3.4M"],
      [2_000_000_000, "2G"],
    ];
    for (const [n, text] of cases) assert.strictEqual(compactNumber(n), text, String(n));
  });
  it("nothing, a negative or a non-number is 0; a rate of 0 shows nothing at all", function () {
    assert.strictEqual(compactNumber(0), "0");
    assert.strictEqual(compactNumber(-3), "0");
    assert.strictEqual(compactNumber(NaN), "0");
    assert.strictEqual(compactRate(0), "");
    assert.strictEqual(compactRate(1200), "1.2k");
  });
});
