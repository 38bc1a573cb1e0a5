"use strict";
const assert = require("assert");
const { lib } = require("../../helpers");
const { parseTunables, DEFAULT_TUNABLES } = lib("base/tunables.js");
const { parseSwitches } = lib("base/switches.js");

describe("tunables (settings.js tcpAutomation)", function () {
  it("absent: today's defaults", function () {
    assert.deepStrictEqual(parseTunables(undefined), { tunables: { ...DEFAULT_TUNABLES }, problems: [] });
    assert.deepStrictEqual(DEFAULT_TUNABLES, {
      listenRetryMs: 5000,
      tlsHandshakeTimeoutMs: 10000,
      proxyHeaderTimeoutMs: 5000,
      closeTimeoutMs: 10000,
      replyMaxPendingBytes: 1048576,
      trafficPerDirectionBytes: 8192,
      trafficBudgetBytes: 33554432,
    });
  });
  it("metrics: a switch, true or false; anything else keeps metrics on and says so", function () {
    assert.strictEqual(parseSwitches({ metrics: false }).switches.metrics, false);
    assert.strictEqual(parseSwitches({ metrics: true }).switches.metrics, true);
    assert.deepStrictEqual(parseTunables({ metrics: false }).problems, []);
    const { switches, problems } = parseSwitches({ metrics: "no" });
    assert.strictEqual(switches.metrics, true);
    assert.deepStrictEqual(
      problems.map((p) => `${p.kind}:${p.name}`),
      ["switch:metrics"],
    );
  });
  it("takes whole numbers in range, keeps the default for anything else and says which", function () {
    const { tunables, problems } = parseTunables({
      listenRetry: 250,
      closeTimeout: 20000,
      replyMaxPending: "big",
      tlsHandshakeTimeout: 1.5,
      bogus: 1,
    });
    assert.strictEqual(tunables.listenRetryMs, 250);
    assert.strictEqual(tunables.closeTimeoutMs, 10000, "Node-RED gives a node 15 s to close: at most 14000");
    assert.strictEqual(tunables.replyMaxPendingBytes, 1048576);
    assert.strictEqual(tunables.tlsHandshakeTimeoutMs, 10000);
    assert.deepStrictEqual(problems.map((p) => `${p.kind}:${p.name}`).sort(), [
      "range:closeTimeout",
      "range:replyMaxPending",
      "range:tlsHandshakeTimeout",
      "unknown:bogus",
    ]);
    assert.deepStrictEqual(
      parseTunables("fast").problems.map((p) => p.kind),
      ["type"],
    );
    assert.deepStrictEqual(
      parseTunables({ __proto__: null, constructor: 5 }).problems.map((p) => p.kind),
      ["unknown"],
    );
  });
  it("switches: traffic is on unless set to false; anything but true or false is a problem, and parseTunables leaves it alone", function () {
    assert.deepStrictEqual(parseSwitches(undefined), { switches: { traffic: true, metrics: true }, problems: [] });
    assert.deepStrictEqual(parseSwitches({ traffic: false }).switches, { traffic: false, metrics: true });
    assert.deepStrictEqual(parseTunables({ traffic: false }).problems, []);
    const bad = parseSwitches({ traffic: "no" });
    assert.deepStrictEqual(bad.switches, { traffic: true, metrics: true });
    assert.deepStrictEqual(
      bad.problems.map((p) => `${p.kind}:${p.name}:${p.value}`),
      ['switch:traffic:"no"'],
    );
  });
});
