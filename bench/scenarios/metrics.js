// Issue 14's cost bound for metrics: the trigger's line ingest with metrics on (the default) and with
// settings.js tcpAutomation.metrics: false, side by side in one run (target: on >= 0.95x off, msgs/s).
//
// Paired short passes on two long-lived hosts (bench/lib/paired-ingest.js); the "on" host is scraped at the end
// of each round: the figure only counts when it counted every line.
"use strict";
const { triggerToCounter } = require("../lib/flows");
const { pairedIngest } = require("../lib/paired-ingest");

const ON = "metrics on";
const OFF = "metrics off";
const variant = (on) => (port) => ({ impl: "node-red", port, flows: triggerToCounter(port), settings: { tcpAutomation: { metrics: on } } });

/** frames_in_total of the benchmark's trigger in a scrape; undefined when it has no series (metrics off). */
function framesCounted(text) {
  const m = /^tcp_automation_frames_in_total\{[^}]*node_id="bench00000trig01"[^}]*\} (\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

async function ingest(o) {
  let countedAll = true;
  // The "on" host is scraped at the end of each round: the figure only counts when it counted every line.
  const afterRound = async (hosts, expected) => {
    const { text: on } = await hosts[ON].host.call("scrape");
    const { text: off } = await hosts[OFF].host.call("scrape");
    countedAll &&= framesCounted(on) === expected && framesCounted(off) === undefined;
    return `; frames_in_total on ${framesCounted(on)} of ${expected}, off ${framesCounted(off) ?? "not exported"}`;
  };
  const r = await pairedIngest(o, [ON, variant(true)], [OFF, variant(false)], { afterRound });
  o.log(`  on counted every line: ${countedAll}`);
  return {
    ...r,
    ratioOnVsOff: r.ratio,
    cpuRatioOnVsOff: r.cpuRatio,
    countedEveryLine: countedAll,
    target: "metrics on >= 0.95x metrics off (msgs/s, median of paired passes), and on counted every line",
    pass: r.ratio >= 0.95 && countedAll,
  };
}

module.exports = { name: "metrics", scenarios: { ingest } };
