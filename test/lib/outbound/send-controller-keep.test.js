"use strict";
// The send controller with a keeper (keep queued jobs across restarts), without Node-RED: jobs kept from before
// go first, even when the journal opens after new inputs came; a job is queued only once it is kept; a kept job
// still waiting at a stop stays kept (no ESTOPPED); msg.tcp.jobId is set before the data is evaluated.
const assert = require("assert");
const { lib, waitFor } = require("../../helpers");
const { nodeIo } = require("../../helpers/controller-io");
const { startPrinter } = require("../../helpers/printer");
const { SendController } = lib("outbound/send-controller.js");
const { JOB_DEFAULTS } = lib("outbound/job.js");
const { PersistError } = lib("journal/index.js");

/** A keeper in memory whose open resolves when the test says; records what was kept and ended. */
function fakeKeeper(restored = []) {
  let release;
  const gate = new Promise((r) => (release = r));
  const k = {
    kept: [],
    ended: [],
    closed: [],
    fail: undefined,
    release: () => release(),
    open: () => gate.then(() => ({ jobs: restored, stale: [], droppedBytes: 0, changed: 0 })),
    keep(jobId, _dest, data, _msg, cb) {
      if (k.fail) return cb(k.fail);
      const seq = 100 + k.kept.length;
      k.kept.push({ seq, jobId, data: data.toString() });
      setImmediate(() => cb(null, seq));
    },
    end: (seq) => k.ended.push(seq),
    close: async (removed) => void k.closed.push(removed),
  };
  return k;
}

describe("send controller keeping jobs", function () {
  let p;
  let c;
  afterEach(async function () {
    if (c) await new Promise((r) => c.close(r));
    if (p) await p.close();
    c = p = undefined;
  });

  function controller(io, keeper, restoredOut, extra = {}) {
    c = new SendController({
      data: (msg, cb) => cb(null, `${msg.payload}|${msg.tcp.jobId}\n`),
      host: (_m, cb) => cb(null, "127.0.0.1"),
      port: (_m, cb) => cb(null, p.port),
      encoding: "utf8",
      concurrency: 1,
      maxQueue: 100,
      drainMs: 0,
      setProperty: () => undefined,
      report: (err) => io.sent.push({ reported: err }),
      t: io.t,
      status: io.status,
      wired: true,
      unverified: false,
      keeper,
      restoredIo: { send: (m) => restoredOut.push(m), done: () => () => undefined },
      job: Object.assign({}, JOB_DEFAULTS, { after: "eof", retryDelayMs: 5, retryMaxDelayMs: 20 }),
      ...extra,
    });
    return c;
  }

  it("kept jobs from before go first, though new inputs came while the journal opened; each ends off the disk", async function () {
    p = await startPrinter();
    const io = nodeIo();
    const restored = [
      {
        seq: 1,
        jobId: "old-1",
        dest: { host: "127.0.0.1", port: 0 },
        data: Buffer.from("old 1\n"),
        msg: { topic: "o1" },
        created: Date.now(),
      },
      {
        seq: 2,
        jobId: "old-2",
        dest: { host: "127.0.0.1", port: 0 },
        data: Buffer.from("old 2\n"),
        msg: { topic: "o2" },
        created: Date.now(),
      },
    ];
    const keeper = fakeKeeper(restored);
    const out = [];
    controller(io, keeper, out);
    for (const r of restored) r.dest.port = p.port;
    const msg = { payload: "new" };
    c.input(msg, ...io.input(msg));
    assert.match(msg.tcp.jobId, /^[0-9a-f]{16}$/, "the id is there before the data is evaluated");
    await new Promise((r) => setTimeout(r, 30));
    assert.strictEqual(p.jobs.length, 0, "nothing goes before the journal is read");
    keeper.release();
    await p.until(3);
    assert.deepStrictEqual(
      p.jobs.map((j) => j.data.toString()),
      ["old 1\n", "old 2\n", `new|${msg.tcp.jobId}\n`],
    );
    await waitFor(() => keeper.ended.length === 3, "three ends");
    assert.deepStrictEqual(keeper.ended, [1, 2, 100]);
    assert.deepStrictEqual(
      out.map((m) => [m.topic, m.tcp.jobId]),
      [
        ["o1", "old-1"],
        ["o2", "old-2"],
      ],
    );
    await waitFor(() => io.sent.length === 1, "the new job's output");
    assert.strictEqual(io.sent[0].tcp.jobId, msg.tcp.jobId);
  });

  it("a job the keeper refuses fails with its EPERSIST and is never sent", async function () {
    p = await startPrinter();
    const io = nodeIo();
    const keeper = fakeKeeper();
    keeper.fail = new PersistError("io", 0, new Error("ENOSPC: no space left on device"));
    keeper.release();
    controller(io, keeper, []);
    const msg = { payload: "x" };
    c.input(msg, ...io.input(msg));
    await waitFor(() => io.ended.length === 1, "the job's end");
    assert.strictEqual(io.ended[0].err.code, "EPERSIST");
    assert.match(String(io.ended[0].err), /errors\.persist\.io .*ENOSPC/);
    assert.strictEqual(p.jobs.length, 0);
  });

  it("a stop: a kept job still waiting stays kept (no ESTOPPED, not ended); the keeper is closed, not removed", async function () {
    p = await startPrinter({ busyMs: 60000, busy: "refuse" });
    // The printer takes one job, then refuses for a minute.
    const io = nodeIo();
    const keeper = fakeKeeper();
    keeper.release();
    controller(io, keeper, []);
    for (const payload of ["a", "b", "c"]) {
      const msg = { payload };
      c.input(msg, ...io.input(msg));
    }
    await p.until(1);
    await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => c.close(r));
    c = undefined;
    assert.deepStrictEqual(keeper.closed, [false]);
    assert.deepStrictEqual(
      io.ended.filter((e) => e.err),
      [],
      "no ESTOPPED for kept jobs",
    );
    assert.deepStrictEqual(keeper.ended, [100], "only the printed job ended");
  });
});
