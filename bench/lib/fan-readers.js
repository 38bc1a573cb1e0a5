#!/usr/bin/env node
// Readers for the fan-out scenario (bench/scenarios/fanout.js), in their own
// process, driven over IPC. Opens `clients` connections to a server; `paused`
// of them never read. Each reader checks the fixed 100-byte lines it gets
// ("0000000042 xxx...\n") arrive one after another with nothing missing or out
// of order, and the process keeps, per sequence number, when the last of its
// readers got it (performance.timeOrigin + now: the clock every process on the
// machine shares). With count: true it only counts bytes (the unrelated server's clients).
"use strict";
const net = require("net");
const { performance } = require("perf_hooks");

const cfg = JSON.parse(process.argv[2]);
const FRAME = 100;
const now = () => performance.timeOrigin + performance.now();

const readers = []; // {next, bad, count, rest}
const lastAt = []; // seq -> when the last reader of this process got it
let bytes = 0;
let reportedMin = -2;
let waiting = null;

function open() {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port: cfg.port, host: "127.0.0.1" }, () => resolve(s));
    s.once("error", reject);
  });
}

function onFrames(r, chunk) {
  const buf = r.rest ? Buffer.concat([r.rest, chunk]) : chunk;
  const t = now();
  let off = 0;
  for (; buf.length - off >= FRAME; off += FRAME) {
    let seq = 0;
    for (let i = 0; i < 10; i++) seq = seq * 10 + (buf[off + i] - 48);
    if (buf[off + FRAME - 1] !== 10 || seq !== r.next) r.bad++;
    r.next = seq + 1;
    r.count++;
    if (!(lastAt[seq] >= t)) lastAt[seq] = t;
  }
  r.rest = off < buf.length ? Buffer.from(buf.subarray(off)) : null;
}

/** The lowest sequence number all active readers have got, -1 before any. */
function minReceived() {
  let min = Infinity;
  for (const r of readers) if (r.next - 1 < min) min = r.next - 1;
  return readers.length ? min : -1;
}

async function main() {
  const sockets = [];
  for (let i = 0; i < cfg.clients; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, cfg.clients - i) }, open));
    sockets.push(...batch);
  }
  sockets.forEach((s, k) => {
    s.on("error", () => undefined);
    if (k < (cfg.paused || 0)) {
      s.pause(); // never reads: the server's bytes pile up in the kernel, then wherever the server keeps them
      return;
    }
    if (cfg.count) {
      s.on("data", (d) => (bytes += d.length));
      return;
    }
    const r = { next: cfg.firstSeq || 0, bad: 0, count: 0, rest: null };
    readers.push(r);
    s.on("data", (d) => onFrames(r, d));
  });
  // Progress for the window feeder, and the end of a run.
  setInterval(() => {
    const min = minReceived();
    if (min !== reportedMin) {
      reportedMin = min;
      process.send({ evt: "progress", min });
    }
    if (waiting && (min >= waiting.last || performance.now() > waiting.until)) {
      waiting.done(min);
      waiting = null;
    }
  }, 2).unref();
  process.on("message", (/** @type {any} */ m) => {
    const reply = (data) => process.send(Object.assign({ id: m.id }, data));
    if (m.cmd === "exit") process.exit(0);
    if (m.cmd === "await") {
      // Resolves once every active reader has got `last`, or after timeoutMs.
      waiting = {
        last: m.last,
        until: performance.now() + m.timeoutMs,
        done: (min) => {
          let bad = 0;
          let count = 0;
          for (const r of readers) {
            bad += r.bad;
            count += r.count;
          }
          reply({
            min,
            bad,
            count,
            readers: readers.length,
            complete: readers.filter((r) => r.next - 1 >= m.last).length,
            lastAt: lastAt.slice(m.from, m.last + 1),
          });
        },
      };
    }
    if (m.cmd === "bytes") reply({ bytes });
  });
  process.send({ evt: "connected", n: sockets.length });
}

process.on("disconnect", () => process.exit(0));
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
