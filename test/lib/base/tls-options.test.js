"use strict";
const assert = require("assert");
const { lib } = require("../../helpers");
const { serverTlsOptions, clientTlsOptions, forHost, TlsOptionsError } = lib("base/tls-options.js");

/**
 * A stand-in for Node-RED's tls-config node: addTLSOptions as in 05-tls.js.
 * @param {{ key?: any, cert?: any, ca?: any, passphrase?: string, servername?: string, verifyservercert?: boolean, valid?: boolean }} [o]
 */
function tlsConfig({ key, cert, ca, passphrase, servername, verifyservercert = true, valid = true } = {}) {
  return {
    valid,
    addTLSOptions(opts) {
      if (valid) {
        if (key) opts.key = key;
        if (cert) opts.cert = cert;
        if (ca) opts.ca = ca;
        if (passphrase) opts.passphrase = passphrase;
      }
      if (servername) opts.servername = servername;
      opts.rejectUnauthorized = verifyservercert;
      return opts;
    },
  };
}

describe("tls-options", function () {
  it("server: certificate and key required; mutual TLS asks for and enforces client certificates and needs a CA", function () {
    const s = serverTlsOptions(tlsConfig({ key: "K", cert: "C", passphrase: "pw" }), "none");
    assert.deepStrictEqual(s.options, { key: "K", cert: "C", requestCert: false, rejectUnauthorized: false, passphrase: "pw" });
    const m = serverTlsOptions(tlsConfig({ key: "K", cert: "C", ca: "CA" }), "require");
    assert.strictEqual(m.options.requestCert, true);
    assert.strictEqual(m.options.rejectUnauthorized, true);
    assert.strictEqual(m.options.ca, "CA");
    assert.throws(
      () => serverTlsOptions(tlsConfig({ ca: "CA" }), "none"),
      (/** @type {any} */ e) => e instanceof TlsOptionsError && e.problem === "no-cert",
    );
    assert.throws(
      () => serverTlsOptions(tlsConfig({ key: "K", cert: "C" }), "require"),
      (/** @type {any} */ e) => e.problem === "no-ca",
    );
    assert.throws(
      () => serverTlsOptions(tlsConfig({ key: "K", cert: "C", valid: false }), "none"),
      (/** @type {any} */ e) => e.problem === "invalid",
    );
  });

  it("client: verifies by default even when the tls-config's own checkbox is off; only verify=false turns it off", function () {
    assert.strictEqual(clientTlsOptions(tlsConfig({ ca: "CA", verifyservercert: false }), true).rejectUnauthorized, true);
    assert.strictEqual(clientTlsOptions(tlsConfig({ ca: "CA", verifyservercert: undefined }), true).rejectUnauthorized, true);
    assert.strictEqual(clientTlsOptions(tlsConfig({ ca: "CA" }), false).rejectUnauthorized, false);
    const withCert = clientTlsOptions(tlsConfig({ key: "K", cert: "C", ca: "CA", servername: "printer.plant" }), true);
    assert.deepStrictEqual(withCert, { rejectUnauthorized: true, key: "K", cert: "C", ca: "CA", servername: "printer.plant" });
  });

  it("the host name is the server name checked, unless one is configured; IP literals are checked as addresses", function () {
    assert.strictEqual(forHost({ rejectUnauthorized: true }, "printer.plant").servername, "printer.plant");
    assert.strictEqual(forHost({ rejectUnauthorized: true }, "10.0.0.5").servername, undefined);
    assert.strictEqual(forHost({ rejectUnauthorized: true }, "::1").servername, undefined);
    assert.strictEqual(forHost({ servername: "fixed" }, "other").servername, "fixed");
  });
});
