"use strict";
// The editor cannot require node:net, so lib/schema decides IP literals with
// Node's own expressions: they must agree with net.isIP on every input.
const assert = require("assert");
const net = require("net");
const fc = require("fast-check");
const { lib } = require("../../helpers");
const ip = lib("schema/ip.js");

const CHARS = [..."0123456789abcdefABCDEFgxz:.%-[]/ "];
const nearIp = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4Extended(),
  fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 45 }),
  fc.tuple(fc.ipV6(), fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 8 })).map(([a, zone]) => `${a}%${zone}`),
  fc.tuple(fc.ipV6(), fc.ipV4()).map(([a, b]) => `${a.split(":").slice(0, 6).join(":")}:${b}`),
  fc.array(fc.stringMatching(/^[0-9a-fA-F]{0,5}$/), { minLength: 1, maxLength: 10 }).map((parts) => parts.join(":")),
  fc.array(fc.integer({ min: -1, max: 300 }), { minLength: 1, maxLength: 5 }).map((parts) => parts.join(".")),
);

describe("schema: IP literals", function () {
  it("agree with net.isIP on random near-addresses and any text", function () {
    fc.assert(
      fc.property(fc.oneof(nearIp, fc.string(), fc.string({ unit: "grapheme" })), (s) => ip.isIP(s) === net.isIP(s)),
      { numRuns: 100000 },
    );
  });

  it("agree on the corner cases", function () {
    const cases = [
      "",
      "::",
      "::1",
      "1::",
      "::ffff:1.2.3.4",
      "1.2.3.4",
      "01.2.3.4",
      "1.2.3",
      "256.1.1.1",
      "1:2:3:4:5:6:7:8",
      "1:2:3:4:5:6:7:8:9",
      "1::2::3",
      "fe80::1%eth0",
      "fe80::1%",
      "fe80::1%a b",
      "[::1]",
      "::1 ",
      " ::1",
      "1:2:3:4:5:6:1.2.3.4",
      "::1.2.3.4",
      "1:2:3:4:5:6:7:1.2.3.4",
      "g::1",
      "12345::",
    ];
    for (const s of cases) assert.strictEqual(ip.isIP(s), net.isIP(s), JSON.stringify(s));
    for (const s of cases) assert.strictEqual(ip.isIPv4(s), net.isIPv4(s), `v4 ${JSON.stringify(s)}`);
    for (const s of cases) assert.strictEqual(ip.isIPv6(s), net.isIPv6(s), `v6 ${JSON.stringify(s)}`);
  });
});
