"use strict";
// What a kept job stores of its message, and the jobs found at start: those past the age bound apart (ESTALE),
// a journal that cannot be opened failing each new job with EPERSIST.
const assert = require("assert");
const { lib } = require("../../helpers");
const { memFs } = require("../journal/mem-fs");
const { Keeper, StaleError, journalFile, msgToJson, parseWithBuffers } = lib("outbound/index.js");

const FILE = "/u/tcp-automation/journal/n.log";
const BOUNDS = { maxJobs: 100, maxBytes: 1 << 20, maxAgeMs: 60000, syncDelayMs: 0 };

function keep(keeper, jobId, data, msg) {
  return new Promise((resolve, reject) =>
    keeper.keep(jobId, { host: "10.0.0.5", port: 9100 }, Buffer.from(data), msg, (err, seq) => (err ? reject(err) : resolve(seq))),
  );
}

describe("kept jobs", function () {
  it("a message as kept: JSON's properties, Buffers at any depth as Buffers; functions and circular ones left out", function () {
    const circular = { a: 1 };
    circular.self = circular;
    const msg = {
      _msgid: "m1",
      topic: "t",
      payload: Buffer.from([0, 1, 2, 255]),
      nested: { b: Buffer.from("x"), list: [1, "two", null] },
      fn: () => 1,
      req: circular,
      missing: undefined,
      tcp: { jobId: "j1" },
    };
    const back = parseWithBuffers(msgToJson(msg));
    assert.deepStrictEqual(back, {
      _msgid: "m1",
      topic: "t",
      payload: Buffer.from([0, 1, 2, 255]),
      nested: { b: Buffer.from("x"), list: [1, "two", null] },
      tcp: { jobId: "j1" },
    });
  });

  it("journalFile: under the user dir, one file per node id, the id made safe as a file name", function () {
    assert.strictEqual(journalFile("/data", "a1b2.c3"), "/data/tcp-automation/journal/a1b2.c3.log");
    assert.strictEqual(journalFile("/data", "../x/y"), "/data/tcp-automation/journal/.._x_y.log");
  });

  it("open: kept jobs come back with id, destination, bytes and message; those past the age bound are ESTALE and ended", async function () {
    const m = memFs();
    let now = 1_000_000;
    const first = new Keeper({ ...BOUNDS, file: FILE, fingerprint: "fp", fs: m.fs, now: () => now });
    await first.open();
    await keep(first, "old", "A", { topic: "old" });
    now += 50_000;
    await keep(first, "new", "B", { topic: "new", payload: Buffer.from("B") });
    await first.close(false);
    now += 20_000;
    const second = new Keeper({ ...BOUNDS, file: FILE, fingerprint: "fp", fs: m.fs, now: () => now });
    const at = await second.open();
    assert.deepStrictEqual(
      at.jobs.map((j) => [j.jobId, j.dest, j.data.toString(), j.msg]),
      [["new", { host: "10.0.0.5", port: 9100 }, "B", { topic: "new", payload: Buffer.from("B") }]],
    );
    assert.strictEqual(at.stale.length, 1);
    assert.strictEqual(at.stale[0].job.jobId, "old");
    assert.ok(at.stale[0].err instanceof StaleError);
    assert.deepStrictEqual(at.stale[0].err.catalog(), { key: "stale", subs: { age: 70, limit: 60 } });
    await second.close(false);
    const third = new Keeper({ ...BOUNDS, file: FILE, fingerprint: "fp", fs: m.fs, now: () => now });
    assert.deepStrictEqual(
      (await third.open()).jobs.map((j) => j.jobId),
      ["new"],
      "the stale job was ended",
    );
  });

  it("a close while the journal opens waits for it: the file is closed (or deleted) all the same", async function () {
    const m = memFs();
    const keeper = new Keeper({ ...BOUNDS, file: FILE, fingerprint: "fp", fs: m.fs });
    const opened = keeper.open();
    assert.strictEqual(await keeper.close(true), 0);
    await opened;
    assert.ok(!m.files.has(FILE), "deleted");
    assert.ok(m.calls.some((c) => c.op === "close"));
  });

  it("a journal that cannot be opened: open rejects with EPERSIST, and so does every job after", async function () {
    const m = memFs();
    m.setHook((c) => {
      if (c.op === "mkdir") throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    });
    const keeper = new Keeper({ ...BOUNDS, file: FILE, fingerprint: "fp", fs: m.fs });
    await assert.rejects(keeper.open(), { code: "EPERSIST", reason: "io" });
    await assert.rejects(keep(keeper, "j", "x", {}), (/** @type {any} */ err) => {
      assert.strictEqual(err.code, "EPERSIST");
      assert.match(err.cause.message, /EACCES/);
      return true;
    });
  });
});
