"use strict";
// The default dialer over real sockets: plain and TLS, refused, connect timeout, abort, self-connect guard.
const assert = require("assert");
const net = require("net");
const tls = require("tls");
const { lib, freePort, waitFor, readAll, refusedPort } = require("../../helpers");
const { certs } = require("../../helpers/certs");
const { device } = require("../../helpers/device");
const { defaultDial } = lib("client/dial.js");

const dial = (opts, signal = new AbortController().signal) =>
  defaultDial(Object.assign({ host: "127.0.0.1", connectTimeoutMs: 2000 }, opts), signal);

/** Rejection of p, or a failed assertion when it resolves. */
async function rejection(p) {
  try {
    const s = await p;
    s.destroy();
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("client dial (the default dialer)", function () {
  const cleanup = [];
  afterEach(async function () {
    while (cleanup.length) await cleanup.pop()();
  });

  it("resolves with a connected socket", async function () {
    const d = await device();
    cleanup.push(() => d.close());
    const s = await dial({ port: d.port });
    assert.strictEqual(s.remotePort, d.port);
    s.end("hello");
    await readAll(s);
    await waitFor(() => d.conns[0] && d.conns[0].data.toString() === "hello", "the bytes at the device");
  });

  it("a port where nothing listens: ECONNREFUSED", async function () {
    const err = await rejection(dial({ port: await refusedPort() }));
    assert.strictEqual(err.code, "ECONNREFUSED");
  });

  it("a connection to itself (simultaneous open on the dialled port) is refused, not taken for a device", async function () {
    const port = await freePort();
    // A plain connect from the very port it dials connects to itself on Linux: that is what the guard is for.
    const raw = await new Promise((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port, localPort: port }, () => resolve("connected"));
      s.on("error", (e) => resolve(/** @type {NodeJS.ErrnoException} */ (e).code));
      s.on("connect", () => s.destroy());
    });
    assert.strictEqual(raw, "connected", "precondition: the kernel connects such a socket to itself");
    const err = await rejection(dial({ port, localPort: port }));
    assert.strictEqual(err.code, "ECONNREFUSED");
    assert.match(err.message, /itself/);
  });

  it("TLS: connected once the server is verified; an unknown CA is refused with its TLS code", async function () {
    const c = certs();
    const server = tls.createServer({ cert: c.read(c.server.cert), key: c.read(c.server.key) }, (s) => s.end("hi"));
    server.on("tlsClientError", () => undefined);
    await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
    cleanup.push(() => new Promise((r) => server.close(() => r(undefined))));
    const port = /** @type {net.AddressInfo} */ (server.address()).port;
    const s = await dial({ port, tls: { ca: c.read(c.ca), rejectUnauthorized: true } });
    assert.strictEqual(/** @type {tls.TLSSocket} */ (s).authorized, true);
    assert.strictEqual((await readAll(s)).toString(), "hi");
    const err = await rejection(dial({ port, tls: { rejectUnauthorized: true } }));
    assert.ok(
      ["SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"].includes(err.code),
      err.code,
    );
  });

  it("no TLS handshake within the connect timeout: ETIMEDOUT, and the socket is closed", async function () {
    // A TCP listener that never speaks TLS: the TCP connect succeeds, the handshake never ends.
    const d = await device();
    cleanup.push(() => d.close());
    const t0 = Date.now();
    const err = await rejection(dial({ port: d.port, connectTimeoutMs: 300, tls: { rejectUnauthorized: true } }));
    assert.strictEqual(err.code, "ETIMEDOUT");
    assert.ok(Date.now() - t0 >= 290, `gave up after ${Date.now() - t0} ms`);
    await waitFor(() => d.conns.length === 1 && d.conns[0].closed, "the device sees the connection closed");
  });

  it("abort: rejects with ABORT_ERR and closes the socket", async function () {
    const d = await device();
    cleanup.push(() => d.close());
    const ac = new AbortController();
    const p = dial({ port: d.port, connectTimeoutMs: 60000, tls: { rejectUnauthorized: true } }, ac.signal);
    await waitFor(() => d.conns.length === 1, "the TCP connection");
    ac.abort();
    assert.strictEqual((await rejection(p)).code, "ABORT_ERR");
    await waitFor(() => d.conns[0].closed, "closed at the device");
    assert.strictEqual((await rejection(dial({ port: d.port }, ac.signal))).code, "ABORT_ERR", "an aborted signal: no dial at all");
    assert.strictEqual(d.conns.length, 1);
  });
});
