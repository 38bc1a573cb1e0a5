#!/usr/bin/env node
// Puts each node's editor HTML, the message catalogs and the icons next to the
// built .js files: Node-RED looks for <type>.html, locales/ and icons/ beside them.
"use strict";
const fs = require("fs");
const path = require("path");
const { nodeHtml } = require("./lib/node-html");

const root = path.join(__dirname, "..");
const out = path.join(root, "dist", "nodes");
fs.mkdirSync(out, { recursive: true });

// Each node's HTML with its shared rows put in (scripts/lib/node-html.js).
for (const f of fs.readdirSync(path.join(root, "nodes"))) {
  if (f.endsWith(".html")) fs.writeFileSync(path.join(out, f), nodeHtml(f.slice(0, -".html".length)));
}
for (const dir of ["locales", "icons"]) {
  fs.rmSync(path.join(out, dir), { recursive: true, force: true });
  fs.cpSync(path.join(root, dir), path.join(out, dir), { recursive: true });
}
