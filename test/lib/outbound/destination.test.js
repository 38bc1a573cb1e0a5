"use strict";
const assert = require("assert");
const fc = require("fast-check");
const { lib } = require("../../helpers");
const { splitHostPort, parseDestination, resolveDestination, destinationLabel, DestinationError } = lib("outbound/destination.js");

/** The reason a call fails with, or "ok". */
function reason(fn) {
  try {
    fn();
    return "ok";
  } catch (err) {
    assert.ok(err instanceof DestinationError, `not a DestinationError: ${err}`);
    assert.strictEqual(err.code, "EDESTINATION");
    return err.reason;
  }
}

describe("destination: host:port", function () {
  it("splits the written forms of Loftware's [hostname]:[port]", function () {
    assert.deepStrictEqual(splitHostPort("printer-3"), { host: "printer-3" });
    assert.deepStrictEqual(splitHostPort("printer-3.local:9100"), { host: "printer-3.local", port: 9100 });
    assert.deepStrictEqual(splitHostPort(" 10.0.0.25:9100 "), { host: "10.0.0.25", port: 9100 });
    assert.deepStrictEqual(splitHostPort("[::1]:9100"), { host: "::1", port: 9100 });
    assert.deepStrictEqual(splitHostPort("[fe80::1]"), { host: "fe80::1" });
    assert.deepStrictEqual(splitHostPort("::1"), { host: "::1" }, "a bare IPv6 literal is a host without a port");
    assert.deepStrictEqual(parseDestination("[2001:db8::5]:515"), { host: "2001:db8::5", port: 515 });
  });

  it("says what is wrong with a malformed one", function () {
    assert.strictEqual(
      reason(() => splitHostPort("")),
      "no-host",
    );
    assert.strictEqual(
      reason(() => splitHostPort("host:")),
      "no-port",
    );
    assert.strictEqual(
      reason(() => splitHostPort("host:0")),
      "bad-port",
    );
    assert.strictEqual(
      reason(() => splitHostPort("host:65536")),
      "bad-port",
    );
    assert.strictEqual(
      reason(() => splitHostPort("host:91a")),
      "bad-port",
    );
    assert.strictEqual(
      reason(() => splitHostPort("host:1e3")),
      "bad-port",
    );
    assert.strictEqual(
      reason(() => splitHostPort("bad host:9100")),
      "bad-host",
    );
    assert.strictEqual(
      reason(() => splitHostPort("[::1")),
      "bad-destination",
    );
    assert.strictEqual(
      reason(() => splitHostPort("[::1]9100")),
      "bad-destination",
    );
    assert.strictEqual(
      reason(() => splitHostPort("[printer]:9100")),
      "bad-host",
    );
    assert.strictEqual(
      reason(() => splitHostPort("a:b:c")),
      "bad-destination",
    );
    assert.strictEqual(
      reason(() => parseDestination("printer")),
      "no-port",
    );
  });

  it("label and parse round-trip for any IPv4, IPv6 or host name with any port", function () {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."));
    const v6 = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
      .map((p) => p.map((n) => n.toString(16)).join(":"));
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9](\.[a-z]{2,5})?$/);
    fc.assert(
      fc.property(fc.oneof(v4, v6, name), fc.integer({ min: 1, max: 65535 }), (host, port) => {
        assert.deepStrictEqual(parseDestination(destinationLabel({ host, port })), { host, port });
      }),
    );
  });
});

describe("destination: which source wins", function () {
  const msg = { msgDestination: "10.0.0.2:9102", msgHost: "10.0.0.3", msgPort: 9103 };

  it("the node's host wins over the message; a port in the host text wins over the Port field", function () {
    assert.deepStrictEqual(resolveDestination({ ...msg, nodeHost: "10.0.0.1:9101", nodePort: 9999 }), { host: "10.0.0.1", port: 9101 });
    assert.deepStrictEqual(resolveDestination({ ...msg, nodeHost: "10.0.0.1", nodePort: "9100" }), { host: "10.0.0.1", port: 9100 });
  });

  it("with no node host: msg.destination, else msg.host with msg.port", function () {
    assert.deepStrictEqual(resolveDestination(msg), { host: "10.0.0.2", port: 9102 });
    assert.deepStrictEqual(resolveDestination({ msgHost: "10.0.0.3", msgPort: "9103" }), { host: "10.0.0.3", port: 9103 });
    assert.deepStrictEqual(resolveDestination({ msgHost: "[::1]:9104", msgPort: 1 }), { host: "::1", port: 9104 });
  });

  it("the node's Port wins over msg.port when the host comes from the message", function () {
    assert.deepStrictEqual(resolveDestination({ msgHost: "10.0.0.3", msgPort: 9103, nodePort: 9100 }), { host: "10.0.0.3", port: 9100 });
  });

  it("a node field that is set but yields nothing is an error, not a fallback to the message", function () {
    assert.strictEqual(
      reason(() => resolveDestination({ ...msg, nodeHost: null })),
      "no-host",
    );
    assert.strictEqual(
      reason(() => resolveDestination({ ...msg, nodeHost: "10.0.0.1", nodePort: null })),
      "no-port",
    );
    assert.strictEqual(
      reason(() => resolveDestination({ ...msg, nodeHost: 42 })),
      "bad-host",
    );
  });

  it("nothing anywhere, or no port anywhere, is an error", function () {
    assert.strictEqual(
      reason(() => resolveDestination({})),
      "no-host",
    );
    assert.strictEqual(
      reason(() => resolveDestination({ msgHost: "10.0.0.3" })),
      "no-port",
    );
    assert.strictEqual(
      reason(() => resolveDestination({ msgDestination: { host: "x" } })),
      "bad-host",
    );
  });
});
