"use strict";
// send to tcp port, "keep queued jobs across restarts" (issue 15), in a real runtime: jobs for a printer that is
// down survive a restart of the flows and print in order after it; ESTALE; EPERSIST on an unwritable disk; bounds.
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const { onTab, helper, nodes, freePort, freshUserDir, journalOf, keepJobs, sleep, waitFor, recorder, errors } = require("../helpers");
const { startPrinter } = require("../helpers/printer");
const { keyed } = require("../helpers/catalog");

const NODES = [nodes.manager, keyed(nodes.send)];
const HOST = "127.0.0.1";
/** Retries long enough that a printer that is down never makes a job fail for good during a test. */
const PATIENT = { attempts: 1000, retryDelay: 50, retryMaxDelay: 100, retryWithin: 600000, drainTimeout: 0 };

function keepingNode(port, extra = {}) {
  return Object.assign({ id: "keep1", type: "send-to-tcp-port", host: HOST, port, persist: true, wires: [["out"]] }, PATIENT, extra);
}

/** Loads the flow with this user directory; the node under test, its output and its reported errors and warnings. */
async function start(userDir, node) {
  helper.settings({ userDir });
  await helper.load(NODES, onTab([node, { id: "out", type: "helper" }]));
  const send = helper.getNode(node.id);
  const warns = [];
  send.on("call:warn", (call) => warns.push(String(call.args[0])));
  return { send, out: recorder(helper.getNode("out")), errs: errors(send), warns };
}

const journal = (userDir, id = "keep1") => journalOf(userDir, id);

describe("send-to-tcp-port keeps queued jobs across restarts", function () {
  this.timeout(20000);
  let userDir;
  const printers = [];
  freshUserDir("tcpa-keep-", (d) => (userDir = d), printers);

  it("jobs for a printer that is down survive a restart of the flows and print after it, in order, with their ids", async function () {
    const port = await freePort();
    const first = await start(userDir, keepingNode(port));
    const labels = [0, 1, 2, 3, 4].map((i) => ({ payload: `label ${i}\n`, topic: `job ${i}` }));
    const ids = await keepJobs(first.send, labels, journal(userDir));
    assert.strictEqual(new Set(ids).size, 5, "each job has an id of its own");
    await helper.unload();
    assert.deepStrictEqual(first.errs, [], "kept jobs do not fail with ESTOPPED at a restart");
    assert.deepStrictEqual(first.out.msgs, []);

    const p = await startPrinter({ port });
    printers.push(p);
    const second = await start(userDir, keepingNode(port));
    const msgs = await second.out.until(5);
    assert.deepStrictEqual(
      (await p.until(5)).map((j) => j.data.toString()),
      ids.map((_, i) => `label ${i}\n`),
    );
    assert.deepStrictEqual(
      msgs.map((m) => [m.topic, m.tcp.jobId]),
      ids.map((id, i) => [`job ${i}`, id]),
    );
    assert.deepStrictEqual(second.errs, []);
    // New jobs go after the kept ones; the ended ones are off the disk.
    second.send.receive({ payload: "new\n" });
    await p.until(6);
    await helper.unload();
    assert.strictEqual(p.jobs.length, 6);
    const third = await start(userDir, keepingNode(port));
    await sleep(200);
    assert.strictEqual(p.jobs.length, 6, "nothing is sent again");
    assert.deepStrictEqual(third.warns, []);
  });

  it("a kept job older than the age bound fails at start with ESTALE and its message, to Catch; it is not sent", async function () {
    const port = await freePort();
    const first = await start(userDir, keepingNode(port, { persistMaxAge: 1 }));
    first.send.receive({ payload: "yesterday\n", topic: "old" });
    await sleep(100);
    await helper.unload();
    await sleep(1200);
    const p = await startPrinter({ port });
    printers.push(p);
    const second = await start(userDir, keepingNode(port, { persistMaxAge: 1 }));
    await waitFor(() => second.errs.length === 1, "the ESTALE error");
    assert.strictEqual(second.errs[0].err.code, "ESTALE");
    assert.match(String(second.errs[0].err), /errors\.stale .*"age":1,"limit":1/);
    assert.strictEqual(second.errs[0].msg.topic, "old");
    await sleep(200);
    assert.strictEqual(p.jobs.length, 0);
  });

  it("a disk it cannot write: each new job fails with EPERSIST, the node goes on running", async function () {
    const notADir = path.join(userDir, "file");
    fs.writeFileSync(notADir, "");
    const p = await startPrinter();
    printers.push(p);
    const { send, errs } = await start(notADir, keepingNode(p.port));
    send.receive({ payload: "a\n", topic: "a" });
    send.receive({ payload: "b\n", topic: "b" });
    await waitFor(() => errs.filter((e) => e.msg).length === 2, "two failed jobs");
    const jobs = errs.filter((e) => e.msg);
    assert.deepStrictEqual(
      jobs.map((e) => [e.err.code, e.msg.topic]),
      [
        ["EPERSIST", "a"],
        ["EPERSIST", "b"],
      ],
    );
    assert.match(String(jobs[0].err), /errors\.persist\.io .*ENOTDIR/);
    assert.strictEqual(p.jobs.length, 0);
  });

  it("bounds: past 'keep at most' jobs a new one fails with EPERSIST at once; the kept ones are sent", async function () {
    const port = await freePort();
    const { send, errs } = await start(userDir, keepingNode(port, { persistMaxJobs: 2 }));
    for (const t of ["a", "b", "c"]) send.receive({ payload: `${t}\n`, topic: t });
    await waitFor(() => errs.length === 1, "the third job's error");
    assert.strictEqual(errs[0].err.code, "EPERSIST");
    assert.strictEqual(errs[0].msg.topic, "c");
    assert.match(String(errs[0].err), /errors\.persist\.full-jobs .*"limit":2/);
    const p = await startPrinter({ port });
    printers.push(p);
    assert.deepStrictEqual(
      (await p.until(2)).map((j) => j.data.toString()),
      ["a\n", "b\n"],
    );
  });

  it("a redeploy with another destination drops the kept jobs and says how many", async function () {
    const port = await freePort();
    const first = await start(userDir, keepingNode(port));
    for (const t of ["a", "b", "c"]) first.send.receive({ payload: `${t}\n` });
    await sleep(100);
    await helper.unload();
    const p = await startPrinter();
    printers.push(p);
    const second = await start(userDir, keepingNode(p.port));
    await waitFor(() => second.warns.length === 1, "the warning");
    assert.match(second.warns[0], /warn\.journal-changed \{"count":3\}/);
    await sleep(200);
    assert.strictEqual(p.jobs.length, 0);
  });

  it("the option turned off: the kept jobs are dropped with a warning that counts them, and the journal deleted", async function () {
    const port = await freePort();
    const first = await start(userDir, keepingNode(port));
    for (const t of ["a", "b"]) first.send.receive({ payload: `${t}\n` });
    await sleep(100);
    await helper.unload();
    const second = await start(userDir, keepingNode(port, { persist: false }));
    await waitFor(() => second.warns.length === 1, "the warning");
    assert.match(second.warns[0], /warn\.journal-off \{"count":2\}/);
    assert.ok(!fs.existsSync(journal(userDir)));
  });

  it("deleting the node (close with removed): its journal is deleted; the jobs that were waiting end with ESTOPPED", async function () {
    const port = await freePort();
    const { send, errs } = await start(userDir, keepingNode(port));
    await keepJobs(
      send,
      ["a", "b"].map((t) => ({ payload: `${t}\n`, topic: t })),
      journal(userDir),
    );
    await send.close(true);
    assert.ok(!fs.existsSync(journal(userDir)), "the journal is gone");
    assert.deepStrictEqual(
      errs.map((e) => [e.err.code, e.msg.topic]),
      [
        ["ESTOPPED", "a"],
        ["ESTOPPED", "b"],
      ],
    );
  });

  it("a damaged end of the journal (power cut mid-write): dropped with a warning, the good jobs print", async function () {
    const port = await freePort();
    const first = await start(userDir, keepingNode(port));
    for (const t of ["a", "b"]) first.send.receive({ payload: `${t}\n` });
    await sleep(100);
    await helper.unload();
    fs.appendFileSync(journal(userDir), Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 74, 9, 9]));
    const p = await startPrinter({ port });
    printers.push(p);
    const second = await start(userDir, keepingNode(port));
    assert.deepStrictEqual(
      (await p.until(2)).map((j) => j.data.toString()),
      ["a\n", "b\n"],
    );
    assert.strictEqual(second.warns.length, 1);
    assert.match(second.warns[0], /warn\.journal-damaged \{"bytes":11,"count":2\}/);
  });
});
