// Benchmark nodes for the fan-out scenario (bench/scenarios/fanout.js), driven
// over the host's IPC channel beside the probe:
//   bench-fanfeed   sends numbered 100-byte lines "0000000042 xxx...\n" (no msg._session): at a steady pace
//                   ("fan-paced"), or as fast as the readers take them with at most `window` lines not yet
//                   received by the slowest reader ("fan-window", the run tells it the readers' progress with
//                   "fan-ack"). It keeps the time each line was fed (performance.timeOrigin + now: the same
//                   clock in every process on the machine) for the latency figures.
//                   "fan-bulk" sends n big messages at once, for the stall check.
//   bench-fantally  counts what reaches it: the broadcast's msg.tcp (matched, written, failed codes) or a Catch.
"use strict";
const { performance } = require("perf_hooks");

const FRAME = 100;
const now = () => performance.timeOrigin + performance.now();
const line = (seq) => `${String(seq).padStart(10, "0")} `.padEnd(FRAME - 1, "x") + "\n";

const feeders = [];
let nextSeq = 0;
let acked = -1; // the highest sequence number every active reader has received
let pump = null; // the window feeder's "send more" when an ack arrives
const tally = { out: 0, catch: 0, matched: 0, written: 0, failed: {} };

function feed(sentAt) {
  const seq = nextSeq++;
  const msg = { payload: line(seq), seq };
  sentAt.push(now());
  for (const f of feeders) f.send(msg);
}

function paced(n, intervalMs) {
  const from = nextSeq;
  const sentAt = [];
  return new Promise((resolve) => {
    const t0 = performance.now();
    const timer = setInterval(() => {
      const due = Math.min(n, Math.floor((performance.now() - t0) / intervalMs) + 1);
      while (sentAt.length < due) feed(sentAt);
      if (sentAt.length >= n) {
        clearInterval(timer);
        resolve({ from, n, sentAt });
      }
    }, intervalMs);
  });
}

function windowed(ms, windowSize) {
  const from = nextSeq;
  const sentAt = [];
  const end = performance.now() + ms;
  return new Promise((resolve) => {
    pump = () => {
      if (performance.now() >= end) {
        pump = null;
        resolve({ from, n: sentAt.length, sentAt });
        return;
      }
      while (nextSeq - 1 - acked < windowSize) feed(sentAt);
    };
    pump();
    // Also when no ack comes (nothing received at all): the time limit still ends the run.
    const t = setInterval(() => {
      if (!pump) clearInterval(t);
      else if (performance.now() >= end) pump();
    }, 50);
  });
}

process.on("message", (/** @type {any} */ m) => {
  const reply = (data) => process.send(Object.assign({ id: m.id }, data));
  switch (m.cmd) {
    case "fan-ack":
      acked = m.seq;
      if (pump) pump();
      break;
    case "fan-paced":
      paced(m.n, m.intervalMs).then(reply);
      break;
    case "fan-window":
      acked = nextSeq - 1;
      windowed(m.ms, m.window).then(reply);
      break;
    case "fan-bulk": {
      // n messages of `bytes` bytes at once (the stall check: only clients that never read are connected).
      const payload = "x".repeat(m.bytes - 1) + "\n";
      for (let i = 0; i < m.n; i++) for (const f of feeders) f.send({ payload });
      reply({ ok: true });
      break;
    }
    case "fan-tally":
      reply({ tally });
      break;
    default:
  }
});

module.exports = function (RED) {
  function BenchFanFeed(def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const entry = { send: (msg) => node.send(msg) };
    feeders.push(entry);
    this.on("close", () => feeders.splice(feeders.indexOf(entry), 1));
  }
  function BenchFanTally(def) {
    RED.nodes.createNode(this, def);
    const role = def.role || "out";
    this.on("input", (msg, _send, done) => {
      tally[role]++;
      if (role === "out" && msg.tcp) {
        tally.matched += msg.tcp.matched;
        tally.written += msg.tcp.written;
        for (const f of msg.tcp.failed) tally.failed[f.code] = (tally.failed[f.code] || 0) + 1;
      }
      done();
    });
  }
  RED.nodes.registerType("bench-fanfeed", BenchFanFeed);
  RED.nodes.registerType("bench-fantally", BenchFanTally);
};
