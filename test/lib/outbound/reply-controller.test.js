"use strict";
// Reply to sender without Node-RED: the controller the send node uses in reply mode, over real sockets.
const assert = require("assert");
const net = require("net");
const { lib, connect, waitFor, readAll, sleep } = require("../../helpers");
const { nodeIo } = require("../../helpers/controller-io");
const { SessionRegistry } = lib("sessions/registry.js");
const { ReplyController } = lib("outbound/reply-controller.js");

const evaluateNow = (read) => (msg, cb) => cb(null, read(msg));

describe("reply controller", function () {
  let server;
  let reg;
  const accepted = [];
  beforeEach(async function () {
    reg = new SessionRegistry();
    server = net.createServer((s) => {
      s.on("error", () => undefined);
      accepted.push(
        reg.add(s, {
          remoteAddress: "127.0.0.1",
          remotePort: s.remotePort,
          localPort: s.localPort,
          owner: { id: "t", type: "test" },
          direction: "in",
        }),
      );
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
  });
  afterEach(function () {
    accepted.splice(0).forEach((s) => s.socket.destroy());
    server.close();
  });

  function controller(io, o = {}) {
    const read = (msg) => msg.payload;
    return new ReplyController(
      Object.assign(
        {
          registry: reg,
          data: evaluateNow(read),
          dataNow: read,
          encoding: "utf8",
          closeAfterReply: false,
          writeTimeoutMs: 1000,
          maxPending: 1024 * 1024,
          drainMs: 200,
          t: io.t,
          status: io.status,
          wired: true,
        },
        o,
      ),
    );
  }

  async function client() {
    const c = await connect(/** @type {import("net").AddressInfo} */ (server.address()).port);
    await waitFor(() => accepted.length > 0 && accepted[accepted.length - 1].remotePort === c.localPort, "accepted");
    return { c, session: accepted[accepted.length - 1] };
  }

  it("data known at once: written, passed on with msg.tcp and ended before input() returns", async function () {
    const io = nodeIo();
    const ctl = controller(io, { closeAfterReply: false });
    const { c, session } = await client();
    const got = readAll(c);
    for (const payload of ["one ", "two ", "three"]) {
      const msg = { payload, _session: { type: "tcp", id: session.id } };
      ctl.input(msg, ...io.input(msg));
      assert.strictEqual(io.ended[io.ended.length - 1].msg, msg, "ended synchronously: no ticket, promise or callback");
    }
    assert.deepStrictEqual(
      io.ended.map((e) => e.err),
      [undefined, undefined, undefined],
    );
    assert.deepStrictEqual(
      io.sent.map((m) => m.tcp),
      ["one ", "two ", "three"].map((p) => ({
        sessionId: session.id,
        peer: `127.0.0.1:${c.localPort}`,
        bytesSent: p.length,
        closed: false,
      })),
    );
    assert.deepStrictEqual(io.statuses[0], { fill: "green", shape: "dot", text: 'status.replied {"count":1}' });
    c.end();
    assert.strictEqual((await got).toString(), "one two three");
  });

  it("an evaluation that answers later keeps the input order; an output with no wires is not sent to", async function () {
    const io = nodeIo();
    let delay = 60;
    const later = (msg, cb) => setTimeout(() => cb(null, msg.payload), (delay -= 20));
    const ctl = controller(io, { data: later, dataNow: undefined, wired: false, closeAfterReply: true });
    const { c, session } = await client();
    const got = readAll(c);
    for (const payload of ["a", "b", "c"]) {
      const msg = { payload, _session: { id: session.id } };
      ctl.input(msg, ...io.input(msg));
    }
    await waitFor(() => io.ended.length === 3, "three ended");
    assert.deepStrictEqual(
      io.ended.map((e) => [e.msg.payload, e.err && e.err.code]),
      [
        ["a", undefined],
        ["b", "ESESSIONCLOSED"],
        ["c", "ESESSIONCLOSED"],
      ],
      "closed after the first reply",
    );
    assert.strictEqual(io.sent.length, 0);
    assert.strictEqual((await got).toString(), "a");
  });

  it("failures end the message with the catalog text and code; the status names code and session", async function () {
    const io = nodeIo();
    const ctl = controller(io, { data: (_msg, cb) => cb(new Error("bad expression")), dataNow: undefined });
    const m1 = { payload: "x" };
    ctl.input(m1, ...io.input(m1));
    const direct = controller(io);
    const m2 = { payload: "x", _session: { id: "0123456789abcdef" } };
    direct.input(m2, ...io.input(m2));
    const m3 = { payload: null, _session: { id: "0123456789abcdef" } };
    direct.input(m3, ...io.input(m3));
    await waitFor(() => io.ended.length === 3, "three ended");
    const [e1, e2, e3] = io.ended.map((e) => e.err);
    assert.deepStrictEqual([e1.code, e2.code, e3.code], ["EEVALUATE", "ESESSIONUNKNOWN", "EPAYLOAD"]);
    assert.strictEqual(String(e1), 'errors.evaluate {"what":"label.data","error":"bad expression"}');
    assert.match(String(e2), /^errors\.session\.ESESSIONUNKNOWN /);
    assert.match(String(e3), /^errors\.payload\.null /);
    await waitFor(
      () => io.statuses.some((s) => s.fill === "red" && s.text === 'status.error {"code":"ESESSIONUNKNOWN","where":"0123456789abcdef"}'),
      "red status",
    );
  });

  it("a send that throws still ends the message, with that error", async function () {
    const io = nodeIo();
    const ctl = controller(io);
    const { session } = await client();
    const msg = { payload: "x", _session: { id: session.id } };
    const boom = new Error("boom");
    ctl.input(
      msg,
      () => {
        throw boom;
      },
      (err) => io.ended.push({ msg, err }),
    );
    assert.strictEqual(io.ended[0].err, boom);
  });

  it("stop: a reply still waiting for a peer that does not read ends with ESTOPPED after the drain bound", async function () {
    const io = nodeIo();
    const ctl = controller(io, { drainMs: 150, writeTimeoutMs: 10000 });
    const { c, session } = await client();
    c.pause();
    const msg = { payload: Buffer.alloc(16 * 1024 * 1024), _session: { id: session.id } };
    ctl.input(msg, ...io.input(msg));
    assert.strictEqual(io.ended.length, 0, "queued behind the peer");
    await waitFor(() => io.statuses.some((s) => s.text === 'status.sending {"running":1,"queued":0}'), "the status shows it");
    const t0 = Date.now();
    await new Promise((resolve) => ctl.close(resolve));
    assert.ok(Date.now() - t0 >= 140, `closed after ${Date.now() - t0} ms`);
    assert.strictEqual(io.ended.length, 1);
    assert.strictEqual(io.ended[0].err.code, "ESTOPPED");
    assert.strictEqual(String(io.ended[0].err), `errors.stopped {"where":"${session.id}","sent":0}`);
    const after = io.statuses.length;
    await sleep(300);
    assert.strictEqual(io.statuses.length, after, "no status after stop");
    c.destroy();
  });
});
