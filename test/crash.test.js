"use strict";
// Issue 15's crash test, short (the soak runs the long one): a real Node-RED keeping its queued jobs on disk,
// killed with SIGKILL three times while two busy-refusing printers print 300 jobs, restarted each time with
// the same user dir. Every job is printed, each printer's in job order, none lost; a job printed twice was
// printed right before a kill and again first after the restart (counted and printed here).
const assert = require("assert");
const { crashRun, clientCrashRun } = require("../scripts/lib/crash-run");

describe("kept jobs through crashes (SIGKILL)", function () {
  this.timeout(120000);

  it("300 jobs, 3 kills at random points: 0 lost, in order per printer, duplicates only at a kill", async function () {
    const r = await crashRun({ jobs: 300, kills: 3, seed: 15, log: (line) => console.log(`      ${line}`) });
    console.log(
      `      printed ${r.printed} for 300 jobs: ${r.duplicates.length} duplicate(s) ${JSON.stringify(r.duplicates)}, ${r.empty} connection(s) cut before any byte`,
    );
    assert.deepStrictEqual(r.lost, [], "lost");
    assert.deepStrictEqual(r.garbled, [], "jobs printed in part");
    assert.deepStrictEqual(r.outOfOrder, [], "out of order");
    assert.deepStrictEqual(r.unexplained, [], "duplicates not explained by a kill");
    assert.ok(r.duplicates.length <= 3 * 2, `at most one per printer and kill (${r.duplicates.length})`);
  });
});

describe("the tcp client's kept jobs through crashes (SIGKILL)", function () {
  this.timeout(120000);

  it("request: 200 requests, 2 kills while they go out and come back: 0 lost, in order, duplicates only right after a kill", async function () {
    const r = await clientCrashRun({ jobs: 200, kills: 2, seed: 15, log: (line) => console.log(`      ${line}`) });
    console.log(`      received ${r.printed} for 200 requests: ${r.duplicates.length} duplicate(s) ${JSON.stringify(r.duplicates)}`);
    assert.deepStrictEqual(r.lost, [], "lost");
    assert.deepStrictEqual(r.garbled, [], "cut lines");
    assert.deepStrictEqual(r.outOfOrder, [], "out of order");
    assert.deepStrictEqual(r.unexplained, [], "duplicates not explained by a kill");
  });

  it("stream: 150 writes of 64 kB to a device that reads slowly, 2 kills mid-stream: 0 lost, in order, duplicates only right after a kill", async function () {
    const r = await clientCrashRun({ jobs: 150, kills: 2, seed: 15, mode: "stream", log: (line) => console.log(`      ${line}`) });
    console.log(`      received ${r.printed} for 150 writes: ${r.duplicates.length} duplicate(s) ${JSON.stringify(r.duplicates)}`);
    assert.deepStrictEqual(r.lost, [], "lost");
    assert.deepStrictEqual(r.garbled, [], "lines of the wrong length");
    assert.deepStrictEqual(r.outOfOrder, [], "out of order");
    assert.deepStrictEqual(r.unexplained, [], "duplicates not explained by a kill");
  });
});
