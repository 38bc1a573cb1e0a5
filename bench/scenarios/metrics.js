// Issue 14's cost bound for metrics: the trigger's line ingest with metrics on (the default) and with
// settings.js tcpAutomation.metrics: false, side by side in one run (target: on >= 0.95x off, msgs/s).
//
// Each round starts one host of each and warms both up, then runs PAIRS back-to-back pairs of passes, the
// order alternating (on-off, off-on, ...), so the two passes of a pair saw the same load on the machine; the
// figure is the median of all paired ratios. Short passes in many pairs, not one long pass each: on a shared
// machine other processes take the cores in bursts, and a burst then spoils one pair, not the result.
// The "on" host is scraped at the end of each round: the figure only counts when it counted every line.
"use strict";
const { startHost } = require("../lib/procs");
const { triggerToCounter } = require("../lib/flows");
const { linePass } = require("../lib/line-pass");
const { freePort } = require("../../scripts/lib/free-port");

const ON = "metrics on";
const OFF = "metrics off";
const SETTINGS = { [ON]: { tcpAutomation: { metrics: true } }, [OFF]: { tcpAutomation: { metrics: false } } };
const PAIRS = 6;
const CLIENTS = 8;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round2 = (x) => Math.round(x * 100) / 100;

/** frames_in_total of the benchmark's trigger in a scrape; undefined when it has no series (metrics off). */
function framesCounted(text) {
  const m = /^tcp_automation_frames_in_total\{[^}]*node_id="bench00000trig01"[^}]*\} (\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

async function startVariant(name) {
  const port = await freePort();
  const host = await startHost({ impl: "node-red", port, flows: triggerToCounter(port), settings: SETTINGS[name] });
  return { host, port };
}

async function ingest(o) {
  const lines = o.quick ? 5000 : 20000;
  const warm = Math.floor(lines / 4);
  const runs = { [ON]: [], [OFF]: [] };
  const wallRatios = [];
  const cpuRatios = [];
  let countedAll = true;
  for (let round = 0; round < o.rounds; round++) {
    const hosts = { [ON]: await startVariant(ON), [OFF]: await startVariant(OFF) };
    for (const name of [ON, OFF]) await linePass(hosts[name].host, hosts[name].port, CLIENTS, warm, 100);
    for (let pair = 0; pair < PAIRS; pair++) {
      const order = (round * PAIRS + pair) % 2 === 0 ? [ON, OFF] : [OFF, ON];
      const r = {};
      for (const name of order) r[name] = await linePass(hosts[name].host, hosts[name].port, CLIENTS, lines, 100);
      for (const name of [ON, OFF]) runs[name].push(r[name]);
      wallRatios.push(r[ON].rate / r[OFF].rate);
      cpuRatios.push(r[OFF].cpuUsPerMsg / r[ON].cpuUsPerMsg);
    }
    const { text: on } = await hosts[ON].host.call("scrape");
    const { text: off } = await hosts[OFF].host.call("scrape");
    const expected = CLIENTS * (warm + PAIRS * lines);
    const ok = framesCounted(on) === expected && framesCounted(off) === undefined;
    countedAll &&= ok;
    for (const name of [ON, OFF]) await hosts[name].host.kill();
    const last = wallRatios.slice(-PAIRS).map(round2);
    o.log(
      `  ingest round ${round + 1}: ${PAIRS} pairs of ${CLIENTS * lines} lines, on/off by the wall clock ${last.join(" ")}; frames_in_total on ${framesCounted(on)} of ${expected}, off ${framesCounted(off) ?? "not exported"}`,
    );
  }
  const result = {};
  for (const [name, rs] of Object.entries(runs)) {
    result[name] = {
      msgsPerSec: Math.round(median(rs.map((r) => r.rate))),
      hostCpuUsPerMsg: round2(median(rs.map((r) => r.cpuUsPerMsg))),
      passes: rs.length,
    };
  }
  const ratio = median(wallRatios);
  const cpuRatio = median(cpuRatios);
  o.log(
    `  ratio metrics on / off (median of ${wallRatios.length} paired passes): ${round2(ratio)} msgs/s, ${round2(cpuRatio)} per host CPU second; on counted every line: ${countedAll}`,
  );
  return {
    clients: CLIENTS,
    linesPerPass: CLIENTS * lines,
    lineBytes: 100,
    pairs: wallRatios.length,
    result,
    ratioOnVsOff: round2(ratio),
    cpuRatioOnVsOff: round2(cpuRatio),
    countedEveryLine: countedAll,
    target: "metrics on >= 0.95x metrics off (msgs/s, median of paired passes), and on counted every line",
    pass: ratio >= 0.95 && countedAll,
  };
}

module.exports = { name: "metrics", scenarios: { ingest } };
