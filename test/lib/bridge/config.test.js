"use strict";
const assert = require("assert");
const { lib } = require("../../helpers");
const { parseBridgeConfig } = lib("bridge/config.js");

const base = { peerHost: "10.1.0.2", peerPort: "1470" };
const keyOf = (props) => {
  try {
    parseBridgeConfig(Object.assign({}, base, props));
  } catch (err) {
    return err.key;
  }
  return undefined;
};

describe("bridge configuration", function () {
  it("defaults: dial at once, never time out, 10 s hold-off, 64 KiB buffer, policy error, no packing, UTF-8", function () {
    assert.deepStrictEqual(parseBridgeConfig(base), {
      peerHost: "10.1.0.2",
      peerPort: 1470,
      eventBytes: 0,
      idleTimeoutMs: 0,
      holdOffMs: 10000,
      connectTimeoutMs: 10000,
      maxBuffer: 65536,
      bufferPolicy: "error",
      frameIntervalMs: 0,
      inputEncoding: "auto",
    });
  });

  it("takes the seed's example and fractions of seconds", function () {
    const c = parseBridgeConfig(
      Object.assign({}, base, {
        eventBytes: "10",
        timeout: "25",
        holdOff: "0.25",
        frameInterval: "30",
        bufferPolicy: "drop-oldest",
        peerHost: "[::1]",
      }),
    );
    assert.strictEqual(c.eventBytes, 10);
    assert.strictEqual(c.idleTimeoutMs, 25000);
    assert.strictEqual(c.holdOffMs, 250);
    assert.strictEqual(c.frameIntervalMs, 30);
    assert.strictEqual(c.bufferPolicy, "drop-oldest");
    assert.strictEqual(c.peerHost, "::1");
  });

  it("names the property at fault", function () {
    assert.strictEqual(keyOf({ peerHost: "" }), "peerHost");
    assert.strictEqual(keyOf({ peerHost: "bad host!" }), "peerHost");
    assert.strictEqual(keyOf({ peerPort: "0" }), "peerPort");
    assert.strictEqual(keyOf({ peerPort: "65536" }), "peerPort");
    assert.strictEqual(keyOf({ eventBytes: "-1" }), "eventBytes");
    assert.strictEqual(keyOf({ eventBytes: "1.5" }), "eventBytes");
    assert.strictEqual(keyOf({ eventBytes: "101", maxBuffer: "100" }), "eventBytes");
    assert.strictEqual(keyOf({ timeout: "-1" }), "timeout");
    assert.strictEqual(keyOf({ timeout: "soon" }), "timeout");
    assert.strictEqual(keyOf({ holdOff: "0" }), "holdOff");
    assert.strictEqual(keyOf({ connectTimeout: "0" }), "connectTimeout");
    assert.strictEqual(keyOf({ maxBuffer: "0" }), "maxBuffer");
    assert.strictEqual(keyOf({ bufferPolicy: "ignore" }), "bufferPolicy");
    assert.strictEqual(keyOf({ frameInterval: "-5" }), "frameInterval");
    assert.strictEqual(keyOf({ inputEncoding: "klingon" }), "inputEncoding");
    assert.strictEqual(keyOf({}), undefined);
  });
});
