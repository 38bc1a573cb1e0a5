#!/usr/bin/env node
// `npm run soak`: the long part of the fault suite (the fast part is test/fault/).
//
//   1. held:      10 000 concurrent connections on one tcp trigger, each sends a line and
//                 gets a reply (reply to sender); meanwhile slowloris clients send a byte a second.
//   2. cycles:    100 000 connect / line / reply / disconnect cycles; afterwards the manager
//                 holds 0 sessions and the RSS (after GC) is flat.
//   3. redeploys: 200 full deploys (admin API, Node-RED-Deployment-Type: full) of a flow with
//                 every node type, traffic through each on every deploy; afterwards no port,
//                 socket, timer or listener is left (process.getActiveResourcesInfo()).
//   4. tcp client: a stream link to a device that is restarted every 2 s (reset or FIN) and a
//                 request/reply link, fed for 120 s (--quick: 20 s); every input ends done,
//                 replied on its own msg or with a reported code; nothing reaches the device
//                 twice; the heap after GC stays flat.
//   5. crashes:   a real Node-RED whose send-to-tcp-port keeps queued jobs on disk (issue 15) sends
//                 2000 jobs (--quick: 400) to two busy-refusing printers and is killed with SIGKILL
//                 at 10 random points (--quick: 4), restarted each time with the same user dir; every
//                 job printed, in order per printer, 0 lost, each duplicate explained by a kill
//                 (scripts/lib/crash-run.js, also the short test/crash.test.js); then the same number
//                 of requests kept by a tcp client, answered one at a time by a simulated device, and
//                 50 stream writes per kill (64 kB lines a slow device reads), killed mid-stream.
//
// Three processes: this driver, the Node-RED under test (`--host`, with --expose-gc) and the
// load (`--client`). Everything is on 127.0.0.1 and ends by itself. Loss accounting: every
// line in is a frame out, every frame a reply or a reported error, every job delivered or
// reported. Prints one summary line per figure and exits 1 when one is not met.
//   npm run soak -- --quick      smaller figures, for trying it out
//   npm run soak -- --only client [--client-seconds 10]   phase 4 alone
//   npm run soak -- --only crash                          phase 5 alone
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const net = require("net");
const http = require("http");
const { execSync } = require("child_process");
const { ipcChild } = require("./lib/ipc-child");
const { freePort } = require("./lib/free-port");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MB = 1048576;

// ---------------------------------------------------------------- host: Node-RED under test
const COUNT_NODE_JS = `"use strict";
// Counts messages by key (and error code / event) for the soak; written by scripts/soak.js.
module.exports = function (RED) {
  function SoakCount(def) {
    RED.nodes.createNode(this, def);
    const key = def.key || "count";
    const c = (global.__soakCounts = global.__soakCounts || {});
    this.on("input", (msg, send, done) => {
      let k = key;
      if (msg.error) k += ":" + (msg.error.code || String(msg.error.message).slice(0, 80));
      else if (typeof msg.event === "string") k += ":" + msg.event;
      c[k] = (c[k] || 0) + 1;
      done();
    });
  }
  RED.nodes.registerType("soak-count", SoakCount);
};
`;
const COUNT_NODE_HTML = `<script type="text/javascript">
RED.nodes.registerType("soak-count", { category: "function", defaults: { key: { value: "" } }, inputs: 1, outputs: 0, label: function () { return this.key || "soak-count"; } });
</script>
`;

async function runHost(cfg) {
  const probe = require("./lib/probe");
  const { linkPackage } = require("./lib/userdir");
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "tcpa-soak-"));
  process.on("exit", () => fs.rmSync(userDir, { recursive: true, force: true }));
  linkPackage(userDir);
  fs.mkdirSync(path.join(userDir, "nodes"));
  fs.writeFileSync(path.join(userDir, "nodes", "soak-count.js"), COUNT_NODE_JS);
  fs.writeFileSync(path.join(userDir, "nodes", "soak-count.html"), COUNT_NODE_HTML);
  fs.writeFileSync(path.join(userDir, "flows.json"), "[]");
  const RED = require("node-red");
  const express = require("express");
  const app = express();
  const server = http.createServer(app);
  RED.init(server, {
    userDir,
    flowFile: "flows.json",
    httpAdminRoot: "/",
    httpNodeRoot: false,
    disableEditor: true,
    credentialSecret: false,
    logging: { console: { level: "warn", metrics: false, audit: false } },
    editorTheme: { tours: false },
  });
  app.use("/", RED.httpAdmin);
  await new Promise((resolve) => server.listen(cfg.adminPort, "127.0.0.1", () => resolve(undefined)));
  await RED.start();
  const listeners = () => process.eventNames().reduce((n, e) => n + process.listenerCount(e), 0);
  probe.serve({
    counts: () => ({ counts: Object.assign({}, global.__soakCounts) }),
    listeners: () => ({ listeners: listeners() }),
    // Phase 4: inputs straight into a node of the deployed flow, as a wire would bring them.
    feed: (m) => {
      const node = RED.nodes.getNode(m.node);
      if (!node) return { fed: 0 };
      for (let i = m.from; i < m.from + m.n; i++) node.receive({ payload: `${m.prefix}${i}\n`, req: `${m.prefix}${i}` });
      return { fed: m.n };
    },
  });
  process.send({ evt: "ready" });
}

// ---------------------------------------------------------------- client: the load
function runClient(cfg) {
  const send = (m) => process.send(m);
  const ACK = 0x3b; // ";" ends every reply

  async function hold() {
    const sockets = [];
    let acks = 0;
    let errors = 0;
    let closedEarly = 0;
    /** Sockets this test closes itself (any other close is an early one). */
    const closing = new WeakSet();
    const open = () =>
      new Promise((resolve) => {
        const s = net.connect({ port: cfg.port, host: "127.0.0.1" });
        s.once("connect", () => resolve(s));
        s.on("error", (err) => {
          errors++;
          resolve(null);
          if (errors <= 3) send({ evt: "log", text: `hold: ${/** @type {NodeJS.ErrnoException} */ (err).code || err.message}` });
        });
        s.on("data", (d) => {
          for (const b of d) if (b === ACK) acks++;
        });
        s.on("close", () => {
          if (!closing.has(s)) closedEarly++;
        });
      });
    for (let i = 0; i < cfg.n; i += 250) {
      const batch = await Promise.all(Array.from({ length: Math.min(250, cfg.n - i) }, open));
      for (const s of batch) if (s) sockets.push(s);
    }
    send({ evt: "connected", n: sockets.length, errors });
    await new Promise((r) => process.once("message", r)); // go
    for (const s of sockets) s.write("hello\n");
    const end = Date.now() + 120000;
    while (acks < sockets.length && Date.now() < end) await sleep(50);
    send({ evt: "acked", acks, closedEarly });
    await new Promise((r) => process.once("message", r)); // close
    for (const s of sockets) {
      closing.add(s);
      s.destroy();
    }
    send({ evt: "closed" });
  }

  async function cycles() {
    let started = 0;
    let acked = 0;
    let failed = 0;
    const codes = {};
    let nextReport = cfg.reportEvery;
    const one = () =>
      new Promise((resolve) => {
        const i = started++;
        let done = false;
        const s = net.connect({ port: cfg.port, host: "127.0.0.1" });
        const finish = (ok, code) => {
          if (done) return;
          done = true;
          if (ok) acked++;
          else {
            failed++;
            codes[code] = (codes[code] || 0) + 1;
          }
          resolve();
        };
        s.once("connect", () => s.write(`c${i}\n`));
        s.on("data", (d) => {
          if (d.includes(ACK)) {
            // Half the clients leave with a FIN, half with a reset.
            if (i % 2) s.end();
            else s.resetAndDestroy();
            finish(true);
          }
        });
        s.on("error", (/** @type {NodeJS.ErrnoException} */ err) => {
          s.destroy();
          finish(false, err.code || "error");
        });
        s.on("close", () => finish(false, "closed-before-reply"));
        s.setTimeout(30000, () => s.destroy(Object.assign(new Error("no reply"), { code: "ETIMEDOUT" })));
      });
    const worker = async () => {
      while (started < cfg.n) {
        await one();
        if (acked + failed >= nextReport) {
          nextReport += cfg.reportEvery;
          send({ evt: "progress", done: acked + failed });
          await new Promise((r) => process.once("message", r)); // the driver sampled the host; go on
        }
      }
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: cfg.concurrency }, worker));
    send({ evt: "cycles", started, acked, failed, codes, ms: Date.now() - t0 });
  }

  /**
   * Peer faults at scale, one kind per connection in turn:
   *   0 a line, the reply read, then a reset       (normal, abrupt end)
   *   1 half a line, then FIN                       (closed mid-frame: the partial frame still comes out)
   *   2 connect, then reset at once                 (close right after connect: no frame)
   *   3 a line, then FIN at once, the reply unread  (gone before the reply: replied or reported)
   * Then a flood: `flood` connections at once on a trigger limited to `maxConnections`.
   */
  async function faults() {
    const kinds = [0, 0, 0, 0];
    let acks = 0;
    let failed = 0;
    const codes = {};
    let started = 0;
    const one = () =>
      new Promise((resolve) => {
        const i = started++;
        const kind = i % 4;
        let done = false;
        const finish = (code) => {
          if (done) return;
          done = true;
          if (code) {
            failed++;
            codes[code] = (codes[code] || 0) + 1;
          } else kinds[kind]++;
          resolve();
        };
        const s = net.connect({ port: cfg.port, host: "127.0.0.1" });
        s.on("error", (/** @type {NodeJS.ErrnoException} */ err) => finish(err.code || "error"));
        s.once("connect", () => {
          if (kind === 0) {
            s.write(`f${i}\n`);
            s.on("data", (d) => {
              if (!d.includes(ACK)) return;
              acks++;
              s.resetAndDestroy();
              finish();
            });
          } else if (kind === 1) {
            s.end(`partial ${i}`);
            s.on("close", () => finish());
            s.resume();
          } else if (kind === 2) {
            s.resetAndDestroy();
            finish();
          } else {
            s.end(`gone ${i}\n`);
            s.on("close", () => finish());
            s.resume();
          }
        });
        s.setTimeout(30000, () => s.destroy(Object.assign(new Error("no reply"), { code: "ETIMEDOUT" })));
      });
    const worker = async () => {
      while (started < cfg.n) await one();
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: cfg.concurrency }, worker));
    // The flood: all at once, held until the trigger has answered each (accepted, or refused and closed).
    const sockets = [];
    let floodErrors = 0;
    await Promise.all(
      Array.from(
        { length: cfg.flood },
        () =>
          new Promise((resolve) => {
            const s = net.connect({ port: cfg.floodPort, host: "127.0.0.1" });
            sockets.push(s);
            s.on("error", () => {
              floodErrors++;
              resolve();
            });
            // A byte, as real clients send: a handshake the kernel finished with a SYN cookie while the
            // accept queue was full is only completed by the client's next (retransmitted) segment.
            s.once("connect", () => {
              s.write("x");
              resolve();
            });
          }),
      ),
    );
    send({ evt: "flooded", n: sockets.length, floodErrors });
    await new Promise((r) => process.once("message", r)); // the driver has counted; close
    sockets.forEach((s) => s.destroy());
    send({ evt: "faults", started, kinds, acks, failed, codes, ms: Date.now() - t0 });
  }

  const modes = { hold, cycles, faults };
  modes[cfg.mode]().then(
    () => process.exit(0),
    (err) => {
      send({ evt: "log", text: String(err && err.stack) });
      process.exit(1);
    },
  );
}

// ---------------------------------------------------------------- driver
function child(args, execArgv = []) {
  return ipcChild(__filename, args, {
    execArgv,
    echo: true,
    killAfterMs: 5000,
    waitMs: 300000,
    onMessage: (m) => {
      if (m.evt !== "log") return false;
      console.log(`  [${args[0]}] ${m.text}`);
      return true;
    },
  });
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** POST /flows on the host's admin API, as the editor's Deploy (full) does. */
function deploy(adminPort, flows) {
  const body = JSON.stringify(flows);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: adminPort,
        path: "/flows",
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(body),
          "Node-RED-Deployment-Type": "full",
          "Node-RED-API-Version": "v1",
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () =>
          res.statusCode === 200 || res.statusCode === 204 ? resolve() : reject(new Error(`deploy: HTTP ${res.statusCode} ${text}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const TAB = { id: "soak0000000tab01", type: "tab", label: "soak" };
const count = (id, key, y) => ({ id, type: "soak-count", z: TAB.id, key, x: 600, y, wires: [] });
const catchAll = (y) => [
  { id: "soak00000catch01", type: "catch", z: TAB.id, scope: null, uncaught: false, x: 100, y, wires: [["soak00000cerr001"]] },
  count("soak00000cerr001", "error", y),
];

/** Phases 1-2: a trigger answering every line on the same connection, and a slowloris-tolerant one. */
function loadFlow(port, slowPort, floodPort) {
  return [
    TAB,
    {
      id: "soak00000trig001",
      type: "tcp-server-trigger",
      z: TAB.id,
      host: "127.0.0.1",
      port: String(port),
      event: "line",
      eol: "lf",
      events: true,
      x: 100,
      y: 100,
      wires: [["soak0000reply001", "soak00000frm0001"], ["soak00000evt0001"]],
    },
    {
      id: "soak0000reply001",
      type: "send-to-tcp-port",
      z: TAB.id,
      mode: "reply",
      data: "ACK;",
      dataType: "str",
      x: 300,
      y: 100,
      wires: [["soak00000rep0001"]],
    },
    count("soak00000frm0001", "frames", 60),
    count("soak00000rep0001", "replied", 100),
    count("soak00000evt0001", "event", 140),
    {
      id: "soak00000slow001",
      type: "tcp-server-trigger",
      z: TAB.id,
      host: "127.0.0.1",
      port: String(slowPort),
      event: "line",
      eol: "lf",
      readTimeout: 3000,
      events: true,
      x: 100,
      y: 200,
      wires: [["soak00000sfr0001"], ["soak00000sev0001"]],
    },
    {
      id: "soak0000flood001",
      type: "tcp-server-trigger",
      z: TAB.id,
      host: "127.0.0.1",
      port: String(floodPort),
      event: "line",
      eol: "lf",
      maxConnections: 100,
      events: true,
      x: 100,
      y: 260,
      wires: [[], ["soak00000fev0001"]],
    },
    count("soak00000fev0001", "flood-event", 260),
    count("soak00000sfr0001", "slow-frames", 200),
    count("soak00000sev0001", "slow-event", 240),
    ...catchAll(300),
  ];
}

/**
 * Phase 3: every node type. A manager config node shared by the trigger and its reply;
 * the bridge (default manager) dials the trigger when its input waits; a send node
 * delivers a job to the driver's sink; a tcp client (with a heartbeat, so its timers are
 * in the leak check too) writes a line to a device of the driver's. Inject nodes start the
 * traffic of each deploy.
 */
function allNodesFlow(i, p) {
  const z = TAB.id;
  return [
    TAB,
    { id: "soak000000mgr001", type: "tcp-connection-manager", name: `soak ${i}` },
    {
      id: "soak0000trigB001",
      type: "tcp-server-trigger",
      z,
      manager: "soak000000mgr001",
      host: "127.0.0.1",
      port: String(p.trig),
      event: "line",
      eol: "lf",
      topic: `deploy ${i}`,
      x: 100,
      y: 100,
      wires: [["soak000replyB001", "soak00000bfr0001"]],
    },
    {
      id: "soak000replyB001",
      type: "send-to-tcp-port",
      z,
      mode: "reply",
      manager: "soak000000mgr001",
      data: "ACK;",
      dataType: "str",
      x: 300,
      y: 100,
      wires: [["soak00000brp0001"]],
    },
    count("soak00000bfr0001", "b-frames", 60),
    count("soak00000brp0001", "b-replied", 100),
    {
      id: "soak0000bridge01",
      type: "tcp-server-client-bridge",
      z,
      host: "127.0.0.1",
      port: String(p.bridge),
      peerHost: "127.0.0.1",
      peerPort: String(p.trig),
      eventBytes: "1",
      holdOff: "1",
      event: "chunk",
      x: 300,
      y: 200,
      wires: [["soak00000bin0001"]],
    },
    count("soak00000bin0001", "bridge-in", 200),
    {
      id: "soak00000inj0001",
      type: "inject",
      z,
      props: [{ p: "payload" }],
      payload: "b\n",
      payloadType: "str",
      once: true,
      onceDelay: 0.1,
      repeat: "",
      x: 100,
      y: 200,
      wires: [["soak0000bridge01"]],
    },
    {
      id: "soak000000send01",
      type: "send-to-tcp-port",
      z,
      host: "127.0.0.1",
      port: String(p.sink),
      after: "close",
      x: 300,
      y: 300,
      wires: [["soak00000snt0001"]],
    },
    count("soak00000snt0001", "sent", 300),
    {
      id: "soak00000link001",
      type: "tcp-client-link",
      z,
      host: "127.0.0.1",
      port: String(p.link),
      heartbeat: "PING\\n",
      x: 300,
      y: 350,
      wires: [[]],
    },
    {
      id: "soak00000inj0003",
      type: "inject",
      z,
      props: [{ p: "payload" }],
      payload: `link ${i}\n`,
      payloadType: "str",
      once: true,
      onceDelay: 0.1,
      repeat: "",
      x: 100,
      y: 350,
      wires: [["soak00000link001"]],
    },
    {
      id: "soak00000inj0002",
      type: "inject",
      z,
      props: [{ p: "payload" }],
      payload: `job ${i}`,
      payloadType: "str",
      once: true,
      onceDelay: 0.1,
      repeat: "",
      x: 100,
      y: 300,
      wires: [["soak000000send01"]],
    },
    ...catchAll(400),
  ];
}

/**
 * Phase 4, on a tab of its own (its Catch node apart from the other phases'): a stream tcp client and a
 * request/reply one. Replies are checked against their request in a Function node (cl-replied / cl-wrong).
 */
function clientFlow(p) {
  const z = "soak0000000tab04";
  const c = (id, key, y) => ({ id, type: "soak-count", z, key, x: 600, y, wires: [] });
  const link = { type: "tcp-client-link", z, host: "127.0.0.1", event: "line", eol: "lf", backoffFirst: "50", backoffLongest: "500" };
  return [
    { id: z, type: "tab", label: "soak tcp client" },
    Object.assign(
      { id: "soakcl00stream01", port: String(p.stream), events: true, x: 100, y: 100, wires: [["soakcl00sfrm0001"], ["soakcl00sevt0001"]] },
      link,
    ),
    Object.assign(
      { id: "soakcl00rqst0001", port: String(p.request), mode: "request", pipeline: "4", x: 100, y: 200, wires: [["soakcl00check001"]] },
      link,
    ),
    {
      id: "soakcl00check001",
      type: "function",
      z,
      func: 'return msg.payload === "ANSWER " + msg.req ? [msg, null] : [null, msg];',
      outputs: 2,
      noerr: 0,
      initialize: "",
      finalize: "",
      libs: [],
      x: 300,
      y: 200,
      wires: [["soakcl00rply0001"], ["soakcl00wrng0001"]],
    },
    {
      id: "soakcl00cmpl0001",
      type: "complete",
      z,
      scope: ["soakcl00stream01"],
      uncaught: false,
      x: 100,
      y: 300,
      wires: [["soakcl00done0001"]],
    },
    {
      id: "soakcl00catch001",
      type: "catch",
      z,
      scope: ["soakcl00stream01"],
      uncaught: false,
      x: 100,
      y: 400,
      wires: [["soakcl00cerr0001"]],
    },
    {
      id: "soakcl00catch002",
      type: "catch",
      z,
      scope: ["soakcl00rqst0001"],
      uncaught: false,
      x: 100,
      y: 440,
      wires: [["soakcl00cerr0002"]],
    },
    c("soakcl00sfrm0001", "cl-frames", 100),
    c("soakcl00sevt0001", "cl-event", 140),
    c("soakcl00rply0001", "cl-replied", 200),
    c("soakcl00wrng0001", "cl-wrong", 240),
    c("soakcl00done0001", "cl-done", 300),
    c("soakcl00cerr0001", "cl-s-error", 400),
    c("soakcl00cerr0002", "cl-q-error", 440),
  ];
}

/** A device on 127.0.0.1: every line it gets is counted (and answered with answer(line), if given); restart() power-cycles it. */
async function soakDevice(answer) {
  const seen = new Map();
  const sockets = new Set();
  let server;
  let port = 0;
  const up = () =>
    new Promise((resolve) => {
      server = net.createServer((s) => {
        sockets.add(s);
        let rest = "";
        s.on("error", () => undefined);
        s.on("close", () => sockets.delete(s));
        s.on("data", (b) => {
          const lines = (rest + b).split("\n");
          rest = lines.pop();
          for (const l of lines) {
            seen.set(l, (seen.get(l) || 0) + 1);
            if (answer) s.write(answer(l));
          }
        });
      });
      server.listen(port, "127.0.0.1", () => {
        port = /** @type {import("net").AddressInfo} */ (server.address()).port;
        resolve(undefined);
      });
    });
  const down = (reset) =>
    new Promise((resolve) => {
      for (const s of sockets) reset ? s.resetAndDestroy() : s.destroy();
      server.close(() => resolve(undefined));
    });
  await up();
  return {
    port,
    seen,
    /** Lines received more than once. */
    twice: () => [...seen.values()].filter((n) => n > 1).length,
    restart: async (reset, offMs) => {
      await down(reset);
      await sleep(offMs);
      await up();
    },
    close: () => down(false),
  };
}

/** Phase 4: returns nothing; reports its figures. */
async function clientPhase({ adminPort, host, counts, sessions, waitUntil, figure, seconds }) {
  const stream = await soakDevice();
  // Replies in order. (No unsolicited lines here: with requests pipelined one would be taken as a reply, as
  // order is all TCP gives; test/fault/peers.test.js covers them with no request in flight.)
  const request = await soakDevice((line) => `ANSWER ${line}\n`);
  await deploy(adminPort, [TAB, ...catchAll(400), ...clientFlow({ stream: stream.port, request: request.port })]);
  await waitUntil(async () => (await sessions()) === 2, "both tcp clients connected", 10000);
  const before = await counts();
  const mem0 = await host.call("memory");
  const fed = { stream: 0, request: 0 };
  let restarts = 0;
  const end = Date.now() + seconds * 1000;
  const restarter = (async () => {
    for (let k = 0; Date.now() < end - 1000; k++) {
      await sleep(2000);
      await stream.restart(k % 2 === 0, 200);
      restarts++;
    }
  })();
  const samples = [];
  let nextSample = Date.now() + 5000;
  while (Date.now() < end) {
    await host.call("feed", { node: "soakcl00stream01", prefix: "s", from: fed.stream, n: 20 });
    fed.stream += 20;
    await host.call("feed", { node: "soakcl00rqst0001", prefix: "q", from: fed.request, n: 10 });
    fed.request += 10;
    if (Date.now() > nextSample) {
      const m = await host.call("memory");
      samples.push(m.heapUsed);
      nextSample = Date.now() + 5000;
    }
    await sleep(25);
  }
  await restarter;
  /** Counts since the phase began: one key, or the sum of every key under a prefix ("cl-s-error:"). */
  const since = (c, key) =>
    key.endsWith(":")
      ? Object.keys(c)
          .filter((x) => x.startsWith(key))
          .reduce((n, x) => n + (c[x] || 0) - (before[x] || 0), 0)
      : (c[key] || 0) - (before[key] || 0);
  const k = await waitUntil(
    async () => {
      const c = await counts();
      const streamEnded = since(c, "cl-done") + since(c, "cl-s-error:") >= fed.stream;
      const requestsEnded = since(c, "cl-replied") + since(c, "cl-wrong") + since(c, "cl-q-error:") >= fed.request;
      const reconnected = since(c, "cl-event:connected") >= restarts;
      return streamEnded && requestsEnded && reconnected ? c : null;
    },
    "every tcp client input ended",
    30000,
  ).catch(() => counts());
  const memEnd = await host.call("memory");
  const d = (key) => since(k, key);
  const codes = (pre) =>
    Object.fromEntries(
      Object.keys(k)
        .filter((x) => x.startsWith(pre) && d(x) > 0)
        .map((x) => [x.slice(pre.length), d(x)]),
    );
  const streamErrors = d("cl-s-error:");
  const reqErrors = d("cl-q-error:");
  const lostStream = fed.stream - d("cl-done") - streamErrors;
  figure(
    "tcp client, stream to a device restarted every 2 s: in = done + errors",
    `${fed.stream} in, ${d("cl-done")} done, ${streamErrors} errors ${JSON.stringify(codes("cl-s-error:"))}, ${restarts} restarts, connected ${d("cl-event:connected")} times; the device got ${stream.seen.size} lines (done is the kernel's word: a reset drops what it had not passed on), ${stream.twice()} twice`,
    lostStream === 0 &&
      stream.twice() === 0 &&
      Object.keys(codes("cl-s-error:")).every((c) => c === "ESENDFAILED") &&
      restarts > 0 &&
      d("cl-event:connected") >= restarts,
    `lost ${lostStream}`,
  );
  const lostReq = fed.request - d("cl-replied") - d("cl-wrong") - reqErrors;
  figure(
    "tcp client, request/reply (pipeline 4): each reply on its own msg",
    `${fed.request} requests, ${d("cl-replied")} replied, ${d("cl-wrong")} on a wrong msg, ${reqErrors} errors ${JSON.stringify(codes("cl-q-error:"))}`,
    lostReq === 0 && d("cl-wrong") === 0 && reqErrors === 0 && request.twice() === 0,
    `lost ${lostReq}`,
  );
  const heapRef = samples.length ? samples[0] : mem0.heapUsed;
  const heapGrowth = (memEnd.heapUsed - heapRef) / MB;
  figure(
    "tcp client: heap after GC",
    `${(memEnd.heapUsed / MB).toFixed(1)} MB, ${heapGrowth >= 0 ? "+" : ""}${heapGrowth.toFixed(1)} MB since the first sample`,
    heapGrowth <= 4,
    `RSS ${(mem0.rss / MB).toFixed(1)} -> ${(memEnd.rss / MB).toFixed(1)} MB, ${samples.length} samples`,
  );
  await deploy(adminPort, [TAB, ...catchAll(400)]);
  const left = await waitUntil(async () => ((await sessions()) === 0 ? 1 : 0), "the tcp clients' sessions released", 15000)
    .then(() => 0)
    .catch(() => sessions());
  await stream.close();
  await request.close();
  figure("tcp client: sessions after the redeploy", left, left === 0);
}

async function main() {
  const quick = process.argv.includes("--quick");
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const only = arg("--only");
  if (only !== undefined && only !== "client" && only !== "crash") {
    console.log(`FAIL --only ${only}: only "client" (phase 4) or "crash" (phase 5) can run alone`);
    process.exit(1);
  }
  const clientSeconds = Number(arg("--client-seconds") ?? (quick ? 20 : 120));
  const F = quick
    ? { held: 1000, cycles: 10000, faults: 2000, flood: 2000, redeploys: 20, crashJobs: 400, kills: 4 }
    : { held: 10000, cycles: 100000, faults: 20000, flood: 2000, redeploys: 200, crashJobs: 2000, kills: 10 };
  let faultErrors = 0;
  const t0 = Date.now();
  const figures = [];
  const figure = (name, value, ok, detail = "") => {
    figures.push({ name, value, ok, detail });
    console.log(`${ok ? "PASS" : "FAIL"} ${name}: ${value}${detail ? ` (${detail})` : ""}`);
  };
  if (only === "crash") {
    await crashPhase();
    const failedCrash = figures.filter((f) => !f.ok);
    console.log(
      `\nsoak: ${figures.length - failedCrash.length} passed, ${failedCrash.length} failed (${Math.round((Date.now() - t0) / 1000)} s)`,
    );
    process.exitCode = failedCrash.length ? 1 : 0;
    return;
  }
  let nofile = "?";
  try {
    nofile = execSync("ulimit -n", { shell: "/bin/sh" }).toString().trim();
  } catch {
    /* not a POSIX shell */
  }
  console.log(
    `soak: ${only ? "tcp client only" : `${F.held} held, ${F.cycles} cycles, ${F.redeploys} redeploys`}, tcp client ${clientSeconds} s; ${os.cpus().length} cores, node ${process.version}, ulimit -n ${nofile}`,
  );
  if (!only && nofile !== "?" && nofile !== "unlimited" && Number(nofile) < F.held + 1000) {
    console.log(`FAIL ulimit -n ${nofile}: ${F.held} connections need ${F.held + 1000} file descriptors in the host and in the client`);
    process.exit(1);
  }

  const adminPort = await freePort();
  const host = child(["--host", JSON.stringify({ adminPort })], ["--expose-gc", "--max-old-space-size=2048"]);
  await host.wait("ready", 60000);
  const counts = async () => (await host.call("counts")).counts;
  const sessions = async () => (await host.call("sessions")).sessions;
  const waitUntil = async (fn, what, ms = 60000) => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`soak: timed out waiting for ${what}`);
      await sleep(50);
    }
  };

  try {
    if (!only) await serverPhases();
    // ------------------------------------------------------------ phase 4: tcp client
    await clientPhase({ adminPort, host, counts, sessions, waitUntil, figure, seconds: clientSeconds });
    const k5 = await counts();
    const errs = Object.entries(k5).filter(([k]) => k.startsWith("error"));
    const unexpected = errs.reduce((s, [, v]) => s + v, 0) - faultErrors;
    figure(
      "errors reported to Catch nodes outside the fault phase",
      unexpected,
      unexpected === 0,
      errs.map(([k, v]) => `${k} ${v}`).join(", ") || "none at all",
    );
  } finally {
    await host.kill();
  }
  if (!only) await crashPhase();
  const failed = figures.filter((f) => !f.ok);
  const secs = Math.round((Date.now() - t0) / 1000);
  console.log(`\nsoak: ${figures.length - failed.length} passed, ${failed.length} failed (${secs} s)`);
  process.exitCode = failed.length ? 1 : 0;

  /** Phase 5: SIGKILLs while kept jobs print (issue 15). */
  async function crashPhase() {
    const { crashRun, clientCrashRun } = require("./lib/crash-run");
    const t5 = Date.now();
    const r = await crashRun({ jobs: F.crashJobs, kills: F.kills, seed: 1015, log: (line) => console.log(`  ${line}`) });
    const perKill = {};
    for (const d of r.duplicates) perKill[d.kill] = (perKill[d.kill] || 0) + 1;
    figure(
      `crashes: ${F.crashJobs} kept jobs, ${F.kills} SIGKILLs, lost`,
      r.lost.length,
      r.lost.length === 0 && r.garbled.length === 0 && r.outOfOrder.length === 0,
      `${r.printed} printed, out of order ${r.outOfOrder.length}, printed in part ${r.garbled.length}, errors ${r.errors.length}, ${Math.round((Date.now() - t5) / 1000)} s`,
    );
    figure(
      "crashes: duplicates, each printed right before a kill and first after the restart",
      r.duplicates.length,
      r.unexplained.length === 0,
      `per kill ${JSON.stringify(perKill)}, unexplained ${JSON.stringify(r.unexplained)}, connections cut before any byte ${r.empty}`,
    );
    // The tcp client's kept requests, the same number of jobs and kills.
    const t6 = Date.now();
    const c = await clientCrashRun({ jobs: F.crashJobs, kills: F.kills, seed: 1015, log: (line) => console.log(`  ${line}`) });
    figure(
      `crashes, tcp client: ${F.crashJobs} kept requests, ${F.kills} SIGKILLs, lost`,
      c.lost.length,
      c.lost.length === 0 && c.garbled.length === 0 && c.outOfOrder.length === 0,
      `${c.printed} received, out of order ${c.outOfOrder.length}, cut lines ${c.garbled.length}, errors ${c.errors.length}, ${Math.round((Date.now() - t6) / 1000)} s`,
    );
    figure(
      "crashes, tcp client: duplicates, each received right before a kill and first after the restart",
      c.duplicates.length,
      c.unexplained.length === 0,
      `unexplained ${JSON.stringify(c.unexplained)}`,
    );
    // And its stream writes (64 kB lines a slow device reads), killed mid-stream.
    const t7 = Date.now();
    const st = await clientCrashRun({
      jobs: F.kills * 50,
      kills: F.kills,
      seed: 1015,
      mode: "stream",
      log: (line) => console.log(`  ${line}`),
    });
    figure(
      `crashes, tcp client stream: ${F.kills * 50} kept writes, ${F.kills} SIGKILLs mid-stream, lost`,
      st.lost.length,
      st.lost.length === 0 && st.garbled.length === 0 && st.outOfOrder.length === 0 && st.unexplained.length === 0,
      `${st.printed} received, duplicates ${st.duplicates.length} (unexplained ${st.unexplained.length}), out of order ${st.outOfOrder.length}, errors ${st.errors.length}, ${Math.round((Date.now() - t7) / 1000)} s`,
    );
  }

  /** Phases 1-3 (the server side and the redeploys). */
  async function serverPhases() {
    // ------------------------------------------------------------ phases 1 and 2
    const port = await freePort();
    const slowPort = await freePort();
    const floodPort = await freePort();
    await deploy(adminPort, loadFlow(port, slowPort, floodPort));
    await waitUntil(async () => !(await portFree(port)) && !(await portFree(slowPort)), "the triggers listening");

    // Slowloris: clients sending a line one byte a second, all through phases 1 and 2.
    const slow = { lines: 0, stop: false, closed: 0, sockets: [] };
    const SLOW_CLIENTS = 20;
    for (let i = 0; i < SLOW_CLIENTS; i++) {
      const s = net.connect(slowPort, "127.0.0.1");
      s.on("error", () => undefined);
      s.on("close", () => slow.closed++);
      slow.sockets.push(s);
    }
    const slowLoop = (async () => {
      const text = "slow\n";
      for (let k = 0; !slow.stop; k++) {
        for (const s of slow.sockets) if (!s.destroyed) s.write(text[k % text.length]);
        if (k % text.length === text.length - 1) slow.lines += slow.sockets.filter((s) => !s.destroyed).length;
        await sleep(1000);
      }
    })();

    // Phase 1: held connections.
    const mem0 = await host.call("memory");
    const c1 = child(["--client", JSON.stringify({ mode: "hold", port, n: F.held })]);
    const conn = await c1.wait("connected", 300000);
    const heldSessions = await waitUntil(
      async () => {
        const n = await sessions();
        return n >= F.held + SLOW_CLIENTS ? n : 0;
      },
      `${F.held} sessions`,
      60000,
    ).catch(async () => sessions());
    const memHeld = await host.call("memory");
    c1.send({ go: true });
    const acked = await c1.wait("acked", 300000);
    const k1 = await counts();
    c1.send({ close: true });
    await c1.wait("closed");
    await c1.kill();
    await waitUntil(async () => (await sessions()) === SLOW_CLIENTS, "held connections released", 60000).catch(() => undefined);
    const leftHeld = (await sessions()) - SLOW_CLIENTS;
    const held = heldSessions - SLOW_CLIENTS;
    figure(
      "connections held at once on one trigger",
      held,
      held === F.held && conn.n === F.held && leftHeld === 0,
      `client opened ${conn.n}, ${conn.errors} connect errors, RSS +${Math.round((memHeld.rss - mem0.rss) / MB)} MB while held, ${leftHeld} sessions left after they closed`,
    );
    const lost1 = F.held - (k1.replied || 0) - (k1.error || 0);
    figure(
      "held: lines in = replies out + errors",
      `${F.held} in, ${k1.frames || 0} frames, ${k1.replied || 0} replies, ${acked.acks} received, ${k1.error || 0} errors`,
      k1.frames === F.held && k1.replied === F.held && acked.acks === F.held && !k1.error,
      `lost ${lost1}`,
    );

    // Phase 2: connect / line / reply / disconnect cycles.
    const before2 = await counts();
    const c2 = child(["--client", JSON.stringify({ mode: "cycles", port, n: F.cycles, concurrency: 50, reportEvery: F.cycles / 10 })]);
    const samples = [];
    let cyc;
    for (;;) {
      const ev = await c2.wait(["progress", "cycles"], 600000);
      if (ev.evt === "cycles") {
        cyc = ev;
        break;
      }
      const m = await host.call("memory");
      samples.push({ done: ev.done, rss: m.rss, heap: m.heapUsed });
      console.log(
        `  cycles ${ev.done}: RSS ${(m.rss / MB).toFixed(1)} MB, heap ${(m.heapUsed / MB).toFixed(1)} MB, sessions ${await sessions()}`,
      );
      c2.send({ go: true });
    }
    await c2.kill();
    const after2Sessions = await waitUntil(
      async () => ((await sessions()) === SLOW_CLIENTS ? SLOW_CLIENTS : 0),
      "sessions back to the slowloris ones",
      30000,
    ).catch(async () => sessions());
    const k2 = await counts();
    const d = (k) => (k2[k] || 0) - (before2[k] || 0);
    const memEnd = await host.call("memory");
    // Flat: RSS after GC at the end no higher than 8 MB over the highest reading of the first half (the
    // allocator keeps pages it got early, so RSS steps once and then stays), and the JS heap no more than
    // 4 MB over the first reading. A leak of 100 bytes a cycle would add 5 MB in the second half alone.
    const firstHalf = samples.filter((x) => x.done <= F.cycles / 2);
    const rssRef = firstHalf.length ? Math.max(...firstHalf.map((x) => x.rss)) : memEnd.rss;
    const heapRef = samples.length ? samples[0].heap : memEnd.heapUsed;
    const rssGrowth = (memEnd.rss - rssRef) / MB;
    const heapGrowth = (memEnd.heapUsed - heapRef) / MB;
    figure(
      "connect/disconnect cycles",
      cyc.started,
      cyc.started === F.cycles && cyc.acked === F.cycles,
      `${cyc.acked} answered, ${cyc.failed} failed ${JSON.stringify(cyc.codes)}, ${Math.round(cyc.ms / 1000)} s, ${Math.round((cyc.acked / cyc.ms) * 1000)}/s`,
    );
    figure(
      "sessions in the manager after the cycles",
      after2Sessions - SLOW_CLIENTS,
      after2Sessions === SLOW_CLIENTS,
      `${SLOW_CLIENTS} slowloris connections still open`,
    );
    const signed = (x) => `${x >= 0 ? "+" : ""}${x.toFixed(1)} MB`;
    figure(
      "RSS after the cycles (after GC)",
      `${(memEnd.rss / MB).toFixed(1)} MB, ${signed(rssGrowth)} over the first half's highest`,
      rssGrowth <= 8 && heapGrowth <= 4,
      `heap ${(memEnd.heapUsed / MB).toFixed(1)} MB, ${signed(heapGrowth)} since cycle ${samples.length ? samples[0].done : 0}`,
    );
    const lost2 = cyc.started - d("replied") - d("error");
    figure(
      "cycles: lines in = replies out + errors",
      `${cyc.started} in, ${d("frames")} frames, ${d("replied")} replies, ${d("error")} errors; ${d("event:connected")} connected = ${d("event:closed")} closed`,
      lost2 === 0 && d("frames") === cyc.started && d("event:connected") === d("event:closed") && d("event:connected") === cyc.started,
      `lost ${lost2}`,
    );

    // Phase 2b: peer faults at scale, and a flood beyond max connections.
    const before2b = await counts();
    const c3 = child(["--client", JSON.stringify({ mode: "faults", port, n: F.faults, concurrency: 50, floodPort, flood: F.flood })]);
    const flooded = await c3.wait("flooded", 600000);
    const floodSeen = await waitUntil(
      async () => {
        const k = await counts();
        const dd = (key) => (k[key] || 0) - (before2b[key] || 0);
        return dd("flood-event:connected") + dd("flood-event:refused") >= F.flood ? k : null;
      },
      "every flood connection accepted or refused",
      60000,
    ).catch(() => counts());
    const floodSessions = await sessions();
    c3.send({ close: true });
    const fl = await c3.wait("faults", 600000);
    await c3.kill();
    await waitUntil(async () => (await sessions()) === SLOW_CLIENTS, "fault sessions released", 30000).catch(() => undefined);
    await sleep(500);
    const leftFaults = (await sessions()) - SLOW_CLIENTS;
    const k2b = await counts();
    const db = (key) => (k2b[key] || 0) - (before2b[key] || 0);
    const df = (key) => (floodSeen[key] || 0) - (before2b[key] || 0);
    const errs2b = /** @type {Array<[string, number]>} */ (
      Object.entries(k2b)
        .filter(([key]) => key.startsWith("error:"))
        .map(([key, v]) => [key, v - (before2b[key] || 0)])
    ).filter(([, v]) => v > 0);
    const errCount = errs2b.reduce((n, [, v]) => n + v, 0);
    const onlyGone = errs2b.every(([key]) => ["error:ESESSIONCLOSED", "error:EPIPE", "error:ECONNRESET"].includes(key));
    const linesIn = fl.kinds[0] + fl.kinds[1] + fl.kinds[3];
    faultErrors = errCount;
    figure(
      "peer faults: lines in = frames out; frames = replies + reported errors",
      `${fl.started} connections (${fl.kinds.join("/")} normal/mid-frame close/close at connect/gone before reply), ${linesIn} lines in, ${db("frames")} frames, ${db("replied")} replies, ${errCount} errors ${JSON.stringify(Object.fromEntries(errs2b))}`,
      fl.failed === 0 &&
        db("frames") === linesIn &&
        db("replied") + errCount === db("frames") &&
        onlyGone &&
        fl.acks === fl.kinds[0] &&
        db("event:connected") === db("event:closed") &&
        leftFaults === 0,
      `lost ${linesIn - db("frames") + (db("frames") - db("replied") - errCount)}, client failures ${fl.failed} ${JSON.stringify(fl.codes)}, ${leftFaults} sessions left`,
    );
    figure(
      "connection flood beyond max connections (100)",
      `${F.flood} offered, ${df("flood-event:connected")} accepted, ${df("flood-event:refused")} refused`,
      flooded.n === F.flood &&
        df("flood-event:connected") === 100 &&
        df("flood-event:connected") + df("flood-event:refused") === F.flood &&
        floodSessions === SLOW_CLIENTS + 100,
      `${floodSessions - SLOW_CLIENTS} sessions while flooded, lost ${F.flood - df("flood-event:connected") - df("flood-event:refused")}`,
    );

    slow.stop = true;
    await slowLoop;
    await sleep(200);
    const k3 = await counts();
    figure(
      "slowloris (1 byte/s) through phases 1-2",
      `${SLOW_CLIENTS} clients, ${slow.lines} lines sent, ${k3["slow-frames"] || 0} received, ${k3["slow-event:timeout"] || 0} timeouts`,
      (k3["slow-frames"] || 0) === slow.lines && slow.lines > 0 && !k3["slow-event:timeout"] && slow.closed === 0,
      `lost ${slow.lines - (k3["slow-frames"] || 0)}`,
    );
    for (const s of slow.sockets) s.destroy();

    // ------------------------------------------------------------ phase 3: redeploys
    const sinkJobs = [];
    const sink = net.createServer((s) => {
      let text = "";
      s.on("data", (b) => (text += b));
      s.on("end", () => sinkJobs.push(text));
      s.on("error", () => undefined);
    });
    await new Promise((r) => sink.listen(0, "127.0.0.1", () => r(undefined)));
    // The tcp client's device: the lines it got, one per deploy.
    const linkLines = [];
    const linkDevice = net.createServer((s) => {
      let rest = "";
      s.on("data", (b) => {
        const lines = (rest + b).split("\n");
        rest = lines.pop();
        linkLines.push(...lines.filter((l) => /^link \d+$/.test(l))); // not its heartbeats
      });
      s.on("error", () => undefined);
    });
    await new Promise((r) => linkDevice.listen(0, "127.0.0.1", () => r(undefined)));
    const p = {
      trig: await freePort(),
      bridge: await freePort(),
      sink: /** @type {import("net").AddressInfo} */ (sink.address()).port,
      link: /** @type {import("net").AddressInfo} */ (linkDevice.address()).port,
    };
    let driverAcks = 0;
    const oneDeploy = async (i) => {
      const before = await counts();
      const jobs = sinkJobs.length;
      const links = linkLines.length;
      await deploy(adminPort, allNodesFlow(i, p));
      // The driver's own client: a line in, the reply back.
      const s = await waitUntil(
        () =>
          new Promise((resolve) => {
            const c = net.connect(p.trig, "127.0.0.1", () => resolve(c));
            c.on("error", () => resolve(null));
          }),
        "the trigger after a deploy",
        10000,
      );
      const got = new Promise((resolve) => s.on("data", (b) => b.includes(0x3b) && resolve()));
      s.write(`driver ${i}\n`);
      await got;
      driverAcks++;
      s.destroy();
      await waitUntil(
        async () => {
          const k = await counts();
          const dd = (key) => (k[key] || 0) - (before[key] || 0);
          return dd("bridge-in") >= 1 && dd("sent") >= 1 && sinkJobs.length > jobs && dd("b-replied") >= 2 && linkLines.length > links;
        },
        `deploy ${i}: traffic through every node`,
        15000,
      );
    };
    // Warm-up deploy, then the empty flow: the baseline of what a runtime without our flows holds.
    await deploy(adminPort, [TAB, ...catchAll(400)]);
    await sleep(1000);
    await oneDeploy(0);
    await deploy(adminPort, [TAB, ...catchAll(400)]);
    await sleep(1000);
    const base = {
      res: (await host.call("resources")).resources,
      listeners: (await host.call("listeners")).listeners,
      mem: await host.call("memory"),
    };
    const kBefore = await counts();
    const t3 = Date.now();
    for (let i = 1; i <= F.redeploys; i++) {
      await oneDeploy(i);
      if (i % 50 === 0) console.log(`  redeploys ${i}: ${Math.round((Date.now() - t3) / 1000)} s`);
    }
    const k4 = await counts();
    const d4 = (k) => (k4[k] || 0) - (kBefore[k] || 0);
    await deploy(adminPort, [TAB, ...catchAll(400)]);
    await sleep(1500);
    const after = {
      res: (await host.call("resources")).resources,
      listeners: (await host.call("listeners")).listeners,
      mem: await host.call("memory"),
      sessions: await sessions(),
    };
    const leaked = {};
    for (const k of new Set([...Object.keys(base.res), ...Object.keys(after.res)])) {
      const diff = (after.res[k] || 0) - (base.res[k] || 0);
      if (diff > 0) leaked[k] = diff;
    }
    const portsFree = (await portFree(p.trig)) && (await portFree(p.bridge));
    sink.close();
    linkDevice.close();
    figure(
      "redeploys (full, admin API) of a flow with every node type",
      F.redeploys,
      Object.keys(leaked).length === 0 && after.listeners <= base.listeners && portsFree && after.sessions === 0,
      `leaked handles/resources ${JSON.stringify(leaked)}, process listeners ${base.listeners} -> ${after.listeners}, ports ${portsFree ? "free" : "STILL IN USE"}, sessions ${after.sessions}, RSS ${(base.mem.rss / MB).toFixed(1)} -> ${(after.mem.rss / MB).toFixed(1)} MB, ${Math.round((Date.now() - t3) / 1000)} s`,
    );
    const n = F.redeploys;
    // In: the driver's lines, the bridge's inputs, the jobs. Out: replies the driver got, replies the bridge got, jobs the sink got.
    const lost3 = 4 * n - (driverAcks - 1 + d4("bridge-in") + (sinkJobs.length - 1) + (linkLines.length - 1)) - d4("error");
    figure(
      "redeploys: traffic in = out + errors",
      `${n} driver lines + ${n} bridge inputs + ${n} jobs + ${n} tcp client lines in; ${d4("b-frames")} frames, ${d4("b-replied")} replies, ${d4("bridge-in")} bridge replies, ${d4("sent")} jobs sent, ${sinkJobs.length - 1} jobs received, ${linkLines.length - 1} client lines received, ${d4("error")} errors`,
      d4("b-frames") === 2 * n &&
        d4("b-replied") === 2 * n &&
        d4("bridge-in") === n &&
        d4("sent") === n &&
        sinkJobs.length - 1 === n &&
        linkLines.length - 1 === n &&
        driverAcks - 1 === n &&
        d4("error") === 0,
      `lost ${lost3}`,
    );
  }
}

if (process.argv[2] === "--host") {
  runHost(JSON.parse(process.argv[3])).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else if (process.argv[2] === "--client") {
  runClient(JSON.parse(process.argv[3]));
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(2);
  });
}
