// Cuts a string, Buffer or byte array at given points (taken modulo its length + 1, repeats dropped): how TCP might have
// split a stream into reads, for framing property tests.
"use strict";

/**
 * @template {string | Buffer | number[]} T
 * @param {T} data
 * @param {number[]} cuts
 * @returns {T[]}
 */
function split(data, cuts) {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const out = [];
  let prev = 0;
  for (const p of points) {
    out.push(/** @type {T} */ (data.slice(prev, p)));
    prev = p;
  }
  out.push(/** @type {T} */ (data.slice(prev)));
  return out;
}

module.exports = { split };
