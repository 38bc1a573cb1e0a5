#!/usr/bin/env node
// `npm run bench`: every scenario, ours beside Node-RED core's nodes and plain
// Node.js, in one run. Prints a table and keeps the JSON of the run in
// bench/results/latest.json so changes can be compared.
//   npm run bench -- --only trigger.throughput --rounds 3 --quick
//   node bench/run.js --only metrics --rounds 3    (issue 14: ingest with metrics on beside off)
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const value = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
const only = value("only", "");
const opts = { quick: flag("quick"), rounds: Number(value("rounds", 3)), log: (s) => console.log(s) };

const suites = fs
  .readdirSync(path.join(__dirname, "scenarios"))
  .filter((f) => f.endsWith(".js"))
  .sort()
  .map((f) => [f.replace(/\.js$/, ""), require(path.join(__dirname, "scenarios", f))]);

(async () => {
  const started = new Date();
  const out = {
    date: started.toISOString(),
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0].model, memGB: Math.round(os.totalmem() / 2 ** 30) },
    options: { quick: opts.quick, rounds: opts.rounds },
    results: {},
  };
  let failed = 0;
  for (const [file, suite] of suites) {
    for (const [name, fn] of Object.entries(suite.scenarios)) {
      const id = `${file}.${name}`;
      if (only && !only.split(",").some((o) => id.startsWith(o))) continue;
      console.log(`\n== ${id}`);
      const r = await fn(opts);
      out.results[id] = r;
      if (!r.pass) failed++;
      console.log(`${r.pass ? "PASS" : "FAIL"} ${id}: target ${r.target}`);
      printTable(r.result);
      if (r.ratioVsCore !== undefined) console.log(`ratio vs core: ${r.ratioVsCore}`);
      // Paired-pass scenarios (metrics) only; the journal scenarios print their own on/off line.
      if (r.ratioOnVsOff !== undefined && r.pairs !== undefined)
        console.log(
          `ratio metrics on / off: ${r.ratioOnVsOff} msgs/s, ${r.cpuRatioOnVsOff} per host CPU second (${r.pairs} paired passes)`,
        );
      if (r.p99)
        console.log(`p99 in paired windows: ours higher in ${r.p99.oursHigherIn} of ${r.p99.pairs} (sign test p = ${r.p99.signTestP})`);
    }
  }
  out.seconds = Math.round((Date.now() - started.getTime()) / 1000);
  const file = path.join(__dirname, "results", opts.quick || only ? "partial.json" : "latest.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  console.log(
    `\nbench: ${Object.keys(out.results).length - failed} passed, ${failed} failed (${out.seconds} s) -> ${path.relative(process.cwd(), file)}`,
  );
  process.exitCode = failed ? 1 : 0;
})().catch((err) => {
  console.error(err);
  process.exit(2);
});

function printTable(result) {
  const rows = Object.entries(result);
  const cols = [...new Set(rows.flatMap(([, v]) => Object.keys(v)))].filter((c) => c !== "runs");
  const table = [["", ...cols], ...rows.map(([k, v]) => [k, ...cols.map((c) => fmt(v[c]))])];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
  for (const r of table)
    console.log(
      r
        .map((c, i) =>
          String(c)
            .padStart(i ? widths[i] : 0)
            .padEnd(i ? 0 : widths[0]),
        )
        .join("  "),
    );
}

function fmt(v) {
  return typeof v === "number" ? v.toLocaleString("en-US") : v === undefined ? "" : String(v);
}
