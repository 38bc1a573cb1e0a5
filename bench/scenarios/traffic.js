// Issue 14's cost of the traffic view: the same trigger flow with the view off
// and on (every connection captured), side by side in one run; and what an
// idle connection costs with the view on.
//   node bench/run.js --only traffic --rounds 3
"use strict";
const { startHost } = require("../lib/procs");
const { triggerToCounter } = require("../lib/flows");
const { freePort } = require("../../scripts/lib/free-port");
const { pairedIngest } = require("../lib/paired-ingest");
const trigger = require("./trigger");

const IMPLS = {
  "traffic off": (port) => ({ impl: "node-red", port, flows: triggerToCounter(port) }),
  "traffic on": (port) => ({ impl: "node-red", port, flows: triggerToCounter(port, { traffic: true }) }),
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round2 = (x) => Math.round(x * 100) / 100;

async function throughput(o) {
  // Paired short passes on two long-lived hosts (bench/lib/paired-ingest.js), as the metrics scenario: single
  // long passes on this shared machine moved by tens of percent between runs of the same code.
  const r = await pairedIngest(o, ["traffic on", IMPLS["traffic on"]], ["traffic off", IMPLS["traffic off"]]);
  return { ...r, ratioOnOff: r.ratio, target: ">= 0.95x with the view on (msgs/s, median of paired passes)", pass: r.ratio >= 0.95 };
}

async function idle(o) {
  const n = o.quick ? 1000 : 5000;
  const result = {};
  for (const [name, make] of Object.entries(IMPLS)) {
    const port = await freePort();
    const host = await startHost(make(port));
    const before = await host.call("memory");
    const w = await trigger.idleWave(host, port, n, before);
    await host.kill();
    result[name] = {
      connectionsHeld: w.during.tcpHandles - before.tcpHandles,
      rssPerConnectionBytes: Math.round((w.during.rss - before.rss) / n),
      heapPerConnectionBytes: Math.round((w.during.heapUsed - before.heapUsed) / n),
      heapAfterCloseMinusBeforeKB: Math.round((w.after.heapUsed - before.heapUsed) / 1024),
    };
    o.log(`  idle ${name}: ${JSON.stringify(result[name])}`);
  }
  const on = result["traffic on"];
  const off = result["traffic off"];
  // An idle capture holds no bytes: its objects only (the budget reserves 17 KiB each, which is the bound, not the use).
  const extra = on.rssPerConnectionBytes - off.rssPerConnectionBytes;
  return {
    connections: n,
    result,
    extraRssPerConnectionBytes: extra,
    target: "<= 2048 bytes more RSS per idle connection with the view on (17 KiB per capture is the reserved bound)",
    pass: extra <= 2048 && on.connectionsHeld === n,
  };
}

/**
 * The capture's own work, in one process and without sockets, so a loaded machine's noise (which moves the
 * throughput figures by tens of percent) cannot hide it: 100-byte lines in 64 KiB reads, framed and decoded
 * into strings as the trigger does, with and without a capture fed as the tap feeds it. Reports the extra
 * nanoseconds per message, against the host's CPU per message in the throughput scenario.
 */
async function captureCost(o) {
  const path = require("path");
  const dist = path.join(__dirname, "..", "..", "dist", "nodes", "lib");
  const { createFramer } = require(path.join(dist, "inbound", "framing.js"));
  const { Capture } = require(path.join(dist, "traffic", "capture.js"));
  const line = Buffer.from("x".repeat(99) + "\n");
  const read = Buffer.concat(Array.from({ length: 655 }, () => line)); // 65500 bytes, 655 lines
  const reads = o.quick ? 2000 : 10000;
  const info = { session: "s", peer: "p", owner: { id: "n", type: "t", name: "" }, localPort: 1, direction: "in" };
  const pass = (capture) => {
    const framer = createFramer({ kind: "line", eol: "lf" }, 1 << 20);
    let n = 0;
    let len = 0;
    const sink = capture
      ? (buf, start, end) => {
          n += buf.toString("utf8", start, end).length > 0 ? 1 : 0;
          capture.frameEnd(len - framer.frameEnd);
        }
      : (buf, start, end) => {
          n += buf.toString("utf8", start, end).length > 0 ? 1 : 0;
        };
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reads; i++) {
      const chunk = Buffer.from(read); // a fresh read, as a socket gives
      if (capture) capture.received(chunk);
      len = chunk.length;
      framer.push(chunk, sink, undefined);
    }
    return { ns: Number(process.hrtime.bigint() - t0), messages: n };
  };
  const rows = { off: [], on: [] };
  for (let round = 0; round < Math.max(3, o.rounds); round++) {
    rows.off.push(pass(undefined));
    rows.on.push(pass(new Capture(info, 8192)));
  }
  const nsPerMsg = (r) => r.ns / r.messages;
  const off = median(rows.off.map(nsPerMsg));
  const on = median(rows.on.map(nsPerMsg));
  const extra = on - off;
  o.log(`  framing + decoding: ${off.toFixed(1)} ns/msg off, ${on.toFixed(1)} ns/msg on: +${extra.toFixed(1)} ns/msg for the capture`);
  return {
    messagesPerPass: rows.off[0].messages,
    result: { off: { nsPerMsg: round2(off) }, on: { nsPerMsg: round2(on) } },
    extraNsPerMsg: round2(extra),
    target: "capture work <= 5% of the host's CPU per message (about 5 µs in traffic.throughput): <= 250 ns",
    pass: extra <= 250,
  };
}

/**
 * The socket path alone, in one process without Node-RED: a listener's sockets attached as the trigger
 * attaches them (registry, framing, decoding), traffic off and on, 8 clients pumping 100-byte lines. The
 * harshest view of the capture's cost: here a message costs under 1 µs, in Node-RED about 5.
 */
async function socketPath(o) {
  const net = require("net");
  const path = require("path");
  const dist = path.join(__dirname, "..", "..", "dist", "nodes", "lib");
  const { attachConnection } = require(path.join(dist, "inbound", "connection.js"));
  const { SessionRegistry } = require(path.join(dist, "sessions", "registry.js"));
  const { parseFramingConfig } = require(path.join(dist, "inbound", "framing-config.js"));
  const inbound = Object.assign(parseFramingConfig({ event: "line", eol: "lf", output: "string" }), {
    readTimeoutMs: 0,
    topic: "",
    keepAliveMs: 0,
  });
  const block = Buffer.concat(Array.from({ length: 1000 }, () => Buffer.from("x".repeat(99) + "\n")));
  const perClient = o.quick ? 20000 : 50000;
  const pass = async (traffic) => {
    const registry = new SessionRegistry();
    const total = perClient * 8;
    let n = 0;
    /** @type {(v?: unknown) => void} */
    let done = () => undefined;
    const finished = new Promise((r) => (done = r));
    const h = {
      messages: (b) => {
        n += b.length;
        if (n >= total) done();
      },
      frameError() {},
      readTimeout() {},
      skipped() {},
      socketError() {},
      closed() {},
    };
    const server = net.createServer((s) => attachConnection(s, registry, { id: "n", type: "bench", traffic }, "in", inbound, h));
    await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
    const port = /** @type {import("net").AddressInfo} */ (server.address()).port;
    const clients = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise((r) => {
            const c = net.connect(port, "127.0.0.1", () => r(c));
          }),
      ),
    );
    const t0 = process.hrtime.bigint();
    for (const c of clients)
      void (async () => {
        for (let i = 0; i < perClient / 1000; i++) if (!c.write(block)) await new Promise((r) => c.once("drain", r));
      })();
    await finished;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    clients.forEach((c) => c.destroy());
    await new Promise((r) => server.close(r));
    return (total / ms) * 1000;
  };
  await pass(false); // warm-up
  await pass(true);
  const rows = { "traffic off": [], "traffic on": [] };
  const rounds = Math.max(6, o.rounds * 2);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? ["traffic on", "traffic off"] : ["traffic off", "traffic on"];
    for (const name of order) rows[name].push(await pass(name === "traffic on"));
  }
  const ratio = median(rows["traffic on"].map((r, i) => r / rows["traffic off"][i]));
  o.log(
    `  socket path, traffic on / off: ${round2(ratio)}x (paired ratios ${rows["traffic on"].map((r, i) => round2(r / rows["traffic off"][i])).join(" ")})`,
  );
  const result = {};
  for (const [name, runs] of Object.entries(rows)) result[name] = { msgsPerSec: Math.round(median(runs)), runs: runs.map(Math.round) };
  return {
    clients: 8,
    linesPerClient: perClient,
    result,
    ratioOnOff: round2(ratio),
    target: ">= 0.9x on the bare socket path",
    pass: ratio >= 0.9,
  };
}

/** Issue 14: a flood of 300 MB with no delimiter into a trigger with the view on: the memory bound holds (the trigger's flood scenario). */
function flood(o) {
  return trigger.flood(o, { "traffic on": IMPLS["traffic on"] }, "traffic on");
}

module.exports = { name: "traffic view", scenarios: { throughput, idle, captureCost, socketPath, flood } };
