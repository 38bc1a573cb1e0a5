"use strict";
const assert = require("assert");
const net = require("net");
const { lib, freePort, sleep, waitFor, refusedPort } = require("../../helpers");
const { startPrinter, PJL_STATUS } = require("../../helpers/printer");
const { runJob, JOB_DEFAULTS } = lib("outbound/job.js");
const { Delivery } = lib("outbound/delivery.js");

const HOST = "127.0.0.1";
const opts = (o) => Object.assign({}, JOB_DEFAULTS, { retryDelayMs: 10, retryMaxDelayMs: 40 }, o);
const run = (port, data, o, signal = new AbortController().signal, dial) =>
  runJob({ host: HOST, port }, Buffer.from(data), opts(o), signal, dial);

/** A Delivery whose jobs report into one ordered log. */
function queue(o = {}) {
  const log = [];
  const d = new Delivery(
    Object.assign({ concurrency: 1, maxQueue: 100 }, o, {
      handlers: {
        finished: (ctx, r) => log.push({ ctx, r }),
        failed: (ctx, err) => log.push({ ctx, err }),
      },
    }),
  );
  return { d, log, until: (n) => waitFor(() => log.length >= n, `${n} jobs ended (have ${log.length})`) };
}

describe("delivery: one job over its own connection", function () {
  let printer;
  afterEach(async function () {
    if (printer) await printer.close();
    printer = undefined;
  });

  it("close at once: the printer gets exactly the bytes, we close first", async function () {
    printer = await startPrinter();
    const r = await run(printer.port, "^XA^FDhello^FS^XZ", { after: "close" });
    const [job] = await printer.until(1);
    assert.strictEqual(job.data.toString(), "^XA^FDhello^FS^XZ");
    assert.strictEqual(r.closedBy, "us");
    assert.strictEqual(r.bytesSent, 17);
    assert.strictEqual(r.attempts, 1);
    assert.strictEqual(r.host, HOST);
    assert.strictEqual(r.port, printer.port);
    assert.strictEqual(r.localPort, job.remotePort);
  });

  it("half-close: waits for the printer's EOF and keeps the status it sent (PJL)", async function () {
    printer = await startPrinter({ pjl: true });
    const r = await run(printer.port, "@PJL INFO STATUS\r\n", { after: "eof", captureReply: true });
    assert.strictEqual(r.closedBy, "peer");
    assert.strictEqual(r.reply.toString("latin1"), PJL_STATUS);
    assert.strictEqual(r.bytesReceived, PJL_STATUS.length);
  });

  it("half-close: a printer that never closes ends the wait at the EOF timeout", async function () {
    printer = await startPrinter({ silent: true });
    const t0 = Date.now();
    const r = await run(printer.port, "job", { after: "eof", eofTimeoutMs: 150, captureReply: true });
    assert.strictEqual(r.closedBy, "timeout");
    assert.ok(Date.now() - t0 >= 140, `waited ${Date.now() - t0} ms`);
    assert.strictEqual(r.reply.length, 0);
    assert.strictEqual((await printer.until(1))[0].data.toString(), "job");
  });

  it("disconnect delay: stays open that long and keeps what arrives meanwhile", async function () {
    printer = await startPrinter({ pjl: true });
    const t0 = Date.now();
    const r = await run(printer.port, "@PJL INFO STATUS\n", { after: "delay", disconnectDelayMs: 200, captureReply: true });
    const took = Date.now() - t0;
    assert.ok(took >= 190, `closed after ${took} ms`);
    assert.strictEqual(r.closedBy, "us");
    assert.strictEqual(r.reply.toString("latin1"), PJL_STATUS);
  });

  it("disconnect delay: ends early when the printer closes first", async function () {
    printer = await startPrinter({ closeOn: "^XZ" });
    const r = await run(printer.port, "^XA^XZ", { after: "delay", disconnectDelayMs: 5000 });
    assert.strictEqual(r.closedBy, "peer");
    // Any time under the 5 s delay shows it did not wait the delay out (a load-proof bound, not a speed test).
    assert.ok(r.totalMs < 5000, `took ${r.totalMs} ms`);
  });

  /** A scale that answers each request with a weight line in three pieces and keeps the connection open (also after our EOF). */
  async function startScale() {
    const port = await freePort();
    const got = [];
    const sockets = new Set();
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
      s.on("data", async (d) => {
        got.push(d.toString());
        for (const piece of ["ST,GS,+00", "01.5kg\r", "\n"]) {
          await sleep(20);
          if (!s.destroyed) s.write(piece);
        }
      });
    });
    await new Promise((r) => server.listen(port, HOST, () => r(undefined)));
    return {
      port,
      got,
      close: () => {
        for (const s of sockets) s.destroy(); // half-open ones never end by themselves
        return new Promise((r) => server.close(r));
      },
    };
  }

  it("reply ends with: a device that answers and keeps the line open ends the job at the end of its reply", async function () {
    const scale = await startScale();
    try {
      for (const o of [
        { after: "delay", disconnectDelayMs: 5000 },
        { after: "eof", eofTimeoutMs: 5000 },
      ]) {
        const r = await run(scale.port, "W\r\n", Object.assign({ captureReply: true, replyEnd: Buffer.from("\r\n") }, o));
        assert.strictEqual(r.closedBy, "reply", o.after);
        assert.strictEqual(
          r.reply.toString(),
          "ST,GS,+0001.5kg\r\n",
          `${o.after}: the whole reply, though its end came split over two reads`,
        );
        // Under the configured 5 s: it ended at the reply (closedBy above), not at the delay or EOF timeout.
        assert.ok(r.totalMs < 5000, `${o.after}: ended at the reply, not after 5 s (${r.totalMs} ms)`);
      }
      assert.deepStrictEqual(scale.got, ["W\r\n", "W\r\n"], "the device got each request whole");
      // Without the end in what the device sends, the wait is the configured one.
      const t0 = Date.now();
      const r = await run(scale.port, "W\r\n", {
        after: "delay",
        disconnectDelayMs: 300,
        captureReply: true,
        replyEnd: Buffer.from("END"),
      });
      assert.strictEqual(r.closedBy, "us");
      assert.ok(Date.now() - t0 >= 290, "waited the whole delay");
    } finally {
      await scale.close();
    }
  });

  it("a reply over the limit is cut there and flagged", async function () {
    printer = await startPrinter({ pjl: true });
    const r = await run(printer.port, "@PJL INFO STATUS\n@PJL INFO STATUS\n", { after: "eof", captureReply: true, maxReplyBytes: 10 });
    assert.strictEqual(r.reply.toString("latin1"), PJL_STATUS.slice(0, 10));
    assert.strictEqual(r.replyTruncated, true);
    assert.strictEqual(r.bytesReceived, 2 * PJL_STATUS.length);
  });

  it("retries while refused, then delivers once", async function () {
    const port = await freePort();
    const later = sleep(120).then(() => startPrinter({ port }));
    const r = await run(port, "label", { attempts: 50, retryDelayMs: 10, retryMaxDelayMs: 20 });
    printer = await later;
    assert.ok(r.attempts > 1, `attempts ${r.attempts}`);
    await printer.until(1);
    await sleep(30);
    assert.deepStrictEqual(printer.texts(), ["label"]);
    assert.strictEqual(printer.stats.connections, 1);
  });

  it("gives up after the attempts, with the refusal's code", async function () {
    const port = await freePort();
    await assert.rejects(run(port, "x", { attempts: 3, retryDelayMs: 5 }), (/** @type {any} */ err) => {
      assert.strictEqual(err.code, "ECONNREFUSED");
      assert.strictEqual(err.phase, "connect");
      assert.strictEqual(err.attempts, 3);
      return true;
    });
  });

  it("gives up when the next attempt would start after the total bound", async function () {
    const port = await freePort();
    const t0 = Date.now();
    await assert.rejects(
      run(port, "x", { attempts: 1000, retryDelayMs: 20, retryMaxDelayMs: 20, retryWithinMs: 150 }),
      (/** @type {any} */ err) => {
        assert.strictEqual(err.code, "ECONNREFUSED");
        // At least the first retry (scheduled 20 ms after a refusal that takes ~1 ms), at most one every 20 ms of the
        // 150 ms; a loaded machine only makes fewer. 1000 attempts were allowed: the bound, not the count, ended it.
        assert.ok(err.attempts >= 2 && err.attempts <= 9, `attempts ${err.attempts}`);
        return true;
      },
    );
    // Far below the >= 20 s that 1000 attempts 20 ms apart would take; wide enough for a loaded machine.
    assert.ok(Date.now() - t0 < 5000, `gave up after ${Date.now() - t0} ms`);
  });

  it("connect timeout: a peer that never answers the connect is retried, then ETIMEDOUT", async function () {
    let dials = 0;
    const blackHole = () => {
      dials++;
      return new net.Socket(); // never connects, never fails: only the timeout ends it
    };
    const t0 = Date.now();
    await assert.rejects(
      run(1, "x", { connectTimeoutMs: 60, attempts: 2, retryDelayMs: 10 }, undefined, blackHole),
      (/** @type {any} */ err) => {
        assert.strictEqual(err.code, "ETIMEDOUT");
        assert.strictEqual(err.attempts, 2);
        return true;
      },
    );
    assert.strictEqual(dials, 2);
    assert.ok(Date.now() - t0 >= 120, "both attempts waited for the timeout");
  });

  it("a host that does not exist is not retried", async function () {
    let dials = 0;
    const notFound = () => {
      dials++;
      const s = new net.Socket();
      setImmediate(() => s.destroy(Object.assign(new Error("getaddrinfo ENOTFOUND nowhere"), { code: "ENOTFOUND" })));
      return s;
    };
    await assert.rejects(run(1, "x", { attempts: 5 }, undefined, notFound), { code: "ENOTFOUND", attempts: 1 });
    assert.strictEqual(dials, 1);
  });

  it("a reset after bytes went out is reported and never retried (no double print)", async function () {
    printer = await startPrinter({ resetAfter: 1000 });
    // "eof": close at once would not notice, it does not wait for the printer after the last byte.
    await assert.rejects(run(printer.port, Buffer.alloc(200_000, 65), { after: "eof", attempts: 5 }), (/** @type {any} */ err) => {
      assert.ok(["ECONNRESET", "EPIPE"].includes(err.code), err.code);
      assert.strictEqual(err.phase, "send");
      assert.strictEqual(err.attempts, 1);
      return true;
    });
    await sleep(50);
    assert.strictEqual(printer.stats.connections, 1);
  });

  it("stopping ends a job waiting for EOF with ESTOPPED", async function () {
    printer = await startPrinter({ silent: true });
    const ac = new AbortController();
    const p = run(printer.port, "x", { after: "eof", eofTimeoutMs: 10000 }, ac.signal);
    await printer.until(1);
    const t0 = Date.now();
    ac.abort();
    await assert.rejects(p, { code: "ESTOPPED", phase: "stopped" });
    // At once, not at the 10 s EOF timeout (the bound is wide so a loaded machine cannot break it).
    assert.ok(Date.now() - t0 < 5000, "at once, not at the EOF timeout");
  });
});

describe("delivery: queue per destination", function () {
  const printers = [];
  afterEach(async function () {
    await Promise.all(printers.splice(0).map((p) => p.close()));
  });
  const dest = (p) => ({ host: HOST, port: p.port });

  it("one connection at a time per destination, in arrival order, each job its own connection", async function () {
    const p = await startPrinter({ busyMs: 5 });
    printers.push(p);
    const { d, log, until } = queue();
    const o = opts({ after: "eof", retryDelayMs: 2, attempts: 100 });
    for (let i = 0; i < 30; i++) d.submit(dest(p), Buffer.from(`job${i};`), o, i);
    assert.strictEqual(d.queued + d.running, 30);
    await until(30);
    assert.deepStrictEqual(
      log.map((e) => e.ctx),
      [...Array(30).keys()],
    );
    assert.ok(
      log.every((e) => e.r),
      "all delivered",
    );
    assert.deepStrictEqual(
      p.texts(),
      [...Array(30).keys()].map((i) => `job${i};`),
    );
    assert.strictEqual(p.stats.maxConcurrent, 1);
    assert.strictEqual(p.stats.connections, 30);
    assert.ok(
      log.some((e) => e.r.attempts > 1),
      "the busy printer made some jobs retry",
    );
  });

  it("different destinations proceed in parallel; concurrency lets one destination run several", async function () {
    const a = await startPrinter({ silent: true });
    const b = await startPrinter({ silent: true });
    printers.push(a, b);
    const { d, until } = queue({ concurrency: 2 });
    const o = opts({ after: "eof", eofTimeoutMs: 250 });
    const t0 = Date.now();
    d.submit(dest(a), Buffer.from("a1"), o, "a1");
    d.submit(dest(a), Buffer.from("a2"), o, "a2");
    d.submit(dest(b), Buffer.from("b1"), o, "b1");
    // Three connections open at the same time is the parallelism itself (one after another, a.live would never
    // reach 2); no wall-clock bound, which a loaded machine could break.
    await waitFor(() => a.live === 2 && b.live === 1, "three connections open at once");
    await until(3);
    assert.ok(Date.now() - t0 >= 240, "each job waited for its own EOF timeout");
  });

  it("a full lane refuses new jobs with EQUEUEFULL; the queued ones still go", async function () {
    const p = await startPrinter({ silent: true });
    printers.push(p);
    const { d, log, until } = queue({ maxQueue: 2 });
    const o = opts({ after: "eof", eofTimeoutMs: 100 });
    const refused = [];
    for (let i = 0; i < 5; i++) {
      try {
        d.submit(dest(p), Buffer.from(`j${i}`), o, i);
      } catch (err) {
        refused.push([i, err.code, err.limit, err.destination]);
      }
    }
    const where = `${HOST}:${p.port}`;
    assert.deepStrictEqual(refused, [
      [3, "EQUEUEFULL", 2, where],
      [4, "EQUEUEFULL", 2, where],
    ]);
    await until(3);
    assert.deepStrictEqual(
      log.map((e) => e.ctx),
      [0, 1, 2],
    );
    assert.deepStrictEqual(p.texts(), ["j0", "j1", "j2"]);
  });

  it("drain: jobs that can finish within the bound finish; the rest fail once with ESTOPPED", async function () {
    const p = await startPrinter();
    printers.push(p);
    const refusing = { host: HOST, port: await refusedPort() };
    const { d, log } = queue();
    const o = opts({ attempts: 1000, retryDelayMs: 20, retryWithinMs: 60000 });
    d.submit(dest(p), Buffer.from("ok1"), o, "ok1");
    d.submit(dest(p), Buffer.from("ok2"), o, "ok2");
    d.submit(refusing, Buffer.from("r1"), o, "r1");
    d.submit(refusing, Buffer.from("r2"), o, "r2");
    const t0 = Date.now();
    // The bound must leave two local jobs time to finish even on a loaded machine (150 ms did not, once, in CI);
    // the refusing jobs retry for 60 s, so only the bound ends them.
    await d.drain(2000);
    const took = Date.now() - t0;
    assert.ok(took >= 1990 && took < 10000, `drained in ${took} ms`);
    const byCtx = Object.fromEntries(log.map((e) => [e.ctx, e.err ? e.err.code : "sent"]));
    assert.deepStrictEqual(byCtx, { ok1: "sent", ok2: "sent", r1: "ESTOPPED", r2: "ESTOPPED" });
    assert.strictEqual(log.length, 4, "each job ended exactly once");
    assert.deepStrictEqual(
      log.filter((e) => e.err).map((e) => e.ctx),
      ["r1", "r2"],
      "failed in arrival order: the running job first",
    );
    assert.throws(() => d.submit(dest(p), Buffer.from("late"), o, "late"), { code: "ESTOPPED" });
    await sleep(50);
    assert.strictEqual(log.length, 4);
  });
});
