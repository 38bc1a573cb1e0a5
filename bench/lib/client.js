#!/usr/bin/env node
// Load generator for the benchmarks, in its own process so that it does not
// share a core with the Node-RED under test. Driven over IPC by bench/run.js.
"use strict";
const net = require("net");

const cfg = JSON.parse(process.argv[2]);

function open(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: "127.0.0.1" }, () => resolve(s));
    s.once("error", reject);
  });
}

async function openMany(port, n, parallel = 200) {
  const out = [];
  for (let i = 0; i < n; i += parallel) {
    const batch = await Promise.all(Array.from({ length: Math.min(parallel, n - i) }, () => open(port)));
    for (const s of batch) s.on("error", () => undefined);
    out.push(...batch);
  }
  return out;
}

function writeAll(socket, buf) {
  return socket.write(buf) ? Promise.resolve() : new Promise((r) => socket.once("drain", r));
}

/** Each client sends `lines` lines of `lineBytes` bytes (newline included), in big writes. */
async function lines() {
  const sockets = await openMany(cfg.port, cfg.clients);
  process.send({ evt: "connected" });
  await new Promise((r) => process.once("message", r)); // go
  const t0 = Date.now();
  const perWrite = Math.max(1, Math.floor(65536 / cfg.lineBytes));
  await Promise.all(
    sockets.map(async (s, k) => {
      let n = 0;
      while (n < cfg.lines) {
        const count = Math.min(perWrite, cfg.lines - n);
        const parts = [];
        for (let j = 0; j < count; j++) {
          const head = `c${k} line ${n + j} `;
          parts.push(head.padEnd(cfg.lineBytes - 1, "x") + "\n");
        }
        await writeAll(s, Buffer.from(parts.join("")));
        n += count;
      }
    }),
  );
  process.send({ evt: "sent", ms: Date.now() - t0, lines: cfg.lines * cfg.clients });
  await new Promise((r) => process.once("message", r)); // close
  sockets.forEach((s) => s.destroy());
  process.send({ evt: "closed" });
}

async function idle() {
  const sockets = await openMany(cfg.port, cfg.n);
  process.send({ evt: "connected", n: sockets.length });
  await new Promise((r) => process.once("message", r)); // close
  sockets.forEach((s) => s.destroy());
  process.send({ evt: "closed" });
}

/** One client floods bytes with no delimiter (reconnecting when cut off) while another sends lines. */
async function flood() {
  const chunk = Buffer.alloc(65536, "x");
  const liner = await open(cfg.port);
  liner.on("error", () => undefined);
  let linesSent = 0;
  const lineTimer = setInterval(() => {
    if (liner.destroyed) return;
    let text = "";
    for (let i = 0; i < 5; i++) text += `normal line ${linesSent++}\n`;
    liner.write(text);
  }, 5);
  let sent = 0;
  let cuts = 0;
  const t0 = Date.now();
  while (sent < cfg.bytes && Date.now() - t0 < cfg.maxMs) {
    let s;
    try {
      s = await open(cfg.port);
    } catch {
      await new Promise((r) => setTimeout(r, 10));
      continue;
    }
    let cut = false;
    s.on("error", () => (cut = true));
    s.on("close", () => (cut = true));
    while (!cut && sent < cfg.bytes && Date.now() - t0 < cfg.maxMs) {
      const ok = s.write(chunk);
      sent += chunk.length;
      if (!ok) {
        await new Promise((r) => {
          const t = setInterval(() => {
            if (cut || s.writableLength === 0) {
              clearInterval(t);
              r();
            }
          }, 5);
          s.once("drain", () => {
            clearInterval(t);
            r();
          });
        });
      }
    }
    if (cut) cuts++;
    s.destroy();
  }
  const ms = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 300));
  clearInterval(lineTimer);
  await new Promise((r) => setTimeout(r, 300));
  liner.destroy();
  process.send({ evt: "done", floodBytes: sent, cuts, linesSent, ms });
}

/**
 * A job sink (a printer stand-in): counts connections and records what each
 * one carried, so the run can check one job per connection, in order.
 */
async function sink() {
  const jobs = [];
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    const parts = [];
    s.on("data", (d) => parts.push(d));
    s.on("error", () => undefined);
    s.on("close", () => jobs.push(Buffer.concat(parts).toString("latin1")));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
  process.send({ evt: "listening", port: /** @type {import("net").AddressInfo} */ (server.address()).port });
  process.on("message", (/** @type {any} */ m) => {
    if (m.cmd === "stats") process.send({ id: m.id, connections, jobs: jobs.length, lastAt: lastChange });
    if (m.cmd === "jobs") process.send({ id: m.id, jobs });
    if (m.cmd === "reset") {
      jobs.length = 0;
      connections = 0;
      process.send({ id: m.id, ok: true });
    }
  });
  let lastChange = Date.now();
  let seen = 0;
  setInterval(() => {
    if (jobs.length !== seen) {
      seen = jobs.length;
      lastChange = Date.now();
    }
  }, 20);
}

/** The plain Node.js baseline: the same jobs, one connection each, one after another. */
async function sequentialJobs() {
  const t0 = Date.now();
  for (let i = 0; i < cfg.n; i++) {
    await new Promise((resolve, reject) => {
      const s = net.connect({ port: cfg.port, host: "127.0.0.1" }, () => s.end(`job-${String(i).padStart(6, "0")}\n`));
      s.on("error", reject);
      s.on("close", resolve);
      s.resume();
    });
  }
  process.send({ evt: "done", ms: Date.now() - t0 });
}

/** Request/reply: each client sends a line, waits for the reply line, repeats; latency per round trip. */
async function roundTrips() {
  const sockets = await openMany(cfg.port, cfg.clients);
  process.send({ evt: "connected" });
  await new Promise((r) => process.once("message", r)); // go
  const lat = [];
  const t0 = Date.now();
  await Promise.all(
    sockets.map(
      (s, k) =>
        new Promise((resolve) => {
          let i = 0;
          let sentAt = 0n;
          let buf = "";
          const next = () => {
            if (i === cfg.perClient) {
              resolve();
              return;
            }
            sentAt = process.hrtime.bigint();
            s.write(`c${k} req ${i}\n`);
          };
          s.on("data", (d) => {
            buf += d.toString("latin1");
            let nl;
            while ((nl = buf.indexOf("\n")) !== -1) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              if (line !== `R:c${k} req ${i}`) throw new Error(`client ${k}: got "${line}" for request ${i}`);
              lat.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
              i++;
              next();
            }
          });
          next();
        }),
    ),
  );
  const ms = Date.now() - t0;
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  sockets.forEach((s) => s.destroy());
  process.send({
    evt: "done",
    ms,
    roundTrips: lat.length,
    p50: q(0.5),
    p99: q(0.99),
    max: lat[lat.length - 1],
    // Every latency in whole microseconds, so runs can be pooled before taking percentiles.
    latUs: cfg.raw ? lat.map((x) => Math.round(x * 1000)) : undefined,
  });
}

const MODES = { lines, idle, flood, sink, "sequential-jobs": sequentialJobs, "round-trips": roundTrips };
MODES[cfg.mode]().catch((err) => {
  console.error(err);
  process.exit(1);
});
