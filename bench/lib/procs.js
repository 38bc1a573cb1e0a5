// Child processes of the benchmark: a host (Node-RED or raw net) and a load client.
"use strict";
const path = require("path");
const { ipcChild } = require("../../scripts/lib/ipc-child");

const child = (script, cfg, execArgv = []) => ipcChild(path.join(__dirname, script), [JSON.stringify(cfg)], { execArgv });

async function startHost(cfg) {
  const extra = process.env.BENCH_HOST_ARGS ? process.env.BENCH_HOST_ARGS.split(" ") : [];
  const h = child("host.js", cfg, ["--expose-gc", "--max-old-space-size=4096", ...extra]);
  const ready = await h.wait("ready", 60000);
  h.baseline = ready.memory;
  return h;
}

const startClient = (cfg) => child("client.js", cfg);

module.exports = { startHost, startClient };
