#!/usr/bin/env node
// Runs every test file with mocha and ends with one plain summary line
// ("tests: N passed, N failed") that CI reads.
"use strict";
const Mocha = require("mocha");
const { testFiles } = require("./helpers/test-files");
const { skipReasons } = require("./helpers/skips");

const args = process.argv.slice(2);
const grep = args.find((a) => !a.startsWith("-"));
const mocha = new Mocha({ timeout: 20000, reporter: "spec", grep: grep ? new RegExp(grep) : undefined });

for (const f of testFiles(__dirname)) mocha.addFile(f);

const runner = mocha.run((failures) => {
  const s = runner.stats;
  console.log(`\ntests: ${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ""}`);
  for (const reason of skipReasons()) console.log(`skipped: ${reason}`);
  // Node-RED's runtime keeps timers of its own; do not wait for them.
  setImmediate(() => process.exit(failures ? 1 : 0));
});
