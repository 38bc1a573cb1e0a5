// Benchmark nodes for the tcp client scenarios, driven over the host's IPC
// channel beside the probe (commands it does not know are left to us):
//   bench-tap     records what reaches it (role "out", "catch", "event", "status", "done") with times;
//   bench-feeder  sends numbered messages on a "feed" command: all at once, one at a time (the next only after
//                 the previous one reached a tap with role "out" or "catch"), or at a steady rate.
"use strict";
const { performance } = require("perf_hooks");
const { EventEmitter } = require("events");

const records = {};
const taps = new EventEmitter();
taps.setMaxListeners(0);
const feeders = [];

function record(role, msg) {
  const now = performance.now();
  const r = { role, at: Date.now(), id: msg.id, seq: msg.seq };
  if (role === "out") {
    r.payload = typeof msg.payload === "string" ? msg.payload.slice(0, 200) : String(msg.payload);
    if (typeof msg.reply === "string") r.reply = msg.reply;
    if (typeof msg._benchAt === "number") r.latMs = now - msg._benchAt;
  }
  if (role === "catch" || role === "event") {
    r.code = msg.error && msg.error.code;
    r.source = msg.error && msg.error.source && msg.error.source.id;
  }
  if (role === "event") r.event = msg.event;
  if (role === "status") {
    r.source = msg.status && msg.status.source && msg.status.source.id;
    r.text = msg.status && msg.status.text;
    r.fill = msg.status && msg.status.fill;
  }
  (records[role] ||= []).push(r);
  taps.emit("record", r);
}

function makeMsg(feeder, i) {
  return { payload: `${feeder.prefix}${i}\n`, id: i, seq: i, _benchAt: performance.now() };
}

/** One message at a time: the next goes only when the previous one came out (or failed), or after timeoutMs. */
async function oneAtATime(n, timeoutMs) {
  const t0 = performance.now();
  let timeouts = 0;
  for (let i = 0; i < n; i++) {
    await new Promise((resolve) => {
      const onRecord = (r) => {
        if ((r.role === "out" || r.role === "catch") && r.id === i) finish();
      };
      const t = setTimeout(() => {
        timeouts++;
        finish();
      }, timeoutMs);
      function finish() {
        clearTimeout(t);
        taps.off("record", onRecord);
        resolve(undefined);
      }
      taps.on("record", onRecord);
      for (const f of feeders) f.node.send(makeMsg(f, i));
    });
  }
  return { ms: performance.now() - t0, timeouts };
}

/** n messages from each feeder at `rate` per second, in steps of 10 ms. */
function atRate(n, rate) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let i = 0;
    const timer = setInterval(() => {
      const due = Math.min(n, Math.floor(((performance.now() - t0) * rate) / 1000));
      for (; i < due; i++) for (const f of feeders) f.node.send(makeMsg(f, i));
      if (i >= n) {
        clearInterval(timer);
        resolve({ ms: performance.now() - t0 });
      }
    }, 10);
  });
}

process.on("message", (/** @type {any} */ m) => {
  const reply = (data) => process.send(Object.assign({ id: m.id }, data));
  switch (m.cmd) {
    case "tap-get": {
      const out = {};
      for (const role of m.roles || Object.keys(records)) out[role] = records[role] || [];
      if (m.clear) for (const role of Object.keys(records)) records[role] = [];
      reply({ records: out });
      break;
    }
    case "tap-count": {
      const out = {};
      for (const role of Object.keys(records)) out[role] = records[role].length;
      reply({ counts: out });
      break;
    }
    case "feed":
      if (m.how === "burst") {
        const t0 = performance.now();
        for (let i = 0; i < m.n; i++) for (const f of feeders) f.node.send(makeMsg(f, i));
        reply({ ms: performance.now() - t0 });
      } else if (m.how === "one-at-a-time") oneAtATime(m.n, m.timeoutMs || 5000).then(reply);
      else if (m.how === "rate") atRate(m.n, m.rate).then(reply);
      break;
    default:
  }
});

module.exports = function (RED) {
  function BenchTap(def) {
    RED.nodes.createNode(this, def);
    const role = def.role || "out";
    this.on("input", (msg, _send, done) => {
      record(role, msg);
      done();
    });
  }
  function BenchFeeder(def) {
    RED.nodes.createNode(this, def);
    const entry = { node: this, prefix: def.prefix || "" };
    feeders.push(entry);
    this.on("close", () => feeders.splice(feeders.indexOf(entry), 1));
  }
  RED.nodes.registerType("bench-tap", BenchTap);
  RED.nodes.registerType("bench-feeder", BenchFeeder);
};
