"use strict";
// lib/schema runs in the editor too: it may import nothing but its own files
// (no Node.js module, no other part of lib/). The editor build also compiles it
// with no Node.js types (tsconfig.editor.json), so a Buffer would not compile.
const assert = require("assert");
const fs = require("fs");
const path = require("path");

const DIR = path.join(__dirname, "..", "..", "..", "nodes", "lib", "schema");

describe("schema: plain code", function () {
  it("imports only its own files", function () {
    for (const f of fs.readdirSync(DIR).filter((x) => x.endsWith(".ts"))) {
      const src = fs.readFileSync(path.join(DIR, f), "utf8");
      const specs = [...src.matchAll(/(?:import|export)[^;]*?from\s+"([^"]+)"/g), ...src.matchAll(/require\("([^"]+)"\)/g)].map(
        (m) => m[1],
      );
      for (const s of specs) assert.match(s, /^\.\/[\w-]+$/, `${f} imports ${s}`);
    }
  });
});
