#!/usr/bin/env node
// A benchmark host: one process running either a real Node-RED with a given
// flow (our nodes or core ones) or a plain Node.js net server, driven over IPC.
// Started with --expose-gc so memory readings are taken after a full GC.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const net = require("net");
const probe = require("../../scripts/lib/probe");

const cfg = JSON.parse(process.argv[2]);

async function startNodeRed(flows, settings = {}) {
  const { linkPackage } = require("../../scripts/lib/userdir");
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "tcpa-bench-"));
  linkPackage(userDir);
  fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flows));
  const RED = require("node-red");
  const server = require("http").createServer();
  RED.init(server, {
    userDir,
    flowFile: "flows.json",
    httpAdminRoot: false,
    httpNodeRoot: false,
    credentialSecret: false,
    nodesDir: [path.join(__dirname, "..", "nodes")],
    logging: { console: { level: "warn", metrics: false, audit: false } },
    editorTheme: { tours: false },
    // A scenario's own settings.js entries (e.g. tcpAutomation: { metrics: false }).
    ...settings,
  });
  // RED.start() resolves before the flows run: wait for them, so the first command finds every node.
  const started = new Promise((resolve) => RED.events.once("flows:started", resolve));
  await RED.start();
  await started;
  process.on("exit", () => fs.rmSync(userDir, { recursive: true, force: true }));
}

/** The baseline: a plain net server that splits lines and counts them, no Node-RED. */
function startRawServer(port) {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => {
      let rest = "";
      socket.on("data", (chunk) => {
        const text = rest + chunk.toString("utf8");
        let start = 0;
        let i;
        while ((i = text.indexOf("\n", start)) !== -1) {
          probe.hit({ payload: text.slice(start, i) });
          start = i + 1;
        }
        rest = text.slice(start);
      });
      socket.on("error", () => undefined);
    });
    server.listen(port, "127.0.0.1", () => resolve(undefined));
  });
}

(async () => {
  if (cfg.impl === "raw") await startRawServer(cfg.port);
  else await startNodeRed(cfg.flows, cfg.settings);
  probe.serve({
    // The package's Prometheus text, as a scraper would get it (the same module instance the nodes count into).
    scrape: async () => {
      const file = fs.realpathSync(path.join(__dirname, "..", "..", "dist", "nodes", "lib", "metrics", "index.js"));
      return { text: (await require(file).scrape()).body };
    },
  });
  process.send({ evt: "ready", memory: probe.memory() });
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
