#!/usr/bin/env node
// `npm start`: a local Node-RED on 127.0.0.1:1880 with this package loaded and
// the demo flow deployed on first start (delete .node-red-dev/flows.json to get it back).
"use strict";
const fs = require("fs");
const path = require("path");
const { spawn } = require("child_process");
const { ROOT, linkPackage } = require("./lib/userdir");
const settings = require("./dev-settings");

const DEMO = path.join(ROOT, "examples", "01 request-reply server.json");

fs.mkdirSync(settings.userDir, { recursive: true });
linkPackage(settings.userDir);
const flows = path.join(settings.userDir, settings.flowFile);
if (!fs.existsSync(flows)) fs.copyFileSync(DEMO, flows);

const red = require.resolve("node-red/red.js");
const child = spawn(process.execPath, [red, "--settings", path.join(__dirname, "dev-settings.js")], { stdio: "inherit" });
for (const sig of /** @type {const} */ (["SIGINT", "SIGTERM"])) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(signal ? 0 : (code ?? 0)));
