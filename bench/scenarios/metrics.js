// Issue 14's cost bound for metrics: the trigger's line ingest with metrics on (the default) and with
// settings.js tcpAutomation.metrics: false, side by side in one run. Rounds alternate which goes first, and
// each round's pair saw the same machine: the median of the paired ratios is the figure (target >= 0.95).
// The "on" host is scraped after each pass, so the figure is only taken when the metrics counted every line.
"use strict";
const { startHost } = require("../lib/procs");
const { triggerToCounter } = require("../lib/flows");
const { linePass } = require("../lib/line-pass");
const { freePort } = require("../../scripts/lib/free-port");

const VARIANTS = {
  "metrics on": { tcpAutomation: { metrics: true } },
  "metrics off": { tcpAutomation: { metrics: false } },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round2 = (x) => Math.round(x * 100) / 100;

/** frames_in_total of the benchmark's trigger in a scrape; undefined when it has no series (metrics off). */
function framesCounted(text) {
  const m = /^tcp_automation_frames_in_total\{[^}]*node_id="bench00000trig01"[^}]*\} (\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

async function ingest(o) {
  const clients = 8;
  const lines = o.quick ? 10000 : 50000;
  const rows = { "metrics on": [], "metrics off": [] };
  const counted = { "metrics on": [], "metrics off": [] };
  for (let round = 0; round < o.rounds; round++) {
    const order = round % 2 === 0 ? ["metrics on", "metrics off"] : ["metrics off", "metrics on"];
    for (const name of order) {
      const port = await freePort();
      const host = await startHost({ impl: "node-red", port, flows: triggerToCounter(port), settings: VARIANTS[name] });
      await linePass(host, port, clients, Math.floor(lines / 10), 100); // warm-up
      const r = await linePass(host, port, clients, lines, 100);
      const { text } = await host.call("scrape");
      await host.kill();
      rows[name].push(r);
      counted[name].push(framesCounted(text));
      o.log(
        `  ingest round ${round + 1} ${name}: ${Math.round(r.rate)} msgs/s (${r.total} lines in ${r.ms} ms, ${r.cpuUsPerMsg.toFixed(2)} µs CPU/msg; frames_in_total ${framesCounted(text) ?? "not exported"})`,
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
  const ratio = median(rows["metrics on"].map((r, i) => r.rate / rows["metrics off"][i].rate));
  // Warm-up plus measured pass: every line of both went through the trigger and was counted.
  const expected = clients * (lines + Math.floor(lines / 10));
  const countedAll = counted["metrics on"].every((n) => n === expected) && counted["metrics off"].every((n) => n === undefined);
  o.log(`  ratio metrics on / off (median of paired rounds): ${round2(ratio)}; on counted every line: ${countedAll}`);
  return {
    clients,
    linesPerClient: lines,
    lineBytes: 100,
    result,
    ratioOnVsOff: round2(ratio),
    countedEveryLine: countedAll,
    target: "metrics on >= 0.95x metrics off (msgs/s), and on counted every line",
    pass: ratio >= 0.95 && countedAll,
  };
}

module.exports = { name: "metrics", scenarios: { ingest } };
