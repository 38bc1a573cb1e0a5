"use strict";
// The journal on a disk that fails on purpose: torn writes, ENOSPC, power cuts and crashes mid-compaction.
const assert = require("assert");
const { lib } = require("../../helpers");
const { memFs } = require("./mem-fs");
const { Journal, PersistError, encodeJob, tempOf } = lib("journal/index.js");

const FILE = "/data/tcp-automation/journal/n1.log";

function options(fs, extra = {}) {
  return { fs, file: FILE, fingerprint: "fp", maxJobs: 1000, maxBytes: 1 << 20, syncDelayMs: 2, ...extra };
}

/** Adds a job and resolves once it is on disk (or rejects with why not). */
function add(journal, text, created = Date.now()) {
  return new Promise((resolve, reject) => {
    const seq = journal.add(created, Buffer.from(`{"id":"${text}"}`), Buffer.from(text), (err) => (err ? reject(err) : resolve(seq)));
  });
}

const texts = (report) => report.jobs.map((j) => j.data.toString());

describe("journal", function () {
  it("keeps what was added and not ended, in order, across a reopen; seq goes on rising", async function () {
    const m = memFs();
    const { journal, report } = await Journal.open(options(m.fs));
    assert.deepStrictEqual(report, { jobs: [], droppedBytes: 0, changed: 0 });
    const a = await add(journal, "a");
    await add(journal, "b");
    const c = await add(journal, "c");
    journal.end(a);
    await journal.close();
    const again = await Journal.open(options(m.fs));
    assert.deepStrictEqual(texts(again.report), ["b", "c"]);
    assert.deepStrictEqual(again.report.jobs[0].meta, Buffer.from('{"id":"b"}'));
    const d = await add(again.journal, "d");
    assert.ok(d > c, `seq ${d} after ${c}`);
    await again.journal.close();
  });

  it("calls back only once the record is synced; records made within the delay share one sync", async function () {
    const m = memFs();
    const { journal } = await Journal.open(options(m.fs, { syncDelayMs: 20 }));
    const before = m.calls.filter((c) => c.op === "datasync").length;
    const order = [];
    m.setHook((c) => {
      if (c.op === "datasync") order.push("sync");
    });
    const all = [];
    for (let i = 0; i < 50; i++) all.push(add(journal, `j${i}`).then(() => order.push("added")));
    await Promise.all(all);
    assert.strictEqual(m.calls.filter((c) => c.op === "datasync").length - before, 1);
    assert.strictEqual(order[0], "sync");
    assert.strictEqual(m.synced.get(FILE).length, m.files.get(FILE).length);
    await journal.close();
  });

  it("delay 0: a job made on its own is synced on its own", async function () {
    const m = memFs();
    const { journal } = await Journal.open(options(m.fs, { syncDelayMs: 0 }));
    const before = m.calls.filter((c) => c.op === "datasync").length;
    await add(journal, "a");
    await add(journal, "b");
    assert.strictEqual(m.calls.filter((c) => c.op === "datasync").length - before, 2);
    await journal.close();
  });

  it("ENOSPC in the middle of a write: that batch fails with EPERSIST, the file is cut back, the next job is kept", async function () {
    const m = memFs();
    const { journal } = await Journal.open(options(m.fs));
    await add(journal, "before");
    m.setHook((c) => (c.op === "write" ? { partial: 5, error: "ENOSPC" } : undefined));
    await assert.rejects(add(journal, "lost"), (/** @type {any} */ err) => {
      assert.ok(err instanceof PersistError);
      assert.strictEqual(err.code, "EPERSIST");
      assert.strictEqual(err.reason, "io");
      assert.match(err.cause.message, /ENOSPC/);
      assert.deepStrictEqual(err.catalog(), { key: "persist.io", subs: { limit: 0, error: err.cause.message } });
      return true;
    });
    assert.strictEqual(journal.jobs, 1);
    m.setHook(() => undefined);
    await add(journal, "after");
    await journal.close();
    const again = await Journal.open(options(m.fs));
    assert.deepStrictEqual(texts(again.report), ["before", "after"]);
    assert.strictEqual(again.report.droppedBytes, 0);
  });

  it("a disk that will not even cut back: later jobs still fail cleanly until it recovers, nothing is mixed", async function () {
    const m = memFs();
    const { journal } = await Journal.open(options(m.fs));
    m.setHook((c) => {
      if (c.op === "write") return { partial: 3, error: "EIO" };
      if (c.op === "truncate") throw Object.assign(new Error("EROFS"), { code: "EROFS" });
      return undefined;
    });
    await assert.rejects(add(journal, "x"), { code: "EPERSIST" });
    await assert.rejects(add(journal, "y"), { code: "EPERSIST" });
    m.setHook(() => undefined);
    await add(journal, "z");
    await journal.close();
    assert.deepStrictEqual(texts((await Journal.open(options(m.fs))).report), ["z"]);
  });

  it("bounds: jobs and bytes; beyond them add() throws EPERSIST at once and kept jobs stay", async function () {
    const m = memFs();
    const { journal } = await Journal.open(options(m.fs, { maxJobs: 2 }));
    await add(journal, "a");
    const b = await add(journal, "b");
    assert.throws(() => journal.add(0, Buffer.alloc(0), Buffer.from("c"), () => undefined), {
      code: "EPERSIST",
      reason: "full-jobs",
      limit: 2,
    });
    journal.end(b);
    await add(journal, "c");
    await journal.close();
    const small = await Journal.open(options(memFs().fs, { maxBytes: 100 }));
    assert.throws(() => small.journal.add(0, Buffer.alloc(0), Buffer.alloc(100), () => undefined), { reason: "full-bytes", limit: 100 });
    await small.journal.close();
  });

  it("power cut: every job whose add called back is there; a torn tail is dropped and counted", async function () {
    const m = memFs();
    const { journal } = await Journal.open(options(m.fs));
    for (const t of ["a", "b", "c"]) await add(journal, t);
    // The cut falls while the next record is half written: 11 of its bytes reached the disk.
    const torn = encodeJob(4, Date.now(), Buffer.alloc(0), Buffer.from("torn")).subarray(0, 11);
    const afterCut = new Map([[FILE, Buffer.concat([m.synced.get(FILE), torn])]]);
    const again = await Journal.open(options(memFs(afterCut).fs));
    assert.deepStrictEqual(texts(again.report), ["a", "b", "c"]);
    assert.strictEqual(again.report.droppedBytes, 11);
  });

  it("a bit flipped in the last record: the good records resume, the damaged tail is counted", async function () {
    const m = memFs();
    const { journal } = await Journal.open(options(m.fs));
    for (const t of ["a", "b"]) await add(journal, t);
    await journal.close();
    const file = Buffer.from(m.files.get(FILE));
    file[file.length - 1] ^= 0x04;
    const again = await Journal.open(options(memFs(new Map([[FILE, file]])).fs));
    assert.deepStrictEqual(texts(again.report), ["a"]);
    assert.ok(again.report.droppedBytes > 0);
  });

  it("compacts when ended jobs dominate: the file shrinks to the kept jobs", async function () {
    const m = memFs();
    const { journal } = await Journal.open(options(m.fs, { compactMinBytes: 512 }));
    for (let i = 0; i < 100; i++) journal.end(await add(journal, `job ${i}`));
    await add(journal, "kept");
    assert.ok(
      m.calls.some((c) => c.op === "rename"),
      "a compaction ran",
    );
    assert.ok(m.files.get(FILE).length < 512, `file is ${m.files.get(FILE).length} bytes`);
    await journal.close();
    assert.deepStrictEqual(texts((await Journal.open(options(m.fs))).report), ["kept"]);
  });

  it("a crash at any step of a compaction leaves the same kept jobs, and no temp file after the next open", async function () {
    class Crash extends Error {}
    for (let step = 0; step < 8; step++) {
      const m = memFs();
      const { journal } = await Journal.open(options(m.fs, { compactMinBytes: 256 }));
      const kept = [];
      for (let i = 0; i < 20; i++) {
        const seq = await add(journal, `job ${i}`);
        if (i % 5 === 0) kept.push(`job ${i}`);
        else journal.end(seq);
      }
      // Arm the crash at the step-th file call of the next compaction (it starts at the temp file's open).
      let armed = false;
      let n = 0;
      let crashed = false;
      m.setHook((c) => {
        if (c.op === "open" && c.path === tempOf(FILE)) armed = true;
        if (armed && n++ === step) {
          crashed = true;
          throw new Crash("crash");
        }
      });
      // A job whose end was not written when the process died is there again (at-least-once).
      const notEnded = [];
      for (let i = 0; i < 20; i++) {
        const seq = await add(journal, `filler ${i}`);
        if (crashed) {
          notEnded.push(`filler ${i}`);
          break;
        }
        journal.end(seq);
      }
      assert.ok(crashed, `step ${step} was reached`);
      // The process is gone: the files stay as they are now.
      const again = await Journal.open(options(memFs(new Map(m.files)).fs));
      assert.deepStrictEqual(texts(again.report), [...kept, ...notEnded], `crash at step ${step}`);
      assert.strictEqual(again.report.droppedBytes, 0);
    }
  });

  it("another fingerprint (destination or encoding changed): its jobs are dropped and counted", async function () {
    const m = memFs();
    const { journal } = await Journal.open(options(m.fs));
    await add(journal, "a");
    await add(journal, "b");
    await journal.close();
    const again = await Journal.open(options(m.fs, { fingerprint: "other" }));
    assert.deepStrictEqual(again.report, { jobs: [], droppedBytes: 0, changed: 2 });
    await again.journal.close();
  });

  it("remove: closes, deletes the file and says how many kept jobs it dropped", async function () {
    const m = memFs();
    const { journal } = await Journal.open(options(m.fs));
    await add(journal, "a");
    assert.strictEqual(await journal.remove(), 1);
    assert.ok(!m.files.has(FILE));
    assert.throws(() => journal.add(0, Buffer.alloc(0), Buffer.alloc(0), () => undefined), { reason: "closed" });
  });
});
