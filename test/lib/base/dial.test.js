"use strict";
// The one dialer of jobs and the bridge, over real sockets on ephemeral 127.0.0.1 ports.
const assert = require("assert");
const net = require("net");
const tls = require("tls");
const { lib, freePort, sleep, refusedPort } = require("../../helpers");
const { certs } = require("../../helpers/certs");
const { dial, DialError, isSelfConnect } = lib("base/dial.js");
const { clientTlsOptions } = lib("base/tls-options.js");
const { CodedError } = lib("base/coded-error.js");

const HOST = "127.0.0.1";

/** dial() as a promise: [err, socket]. */
const attempt = (target, connector) =>
  new Promise((resolve) =>
    dial(Object.assign({ host: HOST, timeoutMs: 2000 }, target), (err, socket) => resolve([err, socket]), connector),
  );

async function listen(server) {
  await new Promise((r) => server.listen(0, HOST, () => r(undefined)));
  return /** @type {import("net").AddressInfo} */ (server.address()).port;
}

/** Client TLS options as a tls-config node with this CA gives them. */
const trusting = (ca) => clientTlsOptions({ addTLSOptions: (o) => Object.assign(o, { ca }) }, true);

describe("dial", function () {
  const closers = [];
  afterEach(async function () {
    while (closers.length) await closers.pop()();
  });
  const server = async (s) => {
    const sockets = new Set();
    s.on("connection", (c) => (sockets.add(c), c.on("close", () => sockets.delete(c))));
    const port = await listen(s);
    closers.push(() => (sockets.forEach((c) => c.destroy()), new Promise((r) => s.close(r))));
    return port;
  };

  it("connects, and hands over the socket with none of its listeners left", async function () {
    const port = await server(net.createServer((c) => c.end("hi")));
    const [err, socket] = await attempt({ port });
    assert.strictEqual(err, null);
    assert.strictEqual(socket.remotePort, port);
    for (const ev of ["connect", "error", "close"]) assert.strictEqual(socket.listenerCount(ev), 0, `no ${ev} listener left`);
    const got = await new Promise((r) => socket.once("data", r));
    assert.strictEqual(got.toString(), "hi");
    socket.destroy();
  });

  it("a refusal is the system's own error (ECONNREFUSED), passed on", async function () {
    const [err, socket] = await attempt({ port: await refusedPort() });
    assert.strictEqual(socket, undefined);
    assert.strictEqual(err.code, "ECONNREFUSED");
    assert.strictEqual(err.syscall, "connect");
  });

  it("a port that connects to itself is no connection: ECONNREFUSED, the socket closed", async function () {
    const port = await freePort();
    // Bound to the port it dials, the socket meets itself (TCP simultaneous open on Linux).
    const selfDial = () => net.connect({ host: HOST, port, localAddress: HOST, localPort: port });
    const raw = await new Promise((resolve) => {
      const s = selfDial();
      s.once("connect", () => resolve(s));
      s.once("error", () => resolve(undefined));
    });
    if (!raw) this.skip(); // this system refuses a self-connect by itself
    assert.ok(isSelfConnect(raw), "without the guard it is connected to itself");
    raw.destroy();
    await sleep(20);
    /** @type {any} */
    let made;
    const [err, socket] = await attempt({ port }, () => (made = selfDial()));
    assert.strictEqual(socket, undefined);
    assert.ok(err instanceof DialError && err instanceof CodedError);
    assert.strictEqual(err.code, "ECONNREFUSED");
    assert.ok(made.destroyed);
  });

  it("no connection within the bound: ETIMEDOUT (a TLS server that never answers the handshake)", async function () {
    const port = await server(net.createServer(() => undefined));
    const t0 = Date.now();
    const [err, socket] = await attempt({ port, timeoutMs: 150, tls: trusting(certs().read(certs().ca)) });
    assert.strictEqual(socket, undefined);
    assert.ok(err instanceof DialError);
    assert.strictEqual(err.code, "ETIMEDOUT");
    assert.strictEqual(err.message, "connect timed out");
    assert.ok(Date.now() - t0 >= 140, `after ${Date.now() - t0} ms`);
  });

  it("a socket that closes while connecting: ECONNRESET", async function () {
    const [err] = await attempt({ port: 1 }, () => {
      const s = new net.Socket();
      setImmediate(() => s.destroy());
      return s;
    });
    assert.ok(err instanceof DialError);
    assert.strictEqual(err.code, "ECONNRESET");
  });

  it("TLS: connected means handshake done and server verified; an untrusted server is the TLS error", async function () {
    const c = certs();
    const port = await server(tls.createServer({ key: c.read(c.server.key), cert: c.read(c.server.cert) }, (s) => s.end("secret")));
    const [err, socket] = await attempt({ port, tls: trusting(c.read(c.ca)) });
    assert.strictEqual(err, null);
    assert.strictEqual(socket.authorized, true);
    assert.strictEqual((await new Promise((r) => socket.once("data", r))).toString(), "secret");
    socket.destroy();
    const [bad, none] = await attempt({ port, tls: trusting(c.read(c.rogueCa)) });
    assert.strictEqual(none, undefined);
    assert.ok(!(bad instanceof DialError), "the system's error, passed on");
    assert.match(bad.code, /UNABLE_TO_VERIFY|SELF_SIGNED|CERT/);
  });

  it("abandon: the socket is destroyed and nothing is called back", async function () {
    const port = await server(net.createServer());
    /** @type {any} */
    let made;
    let called = false;
    const d = dial(
      { host: HOST, port, timeoutMs: 100 },
      () => (called = true),
      (h, p) => (made = net.connect({ host: h, port: p })),
    );
    d.abandon();
    d.abandon();
    await sleep(200);
    assert.strictEqual(called, false);
    assert.ok(made.destroyed);
  });
});
