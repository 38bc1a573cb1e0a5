// Shared state of a benchmark host process: message counts, memory readings
// and the IPC conversation with bench/run.js.
"use strict";

// normalLines: messages that are one of the flood scenario's "normal line N" (anything else, such as a flood
// connection's tail flushed when it closes, is counted only in count).
const state = { count: 0, normalLines: 0, target: Infinity, firstAt: 0, lastAt: 0, reached: null, bytes: 0, cpu: null };
const NORMAL_LINE = /^normal line \d+$/;

// Garbage collection pauses since the start: a pause stalls every connection at once, so it shapes tail latency.
const gc = { count: 0, ms: 0 };
new (require("perf_hooks").PerformanceObserver)((list) => {
  for (const e of list.getEntries()) {
    gc.count++;
    gc.ms += e.duration;
  }
}).observe({ entryTypes: ["gc"] });

function hit(msg) {
  state.count++;
  if (state.count === 1) state.firstAt = Date.now();
  if (msg && typeof msg.payload === "string") {
    state.bytes += msg.payload.length;
    if (msg.payload.charCodeAt(0) === 110 && NORMAL_LINE.test(msg.payload)) state.normalLines++;
  }
  if (state.count >= state.target && state.reached) {
    state.lastAt = Date.now();
    state.cpuUsed = process.cpuUsage(state.cpu);
    const done = state.reached;
    state.reached = null;
    done();
  }
}

function tcpHandles() {
  return process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
}

/** Active handles and requests by type (process.getActiveResourcesInfo()), for leak checks. */
function resources() {
  const byType = {};
  for (const r of process.getActiveResourcesInfo()) byType[r] = (byType[r] || 0) + 1;
  return byType;
}

/**
 * Live sessions of the default connection manager. Node-RED loads the package
 * through a symlinked node_modules path; require resolves it to the real file,
 * so requiring the real path of the built module gives the same instance.
 */
function sessions() {
  const fs = require("fs");
  const path = require("path");
  const file = fs.realpathSync(path.join(__dirname, "..", "..", "dist", "nodes", "lib", "sessions", "manager.js"));
  return require(file).DEFAULT_MANAGER.registry.size;
}

function memory() {
  if (global.gc) {
    global.gc();
    global.gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, tcpHandles: tcpHandles() };
}

let burstHandler = null;
/** The bench-source node registers here; the "burst" command calls it. */
function onBurst(fn) {
  burstHandler = fn;
}

let peakRss = 0;
let sampler;

function serve(extra = {}) {
  process.on("message", (/** @type {any} */ m) => {
    const reply = (data) => process.send(Object.assign({ id: m.id }, data));
    switch (m.cmd) {
      case "target":
        state.count = 0;
        state.bytes = 0;
        state.target = m.n;
        state.cpu = process.cpuUsage();
        state.reached = () =>
          process.send({
            evt: "reached",
            count: state.count,
            firstAt: state.firstAt,
            lastAt: state.lastAt,
            bytes: state.bytes,
            cpuMs: (state.cpuUsed.user + state.cpuUsed.system) / 1000,
          });
        reply({ ok: true });
        break;
      case "burst":
        if (burstHandler) burstHandler(m.n);
        reply({ ok: Boolean(burstHandler) });
        break;
      case "cpu": {
        const u = process.cpuUsage();
        reply({ cpuMs: (u.user + u.system) / 1000, gcCount: gc.count, gcMs: gc.ms });
        break;
      }
      case "exit":
        process.exit(0);
        break;
      case "count":
        reply({ count: state.count, normalLines: state.normalLines, bytes: state.bytes });
        break;
      case "memory":
        reply(memory());
        break;
      case "resources":
        reply({ resources: resources() });
        break;
      case "sessions":
        reply({ sessions: sessions() });
        break;
      case "sample-start":
        peakRss = process.memoryUsage().rss;
        sampler = setInterval(() => {
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
        }, 20);
        reply({ ok: true });
        break;
      case "sample-stop":
        clearInterval(sampler);
        reply({ peakRss: Math.max(peakRss, process.memoryUsage().rss) });
        break;
      default:
        if (extra[m.cmd]) Promise.resolve(extra[m.cmd](m)).then(reply);
    }
  });
}

module.exports = { hit, serve, memory, state, onBurst, resources, sessions };
