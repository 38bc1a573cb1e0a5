// Issue 2's three figures: line throughput, memory per idle connection, and a
// delimiter-less flood beside a well-behaved client. Ours, core `tcp in` and a
// plain Node.js net server, same workload, same run.
"use strict";
const { startHost, startClient } = require("../lib/procs");
const { triggerToCounter, coreTcpInToCounter } = require("../lib/flows");
const { freePort } = require("../../scripts/lib/free-port");
const { linePass } = require("../lib/line-pass");

const IMPLS = {
  "tcp-server-trigger": (port) => ({ impl: "node-red", port, flows: triggerToCounter(port) }),
  "core tcp in": (port) => ({ impl: "node-red", port, flows: coreTcpInToCounter(port) }),
  "plain net server": (port) => ({ impl: "raw", port }),
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function throughput(o) {
  const clients = 8;
  const lines = o.quick ? 10000 : 50000;
  const rows = {};
  for (let round = 0; round < o.rounds; round++) {
    for (const [name, make] of Object.entries(IMPLS)) {
      const port = await freePort();
      const host = await startHost(make(port));
      await linePass(host, port, clients, Math.floor(lines / 10), 100); // warm-up
      const r = await linePass(host, port, clients, lines, 100);
      await host.kill();
      (rows[name] ||= []).push(r);
      o.log(
        `  throughput round ${round + 1} ${name}: ${Math.round(r.rate)} msgs/s (${r.total} lines in ${r.ms} ms, ${r.cpuUsPerMsg.toFixed(2)} µs CPU/msg)`,
      );
    }
  }
  const result = {};
  for (const [name, runs] of Object.entries(rows)) {
    result[name] = {
      msgsPerSec: Math.round(median(runs.map((r) => r.rate))),
      hostCpuUsPerMsg: round2(median(runs.map((r) => r.cpuUsPerMsg))),
      runs: runs.map((r) => Math.round(r.rate)),
    };
  }
  // Rounds alternate the implementations, so each pair saw the same machine: the median of the paired ratios is the figure.
  const ratio = median(rows["tcp-server-trigger"].map((r, i) => r.rate / rows["core tcp in"][i].rate));
  return {
    clients,
    linesPerClient: lines,
    lineBytes: 100,
    lines: clients * lines,
    result,
    ratioVsCore: round2(ratio),
    target: ">= 1.1",
    pass: ratio >= 1.1,
  };
}

/** Opens n idle connections, waits until the host holds them all, closes them, waits until it let them all go. */
async function idleWave(host, port, n, base) {
  const client = startClient({ mode: "idle", port, n });
  await client.wait("connected", 120000);
  let during;
  for (let i = 0; i < 400; i++) {
    during = await host.call("memory");
    if (during.tcpHandles >= base.tcpHandles + n) break;
    await sleep(50);
  }
  await sleep(300);
  during = await host.call("memory");
  client.send({ close: true });
  await client.wait("closed");
  let after;
  for (let i = 0; i < 400; i++) {
    after = await host.call("memory");
    if (after.tcpHandles <= base.tcpHandles) break;
    await sleep(50);
  }
  await sleep(500);
  after = await host.call("memory");
  await client.kill();
  return { during, after };
}

async function idle(o) {
  const n = o.quick ? 1000 : 5000;
  const result = {};
  for (const [name, make] of Object.entries(IMPLS)) {
    const port = await freePort();
    const host = await startHost(make(port));
    const before = await host.call("memory");
    const w1 = await idleWave(host, port, n, before);
    // A second wave shows the memory of the first is reused, not leaked.
    const w2 = await idleWave(host, port, n, before);
    await host.kill();
    result[name] = {
      connectionsHeld: w1.during.tcpHandles - before.tcpHandles,
      rssPerConnectionBytes: Math.round((w1.during.rss - before.rss) / n),
      heapPerConnectionBytes: Math.round((w1.during.heapUsed - before.heapUsed) / n),
      heapAfterCloseMinusBeforeKB: Math.round((w1.after.heapUsed - before.heapUsed) / 1024),
      rssAfterCloseMinusBeforeMB: round2((w1.after.rss - before.rss) / 1048576),
      // Reuse: holding the same connections again takes no more memory than the first time. (RSS after close
      // moves by several MB either way with the allocator, for the plain net server too: not a leak signal.)
      rssSecondPeakMinusFirstPeakMB: round2((w2.during.rss - w1.during.rss) / 1048576),
      heapAfterSecondCloseMinusBeforeKB: Math.round((w2.after.heapUsed - before.heapUsed) / 1024),
    };
    o.log(`  idle ${name}: ${JSON.stringify(result[name])}`);
  }
  const ours = result["tcp-server-trigger"];
  return {
    connections: n,
    result,
    target: "<= 6144 bytes RSS per connection; heap back after close; a second wave reuses the memory",
    pass:
      ours.rssPerConnectionBytes <= 6144 &&
      ours.connectionsHeld === n &&
      ours.heapAfterCloseMinusBeforeKB < 1024 &&
      ours.heapAfterSecondCloseMinusBeforeKB < 1024 &&
      ours.rssSecondPeakMinusFirstPeakMB < 5,
  };
}

/**
 * impls and oursName: another set of flows to flood (traffic.js floods the trigger with the traffic view on).
 * @param {any} o
 * @param {Record<string, (port: number) => any>} [impls]
 * @param {string} [oursName]
 */
async function flood(o, impls = IMPLS, oursName = "tcp-server-trigger") {
  const bytes = o.quick ? 50 * 1048576 : 300 * 1048576;
  const result = {};
  for (const [name, make] of Object.entries(impls)) {
    if (name === "plain net server") continue;
    const port = await freePort();
    const host = await startHost(make(port));
    const before = await host.call("memory");
    await host.call("sample-start");
    const maxMs = name === "core tcp in" ? 30000 : 120000;
    const client = startClient({ mode: "flood", port, bytes, maxMs });
    const done = await client.wait("done", maxMs + 60000);
    const peak = await host.call("sample-stop");
    const count = await host.call("count");
    await client.kill();
    await host.kill();
    result[name] = {
      floodBytesOffered: done.floodBytes,
      floodCutOff: done.cuts,
      floodSeconds: round2(done.ms / 1000),
      normalLinesSent: done.linesSent,
      normalLinesReceived: count.normalLines,
      // The flood connections' last bytes, sent as a frame when they close (as documented): not lines.
      otherMessages: count.count - count.normalLines,
      peakRssGrowthMB: round2((peak.peakRss - before.rss) / 1048576),
    };
    o.log(`  flood ${name}: ${JSON.stringify(result[name])}`);
  }
  const ours = result[oursName];
  return {
    floodBytes: bytes,
    result,
    target: "RSS growth <= 64 MB, flood cut off, every normal line arrives once",
    pass: ours.peakRssGrowthMB <= 64 && ours.floodCutOff > 0 && ours.normalLinesReceived === ours.normalLinesSent,
  };
}

function round2(x) {
  return Math.round(x * 100) / 100;
}

module.exports = { name: "tcp-server-trigger", scenarios: { throughput, idle, flood }, idleWave, flood };
