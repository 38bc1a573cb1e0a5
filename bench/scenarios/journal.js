// Issue 15's figures: "keep queued jobs across restarts" on vs off, side by side. A burst of 2000 jobs to a
// sink (one connection per job) with the option off, on at the default sync bound (5 ms) and on with the
// strictest (0 ms: a sync as soon as the moment's jobs are in), in turns within each round so all three see
// the same machine. Disk cost per job: the journal's bytes (the job's record and its end, computed with the
// package's own encoder for the burst's message) and what the host process wrote to storage (Linux
// write_bytes: whole pages, each sync rewriting the page it ends in).
// Target: on (5 ms) keeps >= 0.5x the jobs/s of off. keepOneByOne: the same one job at a time, where no two
// jobs share a sync, to show what each bound costs a lone job. clientKeep: the tcp client (request/reply,
// pipeline 100, a device that answers at once) with the option off, on (5 ms) and on (0 ms), 2000 requests at
// once in each window; one host and device each, windows in turns within each round.
"use strict";
const path = require("path");
const flows = require("../lib/flows");
const { burstOnce, median, JOB } = require("./send");
const clientFlows = require("../lib/client-flows");
const { startHost } = require("../lib/procs");
const { requestWindow, cleanup } = require("./client");

const round2 = (x) => Math.round(x * 100) / 100;
const lib = (name) => require(path.join(__dirname, "..", "..", "dist", "nodes", "lib", name));

/** The journal bytes of one burst job: its record (bytes, id, destination, message) and its end. */
function recordBytesPerJob() {
  const { encodeJob, encodeEnd, keptMeta } = lib("journal/index.js");
  const { nextMessageId } = lib("base/msgid.js");
  const jobId = nextMessageId();
  const msg = { payload: JOB(0), seq: 0, _msgid: nextMessageId(), tcp: { jobId } };
  const meta = keptMeta(jobId, { host: "127.0.0.1", port: 65535 }, msg);
  return encodeJob(1999, Date.now(), meta, Buffer.from(JOB(0))).length + encodeEnd(1999).length;
}

async function keep(o) {
  const n = 2000;
  const OFF = "off (in memory)";
  const ON = "on, sync within 5 ms (default)";
  const STRICT = "on, sync within 0 ms";
  /** @type {Array<[string, (port: number) => object[]]>} */
  const impls = [
    [OFF, (port) => flows.sendJobs(port)],
    [ON, (port) => flows.sendJobs(port, { persist: true })],
    [STRICT, (port) => flows.sendJobs(port, { persist: true, persistSyncDelay: 0 })],
  ];
  const runs = {};
  for (let round = 0; round < o.rounds; round++) {
    for (const [name, make] of impls) {
      const r = await burstOnce(name, make, n, true);
      (runs[name] ||= []).push(r);
      o.log(`  keep round ${round + 1} ${name}: ${r.jobsPerSec} jobs/s, ${r.jobsIntact}/${n} intact, written ${r.written} bytes`);
    }
  }
  const record = recordBytesPerJob();
  const result = {};
  for (const [name, rs] of Object.entries(runs)) {
    const jps = median(rs.map((r) => r.jobsPerSec));
    const written = rs.map((r) => r.written).filter((w) => w !== undefined);
    result[name] = {
      delivered: `${Math.min(...rs.map((r) => r.jobsIntact))}/${n}`,
      inOrder: rs.every((r) => r.inOrder),
      jobsPerSec: jps,
      journalBytesPerJob: name === OFF ? 0 : record,
      storageBytesPerJob: written.length ? Math.round(median(written) / n) : "n/a",
      runs: rs.map((r) => r.jobsPerSec),
    };
  }
  const ratio = result[ON].jobsPerSec / result[OFF].jobsPerSec;
  const strict = result[STRICT].jobsPerSec / result[OFF].jobsPerSec;
  o.log(`on/off ${round2(ratio)}, strict (0 ms)/off ${round2(strict)}`);
  const allGood = Object.values(runs).every((rs) => rs.every((r) => r.jobsIntact === n && r.inOrder));
  return {
    jobs: n,
    result,
    ratioOnVsOff: round2(ratio),
    ratioStrictVsOff: round2(strict),
    target: "2000/2000 in order each way; on (5 ms) jobs/s >= 0.5x off",
    pass: allGood && ratio >= 0.5,
  };
}

/**
 * The cost of the sync bound where nothing can share a sync: one job at a time (the next made from the last
 * one's result), so each job waits for its own record on disk. Informational: the time per job is the figure.
 */
async function keepOneByOne(o) {
  const n = o.quick ? 200 : 500;
  const impls = [
    ["off (in memory)", (port) => flows.sendJobsOneByOne(port, n)],
    ["on, sync within 5 ms (default)", (port) => flows.sendJobsOneByOne(port, n, { persist: true })],
    ["on, sync within 0 ms", (port) => flows.sendJobsOneByOne(port, n, { persist: true, persistSyncDelay: 0 })],
  ];
  const runs = {};
  for (let round = 0; round < o.rounds; round++) {
    for (const [name, make] of impls) {
      const r = await burstOnce(name, make, n, true);
      (runs[name] ||= []).push(r);
      o.log(`  one by one round ${round + 1} ${name}: ${r.jobsPerSec} jobs/s, ${r.jobsIntact}/${n} intact`);
    }
  }
  const result = {};
  for (const [name, rs] of Object.entries(runs)) {
    const jps = median(rs.map((r) => r.jobsPerSec));
    result[name] = {
      delivered: `${Math.min(...rs.map((r) => r.jobsIntact))}/${n}`,
      inOrder: rs.every((r) => r.inOrder),
      jobsPerSec: jps,
      msPerJob: round2(1000 / Math.max(1, jps)),
      runs: rs.map((r) => r.jobsPerSec),
    };
  }
  const allGood = Object.values(runs).every((rs) => rs.every((r) => r.jobsIntact === n && r.inOrder));
  return { jobs: n, result, target: `${n}/${n} in order each way (the ms per job are the figure)`, pass: allGood };
}

/** The tcp client's requests with keep queued jobs off and on, side by side: each request kept before it is written. */
async function clientKeep(o) {
  const n = o.quick ? 500 : 2000;
  /** @type {Array<[string, Record<string, unknown>]>} */
  const impls = [
    ["tcp client, off (in memory)", {}],
    ["tcp client, on, sync within 5 ms (default)", { persist: true }],
    ["tcp client, on, sync within 0 ms", { persist: true, persistSyncDelay: 0 }],
  ];
  const procs = [];
  const w = {};
  try {
    const up = [];
    for (const [name, props] of impls) {
      const device = await clientFlows.startDevice({ mode: "echo", maxDelayMs: 0 });
      procs.push(device);
      const host = await startHost({ impl: "node-red", flows: clientFlows.requests("ours", device.port, { pipeline: "100", ...props }) });
      procs.push(host);
      await requestWindow(host, device, "burst", Math.ceil(n / 10)); // warm-up
      up.push([name, host, device]);
    }
    for (let round = 0; round < o.rounds; round++) {
      for (const [name, host, device] of up) {
        const r = await requestWindow(host, device, "burst", n);
        (w[name] ||= []).push(r);
        o.log(`  client keep round ${round + 1} ${name}: ${Math.round(r.rtPerSec)} requests/s, ${r.right}/${n} right, ${r.caught} caught`);
      }
    }
  } finally {
    await cleanup(procs);
  }
  const result = {};
  for (const [name, ws] of Object.entries(w)) {
    result[name] = {
      answered: `${Math.min(...ws.map((x) => x.right))}/${n}`,
      wrongReply: ws.reduce((a, x) => a + x.wrong, 0),
      silentlyDropped: ws.reduce((a, x) => a + x.dropped, 0),
      caught: ws.reduce((a, x) => a + x.caught, 0),
      requestsPerSec: Math.round(median(ws.map((x) => x.rtPerSec))),
      runs: ws.map((x) => Math.round(x.rtPerSec)),
    };
  }
  const [off, on, strict] = impls.map(([name]) => result[name].requestsPerSec);
  const ratio = on / off;
  o.log(`tcp client on/off ${round2(ratio)}, strict (0 ms)/off ${round2(strict / off)}`);
  const allGood = Object.values(w).every((ws) => ws.every((x) => x.right === n && x.wrong === 0 && x.dropped === 0 && x.caught === 0));
  return {
    requests: n,
    result,
    ratioOnVsOff: round2(ratio),
    ratioStrictVsOff: round2(strict / off),
    target: `${n}/${n} answered on their own messages each way; on (5 ms) requests/s >= 0.5x off`,
    pass: allGood && ratio >= 0.5,
  };
}

module.exports = { name: "keep queued jobs (journal)", scenarios: { keep, keepOneByOne, clientKeep } };
