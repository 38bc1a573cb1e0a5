// Issue 3's figures: a burst of 2000 jobs to a sink that counts one job per
// connection (ours, core tcp out, core tcp request, plain Node.js one after
// another), and a request/reply loop through a function node (ours vs core).
"use strict";
const { startHost, startClient } = require("../lib/procs");
const flows = require("../lib/flows");
const { freePort } = require("../../scripts/free-port");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round2 = (x) => Math.round(x * 100) / 100;
const JOB = (i) => `job-${String(i).padStart(6, "0")}\n`;

/** Waits until the sink has n jobs, or its count stops moving for `quietMs`. */
async function settle(sinkProc, n, quietMs, maxMs) {
  const end = Date.now() + maxMs;
  for (;;) {
    const s = await sinkProc.call("stats");
    if (s.jobs >= n || Date.now() - s.lastAt > quietMs || Date.now() > end) return s;
    await sleep(20);
  }
}

/** Checks what the sink received: count, one job per connection, order. */
async function verify(sinkProc, n) {
  const { jobs } = await sinkProc.call("jobs");
  let exact = 0;
  let inOrder = true;
  let bytes = 0;
  for (let i = 0; i < jobs.length; i++) {
    bytes += jobs[i].length;
    if (jobs[i] === JOB(i)) exact++;
    else inOrder = false;
  }
  return { connections: jobs.length, jobsIntact: exact, inOrder: inOrder && jobs.length === n, bytesReceived: bytes, bytesExpected: n * JOB(0).length };
}

async function burstOnce(name, makeFlow, n, hasOutput) {
  const sinkProc = startClient({ mode: "sink" });
  const { port } = await sinkProc.wait("listening");
  const host = await startHost({ impl: "node-red", flows: makeFlow(port) });
  if (hasOutput) await host.call("target", { n });
  const t0 = Date.now();
  await host.call("burst", { n });
  let doneAt;
  if (hasOutput) {
    const reached = await host.wait("reached", 120000);
    doneAt = reached.lastAt;
    await settle(sinkProc, n, 500, 5000);
  } else {
    const s = await settle(sinkProc, n, 2000, 60000);
    doneAt = s.lastAt;
  }
  const v = await verify(sinkProc, n);
  await host.kill();
  await sinkProc.kill();
  return Object.assign({ ms: doneAt - t0, jobsPerSec: Math.round((v.jobsIntact / Math.max(1, doneAt - t0)) * 1000) }, v);
}

async function plainOnce(n) {
  const sinkProc = startClient({ mode: "sink" });
  const { port } = await sinkProc.wait("listening");
  const c = startClient({ mode: "sequential-jobs", port, n });
  const done = await c.wait("done", 120000);
  await settle(sinkProc, n, 500, 5000);
  const v = await verify(sinkProc, n);
  await c.kill();
  await sinkProc.kill();
  return Object.assign({ ms: done.ms, jobsPerSec: Math.round((v.jobsIntact / done.ms) * 1000) }, v);
}

async function burst(o) {
  const n = 2000;
  const impls = [
    ["send-to-tcp-port", () => burstOnce("ours", flows.sendJobs, n, true)],
    ["plain Node.js client", () => plainOnce(n)],
    ["core tcp out (client, close)", () => burstOnce("core tcp out", flows.coreTcpOutJobs, n, false)],
    ["core tcp request (close immediately)", () => burstOnce("core tcp request", flows.coreTcpRequestJobs, n, false)],
  ];
  const runs = {};
  for (let round = 0; round < o.rounds; round++) {
    for (const [name, run] of impls) {
      if (round > 0 && name.startsWith("core")) continue; // their loss is the point; one run shows it
      const r = await run();
      (runs[name] ||= []).push(r);
      o.log(`  burst round ${round + 1} ${name}: ${JSON.stringify(r)}`);
    }
  }
  const result = {};
  for (const [name, rs] of Object.entries(runs)) {
    const best = rs[rs.indexOf(rs.find((r) => r.jobsPerSec === median(rs.map((x) => x.jobsPerSec))))];
    result[name] = {
      delivered: `${best.jobsIntact}/${n}`,
      connections: best.connections,
      inOrder: best.inOrder,
      jobsPerSec: best.jobsPerSec,
      bytesReceived: best.bytesReceived,
    };
  }
  const ours = runs["send-to-tcp-port"];
  const plain = runs["plain Node.js client"];
  const ratio = median(ours.map((r) => r.jobsPerSec)) / median(plain.map((r) => r.jobsPerSec));
  const allGood = ours.every((r) => r.jobsIntact === n && r.connections === n && r.inOrder);
  return { jobs: n, result, ratioVsPlain: round2(ratio), target: "2000/2000, own connection each, in order; jobs/s >= 0.7x plain", pass: allGood && ratio >= 0.7 };
}

async function rrOnce(makeFlow, clients, perClient) {
  const port = await freePort();
  const host = await startHost({ impl: "node-red", flows: makeFlow(port) });
  const c = startClient({ mode: "round-trips", port, clients, perClient: Math.floor(perClient / 10) });
  await c.wait("connected");
  c.send({ go: true });
  await c.wait("done", 120000); // warm-up
  await c.kill();
  const m = startClient({ mode: "round-trips", port, clients, perClient });
  await m.wait("connected");
  const cpu0 = (await host.call("cpu")).cpuMs;
  m.send({ go: true });
  const done = await m.wait("done", 300000);
  const cpu1 = (await host.call("cpu")).cpuMs;
  await m.kill();
  await host.kill();
  return {
    rtPerSec: Math.round((done.roundTrips / done.ms) * 1000),
    p50ms: round2(done.p50),
    p99ms: round2(done.p99),
    hostCpuUsPerRt: round2(((cpu1 - cpu0) * 1000) / done.roundTrips),
    roundTrips: done.roundTrips,
  };
}

async function replyLoop(o) {
  const clients = 8;
  const perClient = o.quick ? 500 : 4000;
  const runs = { "trigger + send-to-tcp-port (reply)": [], "core tcp in + tcp out (reply)": [] };
  for (let round = 0; round < o.rounds; round++) {
    for (const [name, make] of [
      ["trigger + send-to-tcp-port (reply)", flows.ourReplyLoop],
      ["core tcp in + tcp out (reply)", flows.coreReplyLoop],
    ]) {
      const r = await rrOnce(make, clients, perClient);
      runs[name].push(r);
      o.log(`  reply loop round ${round + 1} ${name}: ${JSON.stringify(r)}`);
    }
  }
  const result = {};
  for (const [name, rs] of Object.entries(runs)) {
    result[name] = {
      roundTripsPerSec: median(rs.map((r) => r.rtPerSec)),
      p50ms: median(rs.map((r) => r.p50ms)),
      p99ms: median(rs.map((r) => r.p99ms)),
      hostCpuUsPerRt: median(rs.map((r) => r.hostCpuUsPerRt)),
      runs: rs.map((r) => r.rtPerSec),
    };
  }
  const ours = result["trigger + send-to-tcp-port (reply)"];
  const core = result["core tcp in + tcp out (reply)"];
  // Rounds alternate ours/core, so each pair saw the same machine: the median of the paired ratios is the figure.
  const ratio = median(runs["trigger + send-to-tcp-port (reply)"].map((r, i) => r.rtPerSec / runs["core tcp in + tcp out (reply)"][i].rtPerSec));
  return {
    clients,
    roundTripsPerClient: perClient,
    result,
    ratioVsCore: round2(ratio),
    target: "round trips/s >= 1.0x core, p99 not worse",
    pass: ratio >= 1.0 && ours.p99ms <= core.p99ms,
  };
}

module.exports = { name: "send-to-tcp-port", scenarios: { burst, replyLoop } };
