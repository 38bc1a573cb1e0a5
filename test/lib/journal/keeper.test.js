"use strict";
// The shared keeper of kept jobs (lib/journal/keeper), whatever node uses it: each job's id, the node's own
// fields and its message back after a restart, in order; the age bound (ESTALE, ended at start); bounds and a
// journal that cannot be opened (EPERSIST); what opening dropped, as warnings; msg.tcp.jobId. And the tcp
// client's use of it (lib/client/kept-writes): kept jobs before new ones, ESTOPPED keeps a job unless removed.
const assert = require("assert");
const { lib } = require("../../helpers");
const { memFs } = require("./mem-fs");
const { JobKeeper, keptMeta, openWarnings, setJobId, StaleError } = lib("journal/index.js");
const { KeptWrites } = lib("client/kept-writes.js");

const FILE = "/u/tcp-automation/journal/n.log";
const BOUNDS = { maxJobs: 100, maxBytes: 1 << 20, maxAgeMs: 60000, syncDelayMs: 0 };

const keeperOn = (m, extra = {}) => new JobKeeper({ ...BOUNDS, file: FILE, fingerprint: "fp", fs: m.fs, ...extra });
const keep = (keeper, jobId, fields, data, msg) =>
  new Promise((resolve, reject) => keeper.keep(jobId, fields, Buffer.from(data), msg, (err, seq) => (err ? reject(err) : resolve(seq))));

describe("journal keeper (shared by the send node and the tcp client)", function () {
  it("a job's id, the node's fields and its message come back after a restart, in order; ended ones do not", async function () {
    const m = memFs();
    const first = keeperOn(m);
    await first.open();
    const a = await keep(first, "ja", {}, "A", { topic: "a", payload: Buffer.from([1, 2]) });
    await keep(first, "jb", { host: "h", port: 9 }, "B", { topic: "b" });
    await keep(first, "jc", {}, "C", { topic: "c" });
    first.end(a);
    await first.close(false);
    const at = await keeperOn(m).open();
    assert.deepStrictEqual(
      at.jobs.map((j) => [j.jobId, j.fields, j.data.toString(), j.msg]),
      [
        ["jb", { host: "h", port: 9 }, "B", { topic: "b" }],
        ["jc", {}, "C", { topic: "c" }],
      ],
    );
    assert.deepStrictEqual([at.stale, at.droppedBytes, at.changed], [[], 0, 0]);
  });

  it("what a job stores is the send node's format from before the shared keeper: jobId, the fields, msg", function () {
    assert.strictEqual(
      keptMeta("j1", { host: "10.0.0.5", port: 9100 }, { topic: "t", payload: Buffer.from("x") }).toString(),
      '{"jobId":"j1","host":"10.0.0.5","port":9100,"msg":{"topic":"t","payload":{"$tcpaBuffer":"eA=="}}}',
    );
  });

  it("age bound: an older job is ended and given with ESTALE (seconds); 0 means no limit", async function () {
    const m = memFs();
    let now = 1_000_000;
    const first = keeperOn(m, { now: () => now });
    await first.open();
    await keep(first, "old", {}, "A", {});
    await first.close(false);
    now += 5000;
    const none = keeperOn(m, { maxAgeMs: 0, now: () => now });
    assert.deepStrictEqual(
      (await none.open()).jobs.map((j) => j.jobId),
      ["old"],
    );
    await none.close(false);
    const bounded = keeperOn(m, { maxAgeMs: 2000, now: () => now });
    const at = await bounded.open();
    assert.deepStrictEqual(at.jobs, []);
    assert.ok(at.stale[0].err instanceof StaleError);
    assert.strictEqual(at.stale[0].err.code, "ESTALE");
    assert.deepStrictEqual(at.stale[0].err.catalog(), { key: "stale", subs: { age: 5, limit: 2 } });
    await bounded.close(false);
    assert.deepStrictEqual((await keeperOn(m, { now: () => now }).open()).jobs, [], "ended at start");
  });

  it("bounds: past max jobs or bytes a job fails with EPERSIST; a journal that cannot open fails every job with it", async function () {
    const m = memFs();
    const k = keeperOn(m, { maxJobs: 1 });
    await k.open();
    await keep(k, "a", {}, "A", {});
    await assert.rejects(keep(k, "b", {}, "B", {}), { code: "EPERSIST", reason: "full-jobs", limit: 1 });
    const small = keeperOn(memFs(), { maxBytes: 10 });
    await small.open();
    await assert.rejects(keep(small, "b", {}, "0123456789", {}), { code: "EPERSIST", reason: "full-bytes" });
    const bad = memFs();
    bad.setHook((c) => {
      if (c.op === "mkdir") throw Object.assign(new Error("EROFS: read-only file system"), { code: "EROFS" });
    });
    const broken = keeperOn(bad);
    await assert.rejects(broken.open(), { code: "EPERSIST", reason: "io" });
    await assert.rejects(keep(broken, "c", {}, "C", {}), { code: "EPERSIST", reason: "io" });
  });

  it("openWarnings: a damaged tail and a changed fingerprint, as catalog keys with their counts", async function () {
    assert.deepStrictEqual(openWarnings({ jobs: [], stale: [], droppedBytes: 0, changed: 0 }), []);
    assert.deepStrictEqual(openWarnings({ jobs: [1, 2], stale: [{}], droppedBytes: 11, changed: 4 }), [
      ["journal-damaged", { bytes: 11, count: 3 }],
      ["journal-changed", { count: 4 }],
    ]);
    const m = memFs();
    const first = keeperOn(m);
    await first.open();
    await keep(first, "a", {}, "A", {});
    await first.close(false);
    const other = keeperOn(m, { fingerprint: "another" });
    assert.deepStrictEqual(openWarnings(await other.open()), [["journal-changed", { count: 1 }]]);
  });

  it("setJobId: msg.tcp.jobId, keeping msg.tcp's other keys; a msg.tcp that is not an object is replaced", function () {
    const a = { tcp: { host: "h" } };
    setJobId(a, "j");
    assert.deepStrictEqual(a.tcp, { host: "h", jobId: "j" });
    const b = { tcp: "text" };
    setJobId(b, "j");
    assert.deepStrictEqual(b.tcp, { jobId: "j" });
    const c = { tcp: Object.freeze({ x: 1 }) };
    setJobId(c, "j");
    assert.deepStrictEqual(c.tcp, { jobId: "j" });
  });

  describe("the tcp client's kept writes", function () {
    /** A KeptWrites on a fresh keeper: what reached the link, what failed, in order. */
    function kw(m, extra = {}) {
      const log = [];
      const w = new KeptWrites({
        keeper: keeperOn(m, extra),
        write: (bytes, job, past) => log.push(["write", bytes.toString(), job.jobId, past]),
        restored: (k) => ({ msg: k.msg, jobId: k.jobId }),
        fail: (job, err) => log.push(["fail", job.jobId, err.code]),
        report: (err) => log.push(["report", err.code]),
        warn: (key) => log.push(["warn", key]),
      });
      return { w, log };
    }
    const job = (jobId) => ({ msg: { payload: jobId }, jobId });

    it("new jobs wait for the journal to be read: the kept ones reach the link first, past the queue limits", async function () {
      const m = memFs();
      const one = kw(m);
      one.w.add(Buffer.from("A"), job("a"));
      one.w.add(Buffer.from("B"), job("b"));
      await new Promise((r) => setTimeout(r, 20));
      assert.deepStrictEqual(one.log, [
        ["write", "A", "a", false],
        ["write", "B", "b", false],
      ]);
      await one.w.close();
      const two = kw(m);
      two.w.add(Buffer.from("C"), job("c")); // before the journal is open
      await new Promise((r) => setTimeout(r, 20));
      assert.deepStrictEqual(two.log, [
        ["write", "A", "a", true],
        ["write", "B", "b", true],
        ["write", "C", "c", false],
      ]);
      await two.w.close();
    });

    it("ESTOPPED keeps a job (its message does not end) unless the node is deleted; any other end takes it off", async function () {
      const m = memFs();
      const one = kw(m);
      const jobs = ["a", "b", "c"].map(job);
      for (const j of jobs) one.w.add(Buffer.from(j.jobId), j);
      await new Promise((r) => setTimeout(r, 20));
      assert.strictEqual(one.w.ended(jobs[0]), true, "sent");
      assert.strictEqual(one.w.ended(jobs[1], "ESENDFAILED"), true, "failed for good");
      assert.strictEqual(one.w.ended(jobs[2], "ESTOPPED"), false, "kept for the next start");
      one.w.stopping(false);
      await one.w.close();
      const two = kw(m);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepStrictEqual(two.log, [["write", "c", "c", true]]);
      const restored = { ...jobs[2], seq: 3 };
      two.w.stopping(true);
      assert.strictEqual(two.w.ended(restored, "ESTOPPED"), true, "deleted: it ends");
      assert.strictEqual(await two.w.close(), 0);
    });
  });
});
