// The trigger's line ingest for two variants of one flow (a feature on and off), side by side: each round starts
// one host of each and warms both up, then runs `pairs` back-to-back pairs of short passes, the order alternating
// (A-B, B-A, ...), so the two passes of a pair saw the same load on the machine; the figure is the median of all
// paired ratios. Many short pairs rather than one long pass each: on a shared machine other processes take the
// cores in bursts, and a burst then spoils one pair, not the result. Used by the metrics and traffic scenarios.
"use strict";
const { startHost } = require("./procs");
const { linePass } = require("./line-pass");
const { freePort } = require("../../scripts/lib/free-port");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round2 = (x) => Math.round(x * 100) / 100;

/**
 * @param {{ rounds: number, quick?: boolean, log: (s: string) => void }} o
 * @param {[string, (port: number) => object]} a  the variant whose cost is measured: name, host options for a port
 * @param {[string, (port: number) => object]} b  the baseline
 * @param {{ clients?: number, pairs?: number, afterRound?: (hosts: Record<string, {host: any, port: number}>, linesSent: number) => Promise<string> }} [p]
 */
async function pairedIngest(o, a, b, p = {}) {
  const clients = p.clients ?? 8;
  const pairs = p.pairs ?? 6;
  const lines = o.quick ? 5000 : 20000;
  const warm = Math.floor(lines / 4);
  const [A, B] = [a[0], b[0]];
  const runs = { [A]: [], [B]: [] };
  const wallRatios = [];
  const cpuRatios = [];
  for (let round = 0; round < o.rounds; round++) {
    /** @type {Record<string, {host: any, port: number}>} */
    const hosts = {};
    for (const [name, make] of [a, b]) {
      const port = await freePort();
      hosts[name] = { host: await startHost(make(port)), port };
    }
    for (const name of [A, B]) await linePass(hosts[name].host, hosts[name].port, clients, warm, 100);
    for (let pair = 0; pair < pairs; pair++) {
      const order = (round * pairs + pair) % 2 === 0 ? [A, B] : [B, A];
      const r = {};
      for (const name of order) r[name] = await linePass(hosts[name].host, hosts[name].port, clients, lines, 100);
      for (const name of [A, B]) runs[name].push(r[name]);
      wallRatios.push(r[A].rate / r[B].rate);
      cpuRatios.push(r[B].cpuUsPerMsg / r[A].cpuUsPerMsg);
    }
    const extra = p.afterRound ? await p.afterRound(hosts, clients * (warm + pairs * lines)) : "";
    for (const name of [A, B]) await hosts[name].host.kill();
    const last = wallRatios.slice(-pairs).map(round2);
    o.log(`  round ${round + 1}: ${pairs} pairs of ${clients * lines} lines, ${A} / ${B} by the wall clock ${last.join(" ")}${extra}`);
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
    `  ratio ${A} / ${B} (median of ${wallRatios.length} paired passes): ${round2(ratio)} msgs/s, ${round2(cpuRatio)} per host CPU second`,
  );
  return {
    clients,
    linesPerPass: clients * lines,
    lineBytes: 100,
    pairs: wallRatios.length,
    result,
    ratio: round2(ratio),
    cpuRatio: round2(cpuRatio),
  };
}

module.exports = { pairedIngest };
