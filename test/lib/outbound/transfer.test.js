"use strict";
// A job's connection after it connected (transfer.ts) and what it keeps of the reply (reply-capture.ts),
// over real sockets; delivery.test.js covers the same through whole jobs.
const assert = require("assert");
const net = require("net");
const tls = require("tls");
const { lib, sleep } = require("../../helpers");
const { certs } = require("../../helpers/certs");
const { transfer, Stopped } = lib("outbound/transfer.js");
const { ReplyCapture, ReplyEnd } = lib("outbound/reply-capture.js");
const { JOB_DEFAULTS } = lib("outbound/job.js");

const HOST = "127.0.0.1";
const opts = (o) => Object.assign({}, JOB_DEFAULTS, o);

describe("reply capture", function () {
  it("keeps up to the limit, flags what was cut, counts everything", function () {
    const c = new ReplyCapture(true, 5);
    for (const s of ["abc", "defg", "h"]) c.add(Buffer.from(s));
    assert.strictEqual(c.reply.toString(), "abcde");
    assert.strictEqual(c.truncated, true);
    assert.strictEqual(c.received, 8);
    const counting = new ReplyCapture(false, 5);
    counting.add(Buffer.from("abc"));
    assert.strictEqual(counting.reply.length, 0);
    assert.strictEqual(counting.received, 3);
    assert.strictEqual(counting.truncated, false);
  });

  it("finds the end of a reply split across reads, once", function () {
    const end = new ReplyEnd(Buffer.from("\r\nOK"));
    assert.deepStrictEqual(
      ["ST,+01", "\r", "\nO", "K", "\r\nOK"].map((s) => end.feed(Buffer.from(s))),
      [false, false, false, true, false],
    );
    assert.strictEqual(end.found, true);
  });
});

describe("transfer (a job's connected socket)", function () {
  const closers = [];
  afterEach(async function () {
    while (closers.length) await closers.pop()();
  });

  /** A server with handler per connection; resolves with a client socket connected to it. */
  async function connected(handler, server = net.createServer()) {
    const sockets = new Set();
    server.on(server instanceof tls.Server ? "secureConnection" : "connection", (s) => {
      sockets.add(s);
      s.on("error", () => undefined);
      handler(s);
    });
    await new Promise((r) => server.listen(0, HOST, () => r(undefined)));
    closers.push(() => (sockets.forEach((s) => s.destroy()), new Promise((r) => server.close(r))));
    const port = /** @type {import("net").AddressInfo} */ (server.address()).port;
    if (!(server instanceof tls.Server))
      return new Promise((resolve) => {
        const c = net.connect(port, HOST, () => resolve(c));
      });
    return new Promise((resolve) => {
      const c = tls.connect({ host: HOST, port, ca: certs().read(certs().ca), servername: "localhost" }, () => resolve(c));
    });
  }

  it("eof: the peer's close after our half-close is closedBy peer, with its reply", async function () {
    const socket = await connected((s) => s.resume().on("end", () => s.end("status")), net.createServer({ allowHalfOpen: true }));
    const r = await transfer(socket, Buffer.from("job"), opts({ after: "eof", captureReply: true }), new AbortController().signal);
    assert.deepStrictEqual([r.closedBy, r.reply.toString(), r.bytesReceived, r.replyTruncated], ["peer", "status", 6, false]);
  });

  it("close over TLS: waits a grace for the peer's close, and it still counts as closed by us", async function () {
    const c = certs();
    const server = tls.createServer({ key: c.read(c.server.key), cert: c.read(c.server.cert) });
    const got = [];
    const socket = await connected((s) => s.on("data", (d) => got.push(d)).on("end", () => s.end()), server);
    const t0 = Date.now();
    const r = await transfer(socket, Buffer.from("secret"), opts({ after: "close" }), new AbortController().signal);
    assert.strictEqual(r.closedBy, "us");
    assert.strictEqual(Buffer.concat(got).toString(), "secret");
    assert.ok(Date.now() - t0 < 1500, "the peer's close ended the grace early");
  });

  it("bytes the peer does not take within the send timeout: ETIMEDOUT", async function () {
    const socket = await connected((s) => s.pause());
    await assert.rejects(
      transfer(socket, Buffer.alloc(64 * 1024 * 1024), opts({ after: "close", writeTimeoutMs: 150 }), new AbortController().signal),
      (/** @type {any} */ err) => {
        assert.ok(!(err instanceof Stopped));
        assert.strictEqual(err.code, "ETIMEDOUT");
        return true;
      },
    );
    assert.ok(socket.destroyed);
  });

  it("delay: a reply end ends the job early; stopping while it waits is Stopped", async function () {
    const socket = await connected((s) => s.once("data", () => s.write("OK\r\n")));
    const r = await transfer(
      socket,
      Buffer.from("W"),
      opts({ after: "delay", disconnectDelayMs: 5000, captureReply: true, replyEnd: Buffer.from("\r\n") }),
      new AbortController().signal,
    );
    assert.deepStrictEqual([r.closedBy, r.reply.toString()], ["reply", "OK\r\n"]);

    const quiet = await connected(() => undefined);
    const ac = new AbortController();
    const p = transfer(quiet, Buffer.from("W"), opts({ after: "delay", disconnectDelayMs: 5000 }), ac.signal);
    await sleep(30);
    ac.abort();
    await assert.rejects(p, (/** @type {any} */ err) => err instanceof Stopped && err.code === "ESTOPPED");
  });
});
