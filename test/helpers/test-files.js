// Every *.test.js below a folder, in a stable order (helpers and fixtures are not tests).
"use strict";
const fs = require("fs");
const path = require("path");

function testFiles(dir) {
  const out = [];
  for (const f of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isDirectory()) {
      if (f !== "fixtures" && f !== "helpers" && !f.startsWith(".")) out.push(...testFiles(p));
    } else if (f.endsWith(".test.js")) {
      out.push(p);
    }
  }
  return out;
}

module.exports = { testFiles };
