#!/usr/bin/env node
// Fake devices for the tcp client scenarios: a TCP server in its own process
// (so it does not share a core with the Node-RED under test, and so it can be
// stopped with SIGSTOP), driven over IPC. Modes:
//   lines      writes n lines of lineBytes bytes into the connected socket as fast as it takes them;
//   echo       answers each request line "X" with "R:X", after a seeded random delay, in order;
//   sink       counts numbered lines "P N" per prefix P; can restart (stop listening, close, listen again);
//   heartbeat  answers "PING" with "PONG".
"use strict";
const { prng } = require("../../scripts/lib/prng");
const net = require("net");

const cfg = JSON.parse(process.argv[2]);
const sockets = new Set();
let server;

/** Calls onLine for each complete line of a socket (without the newline). */
function lineReader(socket, onLine) {
  let rest = "";
  socket.on("data", (d) => {
    const text = rest + d.toString("latin1");
    let start = 0;
    let i;
    while ((i = text.indexOf("\n", start)) !== -1) {
      onLine(text.slice(start, i));
      start = i + 1;
    }
    rest = text.slice(start);
  });
}

function listen(port, onConnection) {
  return new Promise((resolve, reject) => {
    const s = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
      onConnection(socket);
    });
    s.once("error", reject);
    s.listen(port, "127.0.0.1", () => resolve(s));
  });
}

const handlers = {};
// The benchmark went away (crashed or interrupted): no device outlives it.
process.on("disconnect", () => process.exit(0));
process.on("message", (/** @type {any} */ m) => {
  if (m.cmd === "exit") process.exit(0);
  const h = handlers[m.cmd];
  if (h) Promise.resolve(h(m)).then((data) => process.send(Object.assign({ id: m.id }, data)));
});

async function lines() {
  let latest;
  let connections = 0;
  server = await listen(cfg.port || 0, (s) => {
    latest = s;
    connections++;
    s.resume();
    process.send({ evt: "connected", connections });
  });
  handlers.write = async (m) => {
    const perWrite = Math.max(1, Math.floor(65536 / m.lineBytes));
    const t0 = Date.now();
    let n = 0;
    while (n < m.n) {
      const count = Math.min(perWrite, m.n - n);
      const parts = [];
      for (let j = 0; j < count; j++) parts.push(`line ${n + j} `.padEnd(m.lineBytes - 1, "x") + "\n");
      if (!latest.write(parts.join(""))) await new Promise((r) => latest.once("drain", r));
      n += count;
    }
    return { ms: Date.now() - t0 };
  };
}

async function echo() {
  let rand = prng(1);
  let received = 0;
  let connections = 0;
  // Turnaround: from a reply written with nothing else pending to the next request, in µs (the client's share
  // of a round trip when it waits for each reply).
  let turnarounds = [];
  let seededAt = 0n; // a wait that began before the last "seed" belongs to the previous window
  server = await listen(cfg.port || 0, (s) => {
    connections++;
    const pending = []; // requests of this connection, answered in the order they came
    let idleSince;
    const flush = () => {
      let out = "";
      while (pending.length && pending[0].ready) out += `R:${pending.shift().line}\n`;
      if (out && !s.destroyed) s.write(out);
      if (out && pending.length === 0) idleSince = process.hrtime.bigint();
    };
    lineReader(s, (line) => {
      if (pending.length === 0 && idleSince !== undefined && idleSince > seededAt)
        turnarounds.push(Number(process.hrtime.bigint() - idleSince) / 1000);
      idleSince = undefined;
      const delay = Math.floor(rand() * (cfg.maxDelayMs + 1));
      received++;
      const p = { line, ready: false };
      pending.push(p);
      setTimeout(() => {
        p.ready = true;
        flush();
      }, delay);
    });
  });
  handlers.seed = (m) => {
    rand = prng(m.seed);
    received = 0;
    turnarounds = [];
    seededAt = process.hrtime.bigint();
    return { ok: true };
  };
  handlers.stats = () => {
    const t = [...turnarounds].sort((a, b) => a - b);
    return {
      received,
      connections,
      open: sockets.size,
      turnaroundUs: t.length ? { p50: t[t.length >> 1], p99: t[Math.floor(t.length * 0.99)] } : null,
    };
  };
}

async function sink() {
  const seen = {}; // prefix -> Map(seq -> times received)
  const conns = []; // {at, prefix}: when each connection was accepted and whose lines it carried
  const onConnection = (s) => {
    const c = { at: Date.now(), prefix: undefined };
    conns.push(c);
    lineReader(s, (line) => {
      const sp = line.indexOf(" ");
      const prefix = line.slice(0, sp);
      const seq = Number(line.slice(sp + 1));
      if (c.prefix === undefined) c.prefix = prefix;
      const m = (seen[prefix] ||= new Map());
      m.set(seq, (m.get(seq) || 0) + 1);
    });
  };
  const port = cfg.port || 0;
  server = await listen(port, onConnection);
  const boundPort = server.address().port;
  // A restart as a device would do it cleanly: stop listening, say goodbye (FIN) on every connection and read
  // what the peer still sends until it closes too (at most closeWaitMs), then listen again after downMs.
  // Abortive: every connection destroyed at once instead.
  handlers.restart = async (m) => {
    const restartAt = Date.now();
    server.close();
    for (const s of sockets) {
      if (m.abortive) {
        s.destroy(); // as the process dying would: unread bytes are dropped, the peer gets a reset
        continue;
      }
      s.end();
      setTimeout(() => s.destroy(), m.closeWaitMs);
    }
    await new Promise((r) => setTimeout(r, m.downMs));
    for (;;) {
      try {
        server = await listen(boundPort, onConnection);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    return { restartAt, listenAt: Date.now() };
  };
  handlers.report = () => {
    const out = {};
    for (const [prefix, m] of Object.entries(seen)) {
      let duplicates = 0;
      for (const v of m.values()) duplicates += v - 1;
      out[prefix] = { seqs: [...m.keys()], duplicates };
    }
    return { seen: out, conns };
  };
  process.send({ evt: "listening", port: boundPort });
}

async function heartbeat() {
  let pings = 0;
  server = await listen(cfg.port || 0, (s) =>
    lineReader(s, (line) => {
      if (line === "PING") {
        pings++;
        s.write("PONG\n");
      }
    }),
  );
  handlers.stats = () => ({ pings, open: sockets.size });
}

const MODES = { lines, echo, sink, heartbeat };
MODES[cfg.mode]()
  .then(() => {
    if (cfg.mode !== "sink") process.send({ evt: "listening", port: server.address().port });
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
