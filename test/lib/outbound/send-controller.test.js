"use strict";
// Send to a destination without Node-RED: the controller the send node uses in send mode, against a simulated printer.
const assert = require("assert");
const { lib, freePort, waitFor } = require("../../helpers");
const { nodeIo } = require("../../helpers/controller-io");
const { startPrinter, PJL_STATUS } = require("../../helpers/printer");
const { SendController } = lib("outbound/send-controller.js");
const { JOB_DEFAULTS } = lib("outbound/job.js");

const HOST = "127.0.0.1";
const now = (read) => (msg, cb) => cb(null, read(msg));
const later = (ms, read) => (msg, cb) => setTimeout(() => cb(null, read(msg)), ms(msg));

/** msg.a.b = v, as RED.util.setMessageProperty(msg, "a.b", v, true) does, throwing where a step is not an object. */
function setProperty(msg, path, value) {
  const keys = path.split(".");
  let o = msg;
  for (const k of keys.slice(0, -1)) {
    if (o[k] === undefined) o[k] = {};
    if (typeof o[k] !== "object") throw new Error(`cannot set ${path}`);
    o = o[k];
  }
  o[keys[keys.length - 1]] = value;
}

describe("send controller", function () {
  const printers = [];
  const controllers = [];
  afterEach(async function () {
    await Promise.all(controllers.splice(0).map((c) => new Promise((r) => c.close(r))));
    await Promise.all(printers.splice(0).map((p) => p.close()));
  });
  const printer = async (o) => {
    const p = await startPrinter(o);
    printers.push(p);
    return p;
  };

  function controller(io, o = {}) {
    const c = new SendController(
      Object.assign(
        {
          data: now((m) => m.payload),
          encoding: "utf8",
          concurrency: 1,
          maxQueue: 100,
          drainMs: 300,
          setProperty,
          report: (err) => io.reported.push(err),
          t: io.t,
          status: io.status,
          wired: true,
          unverified: false,
        },
        o,
        { job: Object.assign({}, JOB_DEFAULTS, { retryDelayMs: 5, retryMaxDelayMs: 20 }, o.job) },
      ),
    );
    controllers.push(c);
    return c;
  }
  const run = (c, io, msg) => c.input(msg, ...io.input(msg));
  const withReported = () => Object.assign(nodeIo(), { reported: [] });

  it("a job per message, in input order even when evaluations answer out of order; msg.tcp and the reply on the message", async function () {
    const p = await printer({ pjl: true });
    const io = withReported();
    const c = controller(io, {
      data: later(
        (m) => 40 - m.n * 15,
        (m) => `@PJL INFO STATUS ${m.n}\r\n`,
      ),
      host: now(() => `${HOST}:${p.port}`),
      job: { after: "eof", captureReply: true },
      reply: { property: "printer.status", output: "string" },
    });
    for (let n = 0; n < 3; n++) run(c, io, { n });
    await waitFor(() => io.ended.length === 3, "three jobs ended");
    assert.deepStrictEqual(
      io.ended.map((e) => [e.msg.n, e.err]),
      [
        [0, undefined],
        [1, undefined],
        [2, undefined],
      ],
    );
    assert.deepStrictEqual(
      p.texts(),
      [0, 1, 2].map((n) => `@PJL INFO STATUS ${n}\r\n`),
    );
    const [m] = io.sent;
    assert.strictEqual(m.printer.status, PJL_STATUS);
    assert.deepStrictEqual([m.tcp.host, m.tcp.port, m.tcp.attempts, m.tcp.closedBy], [HOST, p.port, 1, "peer"]);
    for (const k of ["connectMs", "queuedMs", "totalMs"]) assert.ok(Number.isInteger(m.tcp[k]) && m.tcp[k] >= 0, k);
    await waitFor(() => io.lastStatus().text === 'status.sent {"count":3}', "green status with the count");
  });

  it("errors: a node field that evaluates to nothing, a reply property that cannot be set, a refusing peer", async function () {
    const p = await printer({ pjl: true });
    const io = withReported();
    const failing = controller(io, { host: (_msg, cb) => cb(new Error("no such context")) });
    run(failing, io, { payload: "x", n: 1 });
    const empty = controller(io, { host: now(() => undefined), port: now(() => p.port) });
    run(empty, io, { payload: "x", n: 2, destination: `${HOST}:${p.port}` });
    const keeping = controller(io, {
      host: now(() => `${HOST}:${p.port}`),
      job: { after: "eof", captureReply: true },
      reply: { property: "printer.status", output: "buffer" },
    });
    run(keeping, io, { payload: "@PJL INFO STATUS\r\n", n: 3, printer: "a string" });
    const port = await freePort();
    const refused = controller(io, { host: now(() => `${HOST}:${port}`), job: { attempts: 2 } });
    run(refused, io, { payload: "x", n: 4 });
    await waitFor(() => io.ended.length === 4, "four ended");
    const byN = Object.fromEntries(io.ended.map((e) => [e.msg.n, e.err]));
    assert.deepStrictEqual(
      [1, 2, 3, 4].map((n) => byN[n].code),
      ["EEVALUATE", "EDESTINATION", "EIO", "ECONNREFUSED"],
    );
    assert.strictEqual(String(byN[1]), 'errors.evaluate {"what":"label.host","error":"no such context"}');
    assert.match(String(byN[2]), /^errors\.destination\.no-host /, "a set field that yields nothing is no fallback to the message");
    assert.strictEqual(String(byN[3]), "cannot set printer.status");
    assert.match(String(byN[4]), new RegExp(`^errors\\.connect \\{"where":"${HOST}:${port}","attempts":2,`));
    assert.strictEqual(io.sent.length, 0);
  });

  it("status: blue while jobs run and wait, red ring for the last error, green again after a job went out; TLS not verified in every status", async function () {
    const p = await printer({ silent: true });
    const io = withReported();
    const c = controller(io, { host: now(() => `${HOST}:${p.port}`), job: { after: "eof", eofTimeoutMs: 100 }, unverified: true });
    assert.deepStrictEqual(
      io.statuses[0],
      { fill: "green", shape: "dot", text: 'status.unverified {"text":"status.sent {\\"count\\":0}"}' },
      "said at start",
    );
    for (let n = 0; n < 3; n++) run(c, io, { payload: `j${n}`, n });
    await waitFor(
      () => io.statuses.some((s) => s.fill === "blue" && /status\.sending/.test(s.text) && /unverified/.test(s.text)),
      "sending",
    );
    await waitFor(() => io.ended.length === 3, "three ended");
    await waitFor(() => io.lastStatus().fill === "green", "green once all went out");
    run(c, io, { payload: 42n });
    await waitFor(() => io.lastStatus().fill === "red", "red after a failure");
    assert.match(io.lastStatus().text, /status\.error \{\\"code\\":\\"EPAYLOAD\\",\\"where\\":\\"\\"\}/);
    assert.strictEqual(io.lastStatus().shape, "ring");
    run(c, io, { payload: "ok" });
    await waitFor(() => io.lastStatus().fill === "green" && /count\\":4/.test(io.lastStatus().text), "green again");
  });

  it("stop: running and queued jobs get the drain bound, then end with ESTOPPED; handlers that throw are reported", async function () {
    const port = await freePort();
    const io = withReported();
    const c = controller(io, { host: now(() => `${HOST}:${port}`), job: { attempts: 1000, retryWithinMs: 60000 }, drainMs: 150 });
    for (let n = 0; n < 3; n++) run(c, io, { payload: "x", n });
    await new Promise((r) => setTimeout(r, 30));
    controllers.splice(controllers.indexOf(c), 1);
    const t0 = Date.now();
    await new Promise((resolve) => c.close(resolve));
    assert.ok(Date.now() - t0 >= 140, `closed after ${Date.now() - t0} ms`);
    assert.deepStrictEqual(
      io.ended.map((e) => [e.msg.n, e.err.code]),
      [
        [0, "ESTOPPED"],
        [1, "ESTOPPED"],
        [2, "ESTOPPED"],
      ],
    );
    assert.match(String(io.ended[0].err), new RegExp(`^errors\\.stopped \\{"where":"${HOST}:${port}"`));

    const q = withReported();
    const throwing = controller(q, { host: now(() => `${HOST}:${port}`), job: { attempts: 1 } });
    const msg = { payload: "x" };
    throwing.input(
      msg,
      () => undefined,
      () => {
        throw new Error("done threw");
      },
    );
    await waitFor(() => q.reported.length === 1, "reported");
    assert.strictEqual(q.reported[0].message, "done threw");
  });
});
