#!/usr/bin/env node
// Runs every test file with mocha and ends with one plain summary line
// ("tests: N passed, N failed") that CI reads.
"use strict";
const path = require("path");
const fs = require("fs");
const Mocha = require("mocha");

const args = process.argv.slice(2);
const grep = args.find((a) => !a.startsWith("-"));
const mocha = new Mocha({ timeout: 20000, reporter: "spec", grep: grep ? new RegExp(grep) : undefined });

function collect(dir) {
  for (const f of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isDirectory()) {
      if (f !== "fixtures" && f !== "helpers" && !f.startsWith(".")) collect(p);
    } else if (f.endsWith(".test.js")) {
      mocha.addFile(p);
    }
  }
}
collect(__dirname);

const runner = mocha.run((failures) => {
  const s = runner.stats;
  console.log(`\ntests: ${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ""}`);
  // Node-RED's runtime keeps timers of its own; do not wait for them.
  setImmediate(() => process.exit(failures ? 1 : 0));
});
