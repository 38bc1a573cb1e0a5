// Deterministic pseudo-random numbers (mulberry32): the same sequence for the same seed, so a fuzz
// failure can be replayed and every implementation in a benchmark meets the same device.
"use strict";

/** @param {number} seed @returns {() => number} numbers in [0, 1) */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

module.exports = { prng };
