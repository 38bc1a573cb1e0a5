// Why tests were skipped, for the one-line reasons test/run.js prints under its summary.
"use strict";

const reasons = new Map();

/** Skips the current test or hook's tests (ctx: mocha's `this`) and records why, once per reason. */
function skipBecause(ctx, what, reason) {
  reasons.set(`${what}: ${reason}`, true);
  ctx.skip();
}

module.exports = { skipBecause, skipReasons: () => [...reasons.keys()] };
