"use strict";
// tcp client, "keep queued jobs across restarts" (issue 15), in a real runtime over real sockets: writes and
// requests queued while the device is down survive a restart of the flows and go out after it, in order, with
// their ids; ESTALE at start; EPERSIST past the bounds and on a disk it cannot write; a changed device, mode or
// encoding drops the kept jobs with a warning; the option off or the node deleted deletes the journal.
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const catchNode = require("@node-red/nodes/core/common/25-catch.js");
const completeNode = require("@node-red/nodes/core/common/24-complete.js");
const { helper, nodes, freePort, freshUserDir, journalOf, keepJobs, sleep, waitFor, errors } = require("../helpers");
const { device } = require("../helpers/device");
const { keyed } = require("../helpers/catalog");
const { loadClient, endings } = require("../helpers/client");

const NODES = [nodes.manager, keyed(nodes.client), catchNode, completeNode];

/** Loads client "cl" keeping its jobs under userDir; also its warnings and the errors it reports with a message. */
async function start(userDir, props) {
  helper.settings({ userDir });
  const t = await loadClient(NODES, Object.assign({ persist: true, maxAge: 0 }, props));
  t.warns = [];
  t.cl.on("call:warn", (call) => t.warns.push(String(call.args[0])));
  t.errs = errors(t.cl);
  return t;
}

const journal = (userDir) => journalOf(userDir, "cl");

/** A device that answers each line "ok <line>". */
const answering = (port) =>
  device({
    port,
    onData: (c, chunk) => {
      for (const line of chunk.toString("latin1").split("\n").slice(0, -1)) c.socket.write(`ok ${line}\n`);
    },
  });

describe("tcp-client-link keeps queued jobs across restarts", function () {
  this.timeout(20000);
  let userDir;
  const devices = [];
  freshUserDir("tcpa-ckeep-", (d) => (userDir = d), devices);

  it("stream: writes queued while the device is down survive a restart and go out after it, in order, past a smaller queue; nothing twice", async function () {
    const port = await freePort();
    const first = await start(userDir, { port: String(port) });
    const lines = [0, 1, 2, 3, 4].map((i) => ({ payload: `line ${i}\n` }));
    const ids = await keepJobs(first.cl, lines, journal(userDir));
    assert.strictEqual(new Set(ids).size, 5, "each job has an id of its own");
    await helper.unload();
    assert.deepStrictEqual(first.errs, [], "kept jobs do not fail with ESTOPPED at a restart");
    assert.deepStrictEqual(first.caught.msgs, []);

    const dev = await device({ port });
    devices.push(dev);
    // A queue of 2 now: the 5 kept jobs were accepted before, so they go past it.
    const second = await start(userDir, { port: String(port), maxQueue: 2 });
    await waitFor(() => dev.received().toString().split("\n").length > 5, "the 5 kept lines");
    // New writes go after the kept ones; the ended ones are off the disk.
    second.cl.receive({ payload: "new\n" });
    await second.completed.until(1);
    // done() says the kernel took the bytes, not that the device read them yet.
    await waitFor(() => dev.received().toString().endsWith("new\n"), "the new line at the device");
    assert.deepStrictEqual(dev.received().toString().split("\n").slice(0, -1), ["line 0", "line 1", "line 2", "line 3", "line 4", "new"]);
    assert.deepStrictEqual(second.errs, []);
    await sleep(50);
    await helper.unload();
    const third = await start(userDir, { port: String(port) });
    await sleep(300);
    assert.strictEqual(dev.received().toString(), "line 0\nline 1\nline 2\nline 3\nline 4\nnew\n", "nothing is sent again");
    assert.deepStrictEqual(third.warns, []);
  });

  it("request: requests kept from before the restart are answered after it, on their own messages with their ids", async function () {
    const port = await freePort();
    const props = { port: String(port), mode: "request", replyProperty: "reply" };
    const first = await start(userDir, props);
    const ids = await keepJobs(
      first.cl,
      [0, 1, 2].map((i) => ({ payload: `q${i}\n`, topic: `t${i}` })),
      journal(userDir),
    );
    await helper.unload();
    devices.push(await answering(port));
    const second = await start(userDir, props);
    second.cl.receive({ payload: "q3\n", topic: "t3" });
    const got = await second.out.until(4);
    assert.deepStrictEqual(
      got.map((m) => [m.topic, m.reply, m.tcp.jobId]),
      [
        ["t0", "ok q0", ids[0]],
        ["t1", "ok q1", ids[1]],
        ["t2", "ok q2", ids[2]],
        ["t3", "ok q3", got[3].tcp.jobId],
      ],
    );
    assert.ok(!ids.includes(got[3].tcp.jobId));
    assert.deepStrictEqual(second.errs, []);
  });

  it("a kept job older than the age bound fails at start with ESTALE and its message, to Catch; it is not sent", async function () {
    const port = await freePort();
    const first = await start(userDir, { port: String(port), persistMaxAge: 1 });
    first.cl.receive({ payload: "yesterday\n", topic: "old" });
    await sleep(100);
    await helper.unload();
    await sleep(1200);
    const dev = await device({ port });
    devices.push(dev);
    const second = await start(userDir, { port: String(port), persistMaxAge: 1 });
    await waitFor(() => second.errs.length === 1, "the ESTALE error");
    assert.strictEqual(second.errs[0].err.code, "ESTALE");
    assert.match(String(second.errs[0].err), /errors\.stale .*"age":1,"limit":1/);
    assert.strictEqual(second.errs[0].msg.topic, "old");
    await waitFor(() => second.caught.msgs.length === 1, "Catch got it");
    await sleep(200);
    assert.strictEqual(dev.received().length, 0);
  });

  it("bounds: past 'keep at most' a new job fails with EPERSIST at once; a disk it cannot write fails each with EPERSIST", async function () {
    const port = await freePort();
    const first = await start(userDir, { port: String(port), persistMaxJobs: 2 });
    const ends = endings(first.cl);
    for (const t of ["a", "b", "c"]) first.cl.receive({ payload: `${t}\n`, topic: t });
    await waitFor(() => ends.failed.length === 1, "the third job's error");
    assert.strictEqual(ends.failed[0].err.code, "EPERSIST");
    assert.strictEqual(ends.failed[0].msg.topic, "c");
    assert.match(String(ends.failed[0].err), /errors\.persist\.full-jobs .*"limit":2/);
    const dev = await device({ port });
    devices.push(dev);
    await waitFor(() => dev.received().toString() === "a\nb\n", "the kept two");
    await helper.unload();

    const notADir = path.join(userDir, "file");
    fs.writeFileSync(notADir, "");
    const second = await start(notADir, { port: String(port) });
    const ends2 = endings(second.cl);
    second.cl.receive({ payload: "x\n", topic: "x" });
    second.cl.receive({ payload: "y\n", topic: "y" });
    await waitFor(() => ends2.failed.length === 2, "two failed jobs");
    assert.deepStrictEqual(
      ends2.failed.map((e) => [e.err.code, e.msg.topic]),
      [
        ["EPERSIST", "x"],
        ["EPERSIST", "y"],
      ],
    );
    assert.match(String(ends2.failed[0].err), /errors\.persist\.io .*ENOTDIR/);
    await sleep(100);
    assert.strictEqual(dev.received().toString(), "a\nb\n", "nothing of theirs was sent");
    assert.ok(
      second.errs.some((e) => e.err.code === "EPERSIST" && e.msg === undefined),
      "the journal that did not open is reported once",
    );
  });

  it("a redeploy with another device, mode or encoding drops the kept jobs and says how many", async function () {
    const port = await freePort();
    const dev = await device();
    devices.push(dev);
    /** @type {Array<{ change: Record<string, string>, n: number }>} */
    const cases = [
      { change: { port: String(dev.port) }, n: 3 },
      { change: { port: String(port), mode: "request" }, n: 2 },
      { change: { port: String(port), inputEncoding: "latin1" }, n: 1 },
    ];
    for (const { change, n } of cases) {
      const first = await start(userDir, { port: String(port) });
      for (let i = 0; i < n; i++) first.cl.receive({ payload: `${i}\n` });
      await sleep(100);
      await helper.unload();
      const second = await start(userDir, change);
      await waitFor(() => second.warns.length === 1, "the warning");
      assert.match(second.warns[0], new RegExp(`warn\\.journal-changed \\{"count":${n}\\}`));
      await helper.unload();
    }
    assert.strictEqual(dev.received().length, 0);
  });

  it("the option turned off drops the kept jobs with a warning; deleting the node deletes its journal (jobs end ESTOPPED)", async function () {
    const port = await freePort();
    const first = await start(userDir, { port: String(port) });
    for (const t of ["a", "b"]) first.cl.receive({ payload: `${t}\n` });
    await sleep(100);
    await helper.unload();
    const second = await start(userDir, { port: String(port), persist: false });
    await waitFor(() => second.warns.length === 1, "the warning");
    assert.match(second.warns[0], /warn\.journal-off \{"count":2\}/);
    assert.ok(!fs.existsSync(journal(userDir)));
    await helper.unload();

    const third = await start(userDir, { port: String(port) });
    const ends = endings(third.cl);
    await keepJobs(
      third.cl,
      ["c", "d"].map((t) => ({ payload: `${t}\n`, topic: t })),
      journal(userDir),
    );
    await third.cl.close(true);
    assert.ok(!fs.existsSync(journal(userDir)), "the journal is gone");
    assert.deepStrictEqual(
      ends.failed.map((e) => [e.err.code, e.msg.topic]),
      [
        ["ESTOPPED", "c"],
        ["ESTOPPED", "d"],
      ],
    );
  });
});
