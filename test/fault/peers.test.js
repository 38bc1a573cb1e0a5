// Fault suite, misbehaving peers: reset mid-frame, half-open, close right after
// connect, slowloris, connection flood, refused, unreachable (connect timeout)
// and a peer that never reads; for the tcp client also a device that resets
// mid-reply, splits its replies, never answers, talks unasked, and TLS peers
// it must not trust. For each, what went in is counted against what
// came out plus what was reported (to a Catch node or as an event): lost = 0.
// The long versions (10k connections, 100k cycles, 200 redeploys) are in
// scripts/soak.js (`npm run soak`).
"use strict";
const assert = require("assert");
const fs = require("fs");
const net = require("net");
const path = require("path");
const { fork, spawnSync } = require("child_process");
const catchNode = require("@node-red/nodes/core/common/25-catch.js");
const completeNode = require("@node-red/nodes/core/common/24-complete.js");
const tls = require("tls");
const tlsNode = require("@node-red/nodes/core/network/05-tls.js");
const { onTab, helper, nodes, lib, freePort, sleep, waitFor, connect, recorder } = require("../helpers");
const { loadClient } = require("../helpers/client");
const { device } = require("../helpers/device");
const { certs, tlsConfigNode } = require("../helpers/certs");

const NODES = [nodes.manager, nodes.trigger, nodes.send, nodes.bridge, nodes.client, catchNode, completeNode, tlsNode];
const HOST = "127.0.0.1";
const { DEFAULT_MANAGER } = lib("sessions/manager.js");
const { REPLY_MAX_PENDING } = lib("outbound/reply.js");
const registry = DEFAULT_MANAGER.registry;

const catchFlow = () => [
  { id: "catcher", type: "catch", scope: null, uncaught: false, x: 100, y: 500, wires: [["caught"]] },
  { id: "caught", type: "helper", x: 300, y: 500 },
];
const caughtFrom = (caught, id) => caught.msgs.filter((m) => m.error && m.error.source && m.error.source.id === id);
const events = (ev, name) => ev.msgs.filter((m) => m.event === name);

/** A trigger "trig" (frames to "out", events to "ev") plus a Catch node. */
async function trigger(props, extra = []) {
  const port = await freePort();
  await helper.load(
    NODES,
    onTab([
      Object.assign(
        { id: "trig", type: "tcp-server-trigger", host: HOST, port: String(port), events: true, x: 100, y: 100, wires: [["out"], ["ev"]] },
        props,
      ),
      { id: "out", type: "helper", x: 300, y: 100 },
      { id: "ev", type: "helper", x: 300, y: 150 },
      ...extra,
      ...catchFlow(),
    ]),
  );
  const r = { port, out: recorder(helper.getNode("out")), ev: recorder(helper.getNode("ev")), caught: recorder(helper.getNode("caught")) };
  await waitFor(() => canConnect(port), `trigger on ${port}`);
  // Forget the probe connection's events.
  await waitFor(() => events(r.ev, "closed").length === 1, "probe closed");
  r.ev.msgs.length = 0;
  return r;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, HOST, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

/** A server whose sockets never read (paused at once): the kernel buffers fill, then the writer's. */
function neverReads() {
  const sockets = [];
  const server = net.createServer({ pauseOnConnect: true }, (s) => {
    s.on("error", () => undefined);
    sockets.push(s);
  });
  return new Promise((resolve) =>
    server.listen(0, HOST, () =>
      resolve({
        port: /** @type {import("net").AddressInfo} */ (server.address()).port,
        sockets,
        close: () => {
          sockets.forEach((s) => s.destroy());
          return new Promise((r) => server.close(() => r()));
        },
      }),
    ),
  );
}

/**
 * A host that never answers a connect: a listener in a child process whose
 * event loop is blocked (so it never accepts), with its backlog of 1 filled,
 * so the kernel drops further SYNs, as a host that is down would. Loopback only.
 */
async function blackHole() {
  const child = fork(path.join(__dirname, "black-hole.js"), [], { stdio: ["ignore", "ignore", "ignore", "ipc"] });
  const port = await new Promise((resolve) => child.once("message", resolve));
  const fillers = [];
  for (let i = 0; i < 4; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, HOST);
      s.on("error", () => undefined);
      const t = setTimeout(() => resolve(false), 300);
      s.once("connect", () => {
        clearTimeout(t);
        resolve(true);
      });
      fillers.push(s);
    });
    if (!ok) break;
  }
  return {
    port,
    close: () => {
      fillers.forEach((s) => s.destroy());
      child.kill("SIGKILL");
    },
  };
}

describe("fault: misbehaving peers", function () {
  this.timeout(30000);
  const cleanups = [];
  afterEach(async function () {
    await helper.unload();
    for (const c of cleanups.splice(0)) await c();
    await waitFor(() => registry.size === 0, `every session released (${registry.size} left)`);
  });

  describe("tcp trigger", function () {
    it("reset mid-frame: the partial line still comes out; a cut length frame is an EINCOMPLETEFRAME error; nothing lost", async function () {
      const port2 = await freePort();
      const t = await trigger({ event: "line", eol: "lf" }, [
        {
          id: "len",
          type: "tcp-server-trigger",
          host: HOST,
          port: String(port2),
          event: "length",
          headerBytes: 2,
          output: "buffer",
          x: 100,
          y: 300,
          wires: [["lout"]],
        },
        { id: "lout", type: "helper", x: 300, y: 300 },
      ]);
      const lout = recorder(helper.getNode("lout"));
      // Line mode: 50 lines and half of one, then a reset (RST, no FIN).
      const a = await connect(t.port);
      a.on("error", () => undefined);
      a.write(Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join("") + "half a li");
      await t.out.until(50);
      a.resetAndDestroy();
      await waitFor(() => events(t.ev, "closed").length === 1, "closed event");
      await sleep(50);
      assert.strictEqual(t.out.msgs.length, 51, "50 lines + the partial one");
      assert.strictEqual(t.out.msgs[50].payload, "half a li");
      // Length mode: 20 frames and 3 bytes of a 10-byte frame, then a reset.
      const b = await connect(port2);
      b.on("error", () => undefined);
      const frame = (s) => Buffer.concat([Buffer.from([0, s.length]), Buffer.from(s)]);
      b.write(Buffer.concat([...Array.from({ length: 20 }, (_, i) => frame(`frame-${i}`)), Buffer.from([0, 10]), Buffer.from("abc")]));
      await lout.until(20);
      b.resetAndDestroy();
      const errs = await waitFor(() => caughtFrom(t.caught, "len").length === 1 && caughtFrom(t.caught, "len"), "incomplete frame error");
      assert.strictEqual(errs[0].error.code, "EINCOMPLETEFRAME");
      await sleep(50);
      assert.strictEqual(lout.msgs.length + errs.length, 21, "frames sent = frames out + frames reported");
    });

    it("half-open (peer vanishes without FIN): the read timeout reclaims the session with a timeout event", async function () {
      const t = await trigger({ event: "line", eol: "lf", readTimeout: 200 });
      const c = await connect(t.port);
      c.on("error", () => undefined);
      const t0 = Date.now();
      c.write("alive\n");
      await t.out.until(1);
      // From here the peer says nothing and sends no FIN: as if its cable were pulled.
      c.pause();
      assert.strictEqual(registry.size, 1);
      await waitFor(() => events(t.ev, "closed").length === 1, "session reclaimed", 10000);
      assert.ok(Date.now() - t0 >= 180, `not before the read timeout (${Date.now() - t0} ms)`);
      assert.strictEqual(events(t.ev, "timeout").length, 1);
      assert.strictEqual(events(t.ev, "closed")[0].reason, "timeout");
      assert.strictEqual(registry.size, 0);
      c.destroy();
    });

    it("close right after connect (300 clients, FIN or RST): every connected has its closed, no session left", async function () {
      const t = await trigger({ event: "line", eol: "lf" });
      await Promise.all(
        Array.from(
          { length: 300 },
          (_, i) =>
            new Promise((resolve) => {
              const s = net.connect(t.port, HOST, () => {
                if (i % 2) s.resetAndDestroy();
                else s.end();
              });
              s.on("error", () => undefined);
              s.on("close", resolve);
            }),
        ),
      );
      await waitFor(() => registry.size === 0, "sessions released");
      // Every client is seen, even one reset before the accept completed (it has no peer address left).
      await waitFor(() => events(t.ev, "closed").length === 300, `a closed event for every client (${events(t.ev, "closed").length})`);
      assert.strictEqual(events(t.ev, "connected").length, 300);
      assert.deepStrictEqual(t.caught.msgs, []);
    });

    it("a storm of clients that send and reset while the event loop is busy: every line arrives, every connection is reported", async function () {
      const t = await trigger({ event: "line", eol: "lf" });
      // A child process connects 200 clients while this process is blocked (spawnSync), so the kernel
      // accepts them, takes their bytes and their RST before Node-RED's accept: 50 send a line and reset
      // (SO_LINGER 0, as many embedded devices close), 50 reset without a byte, 100 send a line and close.
      const code = `
        const net = require("net");
        let left = 200;
        const sent = () => { if (--left === 0) process.exit(0); };
        for (let i = 0; i < 200; i++) {
          const s = net.connect(${t.port}, "127.0.0.1", () => {
            if (i < 50) s.write("reset " + i + "\\n", () => { s.resetAndDestroy(); sent(); });
            else if (i < 100) { s.resetAndDestroy(); sent(); }
            else s.end("fin " + i + "\\n", sent);
          });
          s.on("error", () => undefined);
        }`;
      const r = spawnSync(process.execPath, ["-e", code], { timeout: 20000 });
      assert.strictEqual(r.status, 0, String(r.stderr));
      await waitFor(() => events(t.ev, "closed").length === 200, `every client reported (${events(t.ev, "closed").length} closed)`, 10000);
      await sleep(50);
      const lines = t.out.msgs.map((m) => m.payload).sort();
      const expected = [
        ...Array.from({ length: 50 }, (_, i) => `reset ${i}`),
        ...Array.from({ length: 100 }, (_, i) => `fin ${i + 100}`),
      ].sort();
      assert.deepStrictEqual(lines, expected, "every complete line, once");
      assert.strictEqual(events(t.ev, "connected").length, 200);
      // A peer the kernel no longer knows says so, instead of a made-up address.
      for (const m of [...t.out.msgs, ...t.ev.msgs]) {
        if (m.ip === "") assert.strictEqual(m.peerUnknown, true, JSON.stringify(m));
        else assert.strictEqual(m.ip, HOST);
      }
      assert.ok(
        t.out.msgs.some((m) => m.peerUnknown),
        "the storm produced clients reset before their accept",
      );
      assert.strictEqual(registry.size, 0);
      assert.deepStrictEqual(t.caught.msgs, []);
    });

    it("slowloris: a frame dribbled a byte at a time arrives whole without holding others up; one without end hits the max frame size", async function () {
      const t = await trigger({ event: "line", eol: "lf", maxFrame: 32, readTimeout: 1000 });
      const slow = await connect(t.port);
      const endless = await connect(t.port);
      const endlessPort = endless.localPort;
      endless.on("error", () => undefined);
      const fast = await connect(t.port);
      const text = "slow but whole\n";
      let i = 0;
      const drip = setInterval(() => {
        if (i < text.length) slow.write(text[i]);
        endless.write("z");
        i++;
        if (i > 40) clearInterval(drip);
      }, 15);
      cleanups.push(() => clearInterval(drip));
      for (let k = 0; k < 100; k++) fast.write(`fast ${k}\n`);
      const fastDone = await waitFor(
        () => t.out.msgs.filter((m) => m.payload.startsWith("fast")).length === 100 && Date.now(),
        "fast lines",
      );
      await waitFor(() => t.out.msgs.some((m) => m.payload === "slow but whole"), "the slow line", 5000);
      const slowDone = Date.now();
      assert.ok(fastDone < slowDone, "the fast client was not held up by the slow one");
      const tooLarge = await waitFor(
        () => caughtFrom(t.caught, "trig").find((m) => m.error.code === "EFRAMETOOLARGE"),
        "the endless frame cut",
        5000,
      );
      assert.strictEqual(tooLarge.port, endlessPort, "the error names the endless client");
      await waitFor(() => events(t.ev, "closed").some((m) => m.reason === "frame-too-large"), "the endless one closed");
      slow.destroy();
      fast.destroy();
    });

    it("connection flood beyond max connections: the first 5 are served, the other 55 refused with an event; accepted + refused = offered", async function () {
      const t = await trigger({ event: "line", eol: "lf", maxConnections: 5 });
      const socks = [];
      const offered = 60;
      for (let i = 0; i < offered; i++) {
        const s = net.connect(t.port, HOST);
        s.on("error", () => undefined);
        socks.push(s);
      }
      await waitFor(
        () => events(t.ev, "connected").length + events(t.ev, "refused").length === offered,
        "every connection accepted or refused",
      );
      assert.strictEqual(events(t.ev, "connected").length, 5);
      assert.strictEqual(events(t.ev, "refused").length, offered - 5);
      assert.ok(events(t.ev, "refused").every((m) => m.reason === "max-connections"));
      assert.strictEqual(registry.size, 5);
      socks.forEach((s) => s.destroy());
      await waitFor(() => registry.size === 0, "released");
      // Room again once they went.
      const again = await connect(t.port);
      await waitFor(() => events(t.ev, "connected").length === 6, "a new client accepted");
      again.destroy();
    });
  });

  describe("send to tcp port", function () {
    /** One send node "send" wired to "out", plus Catch. */
    async function sender(props) {
      await helper.load(
        NODES,
        onTab([
          Object.assign({ id: "send", type: "send-to-tcp-port", host: HOST, x: 100, y: 100, wires: [["out"]] }, props),
          { id: "out", type: "helper", x: 300, y: 100 },
          ...catchFlow(),
        ]),
      );
      return { send: helper.getNode("send"), out: recorder(helper.getNode("out")), caught: recorder(helper.getNode("caught")) };
    }

    it("refused: retried within its bound, then ECONNREFUSED to Catch; 10 jobs in, 10 errors out", async function () {
      const port = await freePort();
      const s = await sender({ port: String(port), attempts: 3, retryDelay: 10, retryMaxDelay: 20 });
      for (let i = 0; i < 10; i++) s.send.receive({ payload: `job ${i}` });
      await waitFor(() => caughtFrom(s.caught, "send").length === 10, "10 errors");
      assert.ok(caughtFrom(s.caught, "send").every((m) => m.error.code === "ECONNREFUSED"));
      assert.strictEqual(s.out.msgs.length, 0);
    });

    it("unreachable host: the connect timeout ends each attempt; ETIMEDOUT to Catch", async function () {
      const hole = await blackHole();
      cleanups.push(() => hole.close());
      const s = await sender({ port: String(hole.port), attempts: 2, connectTimeout: 150, retryDelay: 10 });
      const t0 = Date.now();
      for (let i = 0; i < 3; i++) s.send.receive({ payload: `job ${i}` });
      await waitFor(() => caughtFrom(s.caught, "send").length === 3, "3 errors", 10000);
      assert.ok(
        caughtFrom(s.caught, "send").every((m) => m.error.code === "ETIMEDOUT"),
        JSON.stringify(caughtFrom(s.caught, "send").map((m) => m.error)),
      );
      assert.ok(Date.now() - t0 >= 3 * 2 * 140, "each attempt waited for its timeout");
      assert.strictEqual(s.out.msgs.length, 0);
    });

    it("a printer that never reads: bounded queue, write timeout, memory bounded; every job ends as ETIMEDOUT or EQUEUEFULL", async function () {
      const peer = await neverReads();
      cleanups.push(() => peer.close());
      const s = await sender({ port: String(peer.port), writeTimeout: 300, maxQueue: 2, attempts: 1 });
      const big = Buffer.alloc(16 * 1024 * 1024, 0x41);
      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
      cleanups.push(() => clearInterval(sampler));
      for (let i = 0; i < 6; i++) s.send.receive({ payload: big, topic: `job ${i}` });
      await waitFor(() => caughtFrom(s.caught, "send").length === 6, "6 jobs ended", 10000);
      clearInterval(sampler);
      const codes = caughtFrom(s.caught, "send")
        .map((m) => m.error.code)
        .sort();
      assert.deepStrictEqual(codes, ["EQUEUEFULL", "EQUEUEFULL", "EQUEUEFULL", "ETIMEDOUT", "ETIMEDOUT", "ETIMEDOUT"]);
      assert.strictEqual(s.out.msgs.length, 0);
      assert.ok(peak - rss0 < 200 * 1024 * 1024, `RSS grew ${Math.round((peak - rss0) / 1048576)} MB`);
    });

    it("a reply the client does not take within the send timeout fails (ETIMEDOUT) and closes the connection, so it cannot arrive later", async function () {
      const t = await trigger({ event: "line", eol: "lf" }, [
        { id: "reply", type: "send-to-tcp-port", mode: "reply", writeTimeout: 300, x: 100, y: 300, wires: [[]] },
      ]);
      const c = await connect(t.port);
      c.on("error", () => undefined);
      let received = 0;
      const closed = new Promise((r) => c.on("close", r));
      c.write("big report please\n");
      const [m] = await t.out.until(1);
      c.pause(); // stops reading: the kernel buffers fill, the rest of the reply waits in the server
      const big = Buffer.alloc(32 * 1024 * 1024, 0x41);
      // What the server's kernel has taken of the reply so far (its send buffer + what reached the client's side).
      const sock = registry.get(m._session.id).socket;
      let kernelTook = 0;
      // One 32 MB write is in flight: the kernel has taken all of it but what libuv still queues (writeQueueSize,
      // the handle's count; the stream's own counters move only per finished write).
      const sampler = setInterval(() => {
        if (!sock.destroyed && sock._handle && sock.writableLength > 0) kernelTook = big.length - sock._handle.writeQueueSize;
      }, 5);
      cleanups.push(() => clearInterval(sampler));
      helper.getNode("reply").receive({ payload: big, _session: m._session });
      const [err] = await waitFor(() => caughtFrom(t.caught, "reply").length === 1 && caughtFrom(t.caught, "reply"), "the error");
      clearInterval(sampler);
      assert.strictEqual(err.error.code, "ETIMEDOUT");
      assert.strictEqual(err.error.message, "send-to-tcp-port.errors.reply-timeout");
      c.on("data", (d) => (received += d.length));
      c.resume(); // only what the client's own side had received before the timeout can still be read
      await closed;
      assert.ok(received < big.length, `the client never gets the whole failed reply (${received} of ${big.length} bytes)`);
      // A FIN would let the server's kernel send on everything it had taken (received === kernelTook); the reset
      // drops what was still in the server's send buffer, so the client ends with less.
      assert.ok(
        kernelTook > 0 && received < kernelTook,
        `nothing more left the server after the failure (client read ${received}, server kernel had taken ${kernelTook})`,
      );
      await waitFor(() => events(t.ev, "closed").some((e) => e.reason === "timeout"), "a closed event with reason timeout");
      assert.strictEqual(registry.get(m._session.id), undefined, "the session is gone");
    });

    it("reply to a client that never reads: the session's write buffer stays bounded (EBUFFERFULL), every reply accounted for", async function () {
      const t = await trigger({ event: "line", eol: "lf" }, [
        { id: "reply", type: "send-to-tcp-port", mode: "reply", writeTimeout: 500, x: 100, y: 300, wires: [["rout"]] },
        { id: "rout", type: "helper", x: 300, y: 300 },
      ]);
      const reply = helper.getNode("reply");
      const rout = recorder(helper.getNode("rout"));
      const c = await connect(t.port);
      c.on("error", () => undefined);
      c.write("give me everything\n");
      const [m] = await t.out.until(1);
      c.pause(); // and never reads again
      const session = registry.get(m._session.id);
      const chunk = Buffer.alloc(64 * 1024, 0x42);
      const n = 300; // 19 MB offered
      let peak = 0;
      for (let i = 0; i < n; i++) {
        reply.receive({ payload: chunk, _session: m._session, topic: `r${i}` });
        if (i % 10 === 0) await sleep(1);
        peak = Math.max(peak, session.socket.writableLength);
      }
      const errs = () => caughtFrom(t.caught, "reply");
      await waitFor(() => rout.msgs.length + errs().length === n, `${n} replies ended (${rout.msgs.length} + ${errs().length})`, 10000);
      const codes = new Set(errs().map((e) => e.error.code));
      // After a reply times out the connection is closed: what was queued behind it fails with it (ETIMEDOUT),
      // what comes after finds the session closed.
      assert.ok(
        errs().length > 0 && [...codes].every((c) => ["EBUFFERFULL", "ETIMEDOUT", "ESESSIONCLOSED"].includes(c)),
        [...codes].join(),
      );
      assert.ok(codes.has("EBUFFERFULL"), "refused once the buffer is full");
      assert.ok(peak <= REPLY_MAX_PENDING + chunk.length, `at most ${REPLY_MAX_PENDING} bytes wait (peak ${peak})`);
      c.destroy();
    });
  });

  describe("tcp bridge", function () {
    /** A bridge "br" with Complete and Catch nodes; ended() = inputs that ended either way. */
    async function bridge(props) {
      const port = await freePort();
      await helper.load(
        NODES,
        onTab([
          Object.assign(
            {
              id: "br",
              type: "tcp-server-client-bridge",
              host: HOST,
              port: String(port),
              peerHost: HOST,
              holdOff: "0.1",
              events: true,
              x: 100,
              y: 100,
              wires: [["out"], ["ev"]],
            },
            props,
          ),
          { id: "out", type: "helper", x: 300, y: 100 },
          { id: "ev", type: "helper", x: 300, y: 150 },
          { id: "complete", type: "complete", scope: ["br"], uncaught: false, x: 100, y: 200, wires: [["completed"]] },
          { id: "completed", type: "helper", x: 300, y: 200 },
          ...catchFlow(),
        ]),
      );
      const r = {
        port,
        br: helper.getNode("br"),
        ev: recorder(helper.getNode("ev")),
        completed: recorder(helper.getNode("completed")),
        caught: recorder(helper.getNode("caught")),
      };
      r.errs = () => caughtFrom(r.caught, "br");
      // Inputs carry input: true; the other errors (dial failures) are the bridge's own.
      r.ended = () => r.completed.msgs.length + r.errs().filter((m) => m.input).length;
      return r;
    }

    it("refused, then the peer appears: dial failures go to Catch, input waits, and every accepted byte arrives", async function () {
      const peerPort = await freePort();
      const b = await bridge({ peerPort: String(peerPort), eventBytes: "1" });
      for (let i = 0; i < 20; i++) b.br.receive({ payload: `m${i};`, input: true });
      await waitFor(() => b.ended() === 20, "20 inputs ended");
      assert.strictEqual(b.completed.msgs.length, 20, "all 20 buffered");
      await waitFor(() => b.errs().length >= 2, "dial failures reported");
      assert.ok(b.errs().every((m) => m.error.code === "ECONNREFUSED"));
      // The peer comes up: the next dial gets everything that waited, in order.
      let got = "";
      const server = net.createServer((s) => s.on("data", (d) => (got += d)));
      await new Promise((r) => server.listen(peerPort, HOST, () => r(undefined)));
      cleanups.push(() => new Promise((r) => server.close(r)));
      const expected = Array.from({ length: 20 }, (_, i) => `m${i};`).join("");
      await waitFor(() => got === expected, `peer got all (has ${got.length} of ${expected.length})`, 5000);
      server.close();
    });

    it("unreachable peer: each dial ends at the connect timeout with ETIMEDOUT to Catch", async function () {
      const hole = await blackHole();
      cleanups.push(() => hole.close());
      const b = await bridge({ peerPort: String(hole.port), connectTimeout: "0.2" });
      await waitFor(() => b.errs().length >= 2, "two dial timeouts", 5000);
      assert.ok(
        b.errs().every((m) => m.error.code === "ETIMEDOUT"),
        JSON.stringify(b.errs().map((m) => m.error)),
      );
    });

    it("half-open link: the bridge timeout closes it and the bridge listens again", async function () {
      const peerPort = await freePort();
      const b = await bridge({ peerPort: String(peerPort), eventBytes: "100", timeout: "0.3" });
      const c = await connect(b.port);
      c.on("error", () => undefined);
      await waitFor(() => events(b.ev, "connected-in").length === 1, "linked in");
      c.pause(); // silent, no FIN
      await waitFor(() => events(b.ev, "closed").length === 1, "link reclaimed", 10000);
      assert.strictEqual(events(b.ev, "timeout").length, 1);
      assert.strictEqual(events(b.ev, "closed")[0].reason, "timeout");
      assert.strictEqual(registry.size, 0);
      c.destroy();
    });

    it("a peer that never reads: input memory stays within the buffer, the rest is refused with EBUFFERFULL; in = taken + refused", async function () {
      const peer = await neverReads();
      cleanups.push(() => peer.close());
      const b = await bridge({ peerPort: String(peer.port) });
      await waitFor(() => peer.sockets.length === 1, "linked out");
      await waitFor(() => b.br && registry.size === 1, "session");
      const [session] = registry.list();
      const socket = registry.get(session.id).socket;
      const chunk = Buffer.alloc(32 * 1024, 0x43);
      const n = 400; // 12.5 MB offered
      let peak = 0;
      for (let i = 0; i < n; i++) {
        b.br.receive({ payload: chunk, input: true });
        if (i % 10 === 0) await sleep(1);
        peak = Math.max(peak, socket.writableLength);
      }
      await waitFor(() => b.ended() === n, `${n} inputs ended`);
      const refused = b.errs().filter((m) => m.error.code === "EBUFFERFULL").length;
      assert.strictEqual(refused, b.errs().length);
      assert.ok(refused > 0, "refused once full");
      assert.ok(peak <= 64 * 1024 + chunk.length, `peak writable ${peak}`);
      assert.strictEqual(b.completed.msgs.length + refused, n);
    });
  });

  describe("tcp client", function () {
    /** A device (helpers/device) closed after the test. */
    const dev = async (o) => {
      const d = await device(o);
      cleanups.push(() => d.close());
      return d;
    };
    /** Answers each request line ("q3") with "ANSWER q3", as a device that replies in order. */
    const answering = (c, chunk) => {
      for (const line of chunk.toString("latin1").split("\n").filter(Boolean)) c.socket.write(`ANSWER ${line}\n`);
    };
    const ended = (t) => t.completed.msgs.length + t.caught.msgs.length;

    it("refused: dials again with growing waits, says so in events and status; queued input goes once the device is up, in order", async function () {
      const port = await freePort();
      const t = await loadClient(NODES, { port: String(port), events: true, backoffFirst: 50, backoffLongest: 400 });
      for (let i = 0; i < 10; i++) t.cl.receive({ payload: `m${i}\n`, i });
      await waitFor(() => t.events("reconnecting").length >= 5, "five reconnects");
      const failures = t.events("error").filter((m) => m.reason === "dial-failed");
      assert.ok(failures.length >= 4, `dial failures reported as events (${failures.length})`);
      assert.ok(
        failures.every((m) => m.error.code === "ECONNREFUSED"),
        JSON.stringify(failures.map((m) => m.error)),
      );
      const waits = t.events("reconnecting").map((m) => m.wait);
      assert.ok(
        waits.every((w) => w <= 400),
        `never longer than the longest wait: ${waits}`,
      );
      assert.ok(Math.max(...waits.slice(3)) > Math.max(...waits.slice(0, 1)), `the waits grow: ${waits}`);
      // (The test helper shows the catalog keys: "waiting, n queued" is the key status.queued around status.waiting.)
      await waitFor(
        () => t.statuses.some((s) => s.fill === "yellow" && s.shape === "ring" && /status\.queued/.test(s.text)),
        `a yellow status saying input is queued (${JSON.stringify(t.statuses.slice(-2))})`,
      );
      assert.ok(!t.statuses.some((s) => s.fill === "green"), "never green while refused");
      assert.strictEqual(ended(t), 0, "the inputs wait, none fails");
      // The device comes up: everything queued arrives once, in order, on the first connection.
      const d = await dev({ port });
      await waitFor(() => t.completed.msgs.length === 10, "10 inputs done");
      await waitFor(() => d.conns[0].lines().length === 10, "10 lines at the device");
      assert.deepStrictEqual(
        d.conns[0].lines(),
        Array.from({ length: 10 }, (_, i) => `m${i}`),
      );
      assert.strictEqual(d.conns.length, 1);
      assert.strictEqual(t.caught.msgs.length, 0);
      assert.strictEqual(t.events("connected").length, 1);
      await waitFor(() => t.statuses.length && t.statuses[t.statuses.length - 1].fill === "green", "a green status");
    });

    it("request mode, the device resets mid-reply: that request ends with ENOREPLY on its own msg, the cut reply is reported, the link redials and serves the rest", async function () {
      const d = await dev({
        onData: (c, chunk) => {
          // The first connection: half a reply, then a reset. Later ones answer properly.
          if (d.conns.indexOf(c) === 0) {
            c.socket.write("ANSWER q0 (cut sh");
            setTimeout(() => c.socket.resetAndDestroy(), 20);
          } else answering(c, chunk);
        },
      });
      const t = await loadClient(NODES, { port: String(d.port), events: true, mode: "request", replyProperty: "reply" });
      await waitFor(() => d.conns.length === 1, "dialled");
      for (let i = 0; i < 4; i++) t.cl.receive({ payload: `q${i}\n`, i, own: { i } });
      await waitFor(() => ended(t) === 4, `4 requests ended (${ended(t)})`);
      assert.deepStrictEqual(
        t.caught.msgs.map((m) => [m.error.code, m.i, m.own.i]),
        [["ENOREPLY", 0, 0]],
        "the request in flight fails with its own msg",
      );
      assert.deepStrictEqual(
        t.out.msgs.map((m) => [m.i, m.reply]),
        [
          [1, "ANSWER q1"],
          [2, "ANSWER q2"],
          [3, "ANSWER q3"],
        ],
      );
      const cut = t.events("unsolicited");
      assert.deepStrictEqual(
        cut.map((m) => m.data),
        ["ANSWER q0 (cut sh"],
        "the cut reply is reported, not taken as a reply",
      );
      assert.ok(t.events("closed").length >= 1 && t.events("connected").length === 2, "closed, then connected again");
      assert.deepStrictEqual(d.conns[0].lines(), ["q0"], "q1..q3 were not written into the failing link");
    });

    it("request mode, replies split and merged across TCP reads: each arrives whole on its own msg", async function () {
      // The device's replies go out as one byte stream in pieces of 1-7 bytes, so a read holds part of a reply,
      // or the end of one and the start of the next.
      let outgoing = "";
      const d = await dev({
        onData: (_c, chunk) => {
          for (const line of chunk.toString("latin1").split("\n").filter(Boolean))
            outgoing += `REPLY to ${line} ${"#".repeat(line.length)}\n`;
        },
      });
      let k = 0;
      const dribble = setInterval(() => {
        const c = d.conns[0];
        if (!c || outgoing === "") return;
        const n = 1 + (k++ % 7);
        c.socket.write(outgoing.slice(0, n));
        outgoing = outgoing.slice(n);
      }, 1);
      cleanups.push(() => clearInterval(dribble));
      const t = await loadClient(NODES, { port: String(d.port), mode: "request", pipeline: "3", replyProperty: "reply" });
      await waitFor(() => d.conns.length === 1, "dialled");
      d.conns[0].socket.setNoDelay(true);
      const N = 40;
      for (let i = 0; i < N; i++) t.cl.receive({ payload: `q${i}\n`, i });
      await waitFor(() => ended(t) === N, `${N} requests ended (${ended(t)})`, 20000);
      assert.deepStrictEqual(t.caught.msgs, []);
      const wrong = t.out.msgs.filter((m) => m.reply !== `REPLY to q${m.i} ${"#".repeat(`q${m.i}`.length)}`);
      assert.deepStrictEqual(
        wrong.map((m) => [m.i, m.reply]),
        [],
        "every reply whole and on its own msg",
      );
      assert.strictEqual(new Set(t.out.msgs.map((m) => m.i)).size, N);
    });

    it("request mode, a reply that never comes: ETIMEDOUT to Catch on the request's msg; the link is reset, so the late reply is never the next request's", async function () {
      // The device answers nothing at first; when a second request comes it sends the first one's reply late,
      // on the connection it got the first request on, then the second one's. Without the reset the second
      // request would read "ANSWER q0".
      let first;
      const d = await dev({
        onData: (c, chunk) => {
          const line = chunk.toString("latin1").trim();
          if (line === "q0") first = c;
          else {
            if (first && !first.closed) first.socket.write("ANSWER q0\n");
            c.socket.write(`ANSWER ${line}\n`);
          }
        },
      });
      const t = await loadClient(NODES, {
        port: String(d.port),
        events: true,
        mode: "request",
        replyTimeout: "200",
        replyProperty: "reply",
      });
      await waitFor(() => d.conns.length === 1, "dialled");
      t.cl.receive({ payload: "q0\n", mine: "zero" });
      const [c] = await t.caught.until(1);
      assert.strictEqual(c.error.code, "ETIMEDOUT");
      assert.strictEqual(c.mine, "zero", "the error is on the request's own msg");
      await waitFor(() => d.conns[0].closed, "the timed-out link was reset");
      t.cl.receive({ payload: "q1\n", mine: "one" });
      const [m] = await t.out.until(1);
      assert.strictEqual(m.reply, "ANSWER q1");
      assert.strictEqual(m.mine, "one");
      assert.strictEqual(d.conns.length, 2, "dialled again");
      await sleep(100);
      assert.strictEqual(t.caught.msgs.length + t.out.msgs.length, 2, "in = out + caught");
    });

    it("request mode without the reset: a late reply within the grace is reported as late, never the next request's", async function () {
      /** @type {import("../helpers/device").DeviceConn | undefined} */
      let held;
      const d = await dev({
        onData: (c, chunk) => {
          const line = chunk.toString("latin1").trim();
          if (line === "q0") held = c;
          else c.socket.write(`ANSWER ${line}\n`);
        },
      });
      const t = await loadClient(NODES, {
        port: String(d.port),
        events: true,
        mode: "request",
        replyTimeout: "300",
        resetOnTimeout: false,
        replyProperty: "reply",
      });
      await waitFor(() => d.conns.length === 1, "dialled");
      t.cl.receive({ payload: "q0\n", n: 0 });
      t.cl.receive({ payload: "q1\n", n: 1 }); // waits: nothing new is written while q0's reply is owed
      const [c] = await t.caught.until(1);
      assert.deepStrictEqual([c.error.code, c.n], ["ETIMEDOUT", 0]);
      assert.ok(held, "the device got q0");
      held.socket.write("ANSWER q0\n"); // late, within the grace
      const [m] = await t.out.until(1);
      assert.deepStrictEqual([m.n, m.reply], [1, "ANSWER q1"]);
      const late = t.events("unsolicited");
      assert.deepStrictEqual(
        late.map((e) => [e.data, e.late]),
        [["ANSWER q0", true]],
      );
      assert.strictEqual(d.conns.length, 1, "the same link throughout");
    });

    it("request mode, unsolicited data with no request pending (alone, and right behind a reply) is an event, never a later request's reply", async function () {
      const d = await dev({
        onConnection: (c) => c.socket.write("HELLO I AM A SCALE\n"),
        // Each answer comes with an alarm behind it, in the same write.
        onData: (c, chunk) => c.socket.write(`ANSWER ${chunk.toString("latin1").trim()}\nALARM after ${chunk.toString("latin1").trim()}\n`),
      });
      const t = await loadClient(NODES, { port: String(d.port), events: true, mode: "request", replyProperty: "reply" });
      await waitFor(() => t.events("unsolicited").length === 1, "the greeting the device sent unasked");
      for (let i = 0; i < 3; i++) {
        t.cl.receive({ payload: `q${i}\n`, i });
        await t.out.until(i + 1);
        await waitFor(() => t.events("unsolicited").length === i + 2, `the alarm after q${i}`);
      }
      assert.deepStrictEqual(
        t.out.msgs.map((m) => [m.i, m.reply]),
        [
          [0, "ANSWER q0"],
          [1, "ANSWER q1"],
          [2, "ANSWER q2"],
        ],
      );
      assert.deepStrictEqual(
        t.events("unsolicited").map((m) => m.data),
        ["HELLO I AM A SCALE", "ALARM after q0", "ALARM after q1", "ALARM after q2"],
      );
      assert.deepStrictEqual(t.caught.msgs, []);
    });

    describe("TLS through a tls-config node", function () {
      /** A TLS server with the given certificate that answers each line; closed after the test. */
      const tlsDevice = async (pair) => {
        const conns = [];
        const server = tls.createServer({ cert: fs.readFileSync(pair.cert), key: fs.readFileSync(pair.key) }, (s) => {
          conns.push(s);
          s.on("error", () => undefined);
          s.on("data", (b) => s.write(`ANSWER ${b.toString().trim()}\n`));
        });
        server.on("tlsClientError", () => undefined);
        await new Promise((r) => server.listen(0, HOST, () => r(undefined)));
        cleanups.push(() => {
          conns.forEach((s) => s.destroy());
          return new Promise((r) => server.close(() => r(undefined)));
        });
        return { port: /** @type {import("net").AddressInfo} */ (server.address()).port, conns };
      };
      /** A client that gives up after a short round, so queued input ends with the dial's code. */
      const tlsClient = (port, tlsProps, props = {}) =>
        loadClient(
          NODES,
          Object.assign({ port: String(port), tls: "cli", events: true, retryWithin: "300", connectTimeout: "2000" }, props),
          [tlsConfigNode("cli", tlsProps)],
        );
      /** The input caught with the TLS code, the dial failures as events, a red status once the round gave up; nothing answered. */
      async function refusedWith(t, srv, code) {
        t.cl.receive({ payload: "q\n", mine: 1 });
        const [m] = await waitFor(
          () => t.caught.msgs.filter((x) => x.mine === 1).length === 1 && t.caught.msgs.filter((x) => x.mine === 1),
          "the input's error",
        );
        assert.strictEqual(m.error.code, code, m.error.message);
        const dialFailed = t.events("error").filter((e) => e.reason === "dial-failed");
        assert.ok(dialFailed.length > 0 && dialFailed.every((e) => e.error.code === code), JSON.stringify(dialFailed.map((e) => e.error)));
        assert.deepStrictEqual(
          t.events("gave-up").map((e) => e.error.code),
          [code],
        );
        await waitFor(
          () => t.statuses.length && t.statuses[t.statuses.length - 1].fill === "red",
          `a red status (${JSON.stringify(t.statuses.slice(-1))})`,
        );
        assert.match(t.statuses[t.statuses.length - 1].text, /status\.gave-up$/, "gave up, nothing left queued");
        assert.strictEqual(t.out.msgs.length, 0);
        assert.strictEqual(t.events("connected").length, 0, "never connected");
        assert.strictEqual(srv.conns.length, 0, "no handshake finished, so none of the input reached the server");
      }

      it("a self-signed server certificate with verification on: a coded error, red status, no crash, nothing sent", async function () {
        const c = certs();
        // The CA's own certificate is self-signed; the client has no CA configured.
        const srv = await tlsDevice({ cert: c.ca, key: c.ca.replace(/\.crt$/, ".key") });
        const t = await tlsClient(srv.port, {});
        await refusedWith(t, srv, "DEPTH_ZERO_SELF_SIGNED_CERT");
      });

      it("a certificate for another host name: ERR_TLS_CERT_ALTNAME_INVALID, nothing sent", async function () {
        const c = certs();
        const srv = await tlsDevice(c.other);
        const t = await tlsClient(srv.port, { ca: c.ca });
        await refusedWith(t, srv, "ERR_TLS_CERT_ALTNAME_INVALID");
      });

      it("a trusted certificate for the right name works (the same set-up, so the failures above are the certificates')", async function () {
        const c = certs();
        const srv = await tlsDevice(c.server);
        const t = await tlsClient(srv.port, { ca: c.ca }, { mode: "request", replyProperty: "reply" });
        t.cl.receive({ payload: "q\n" });
        const [m] = await t.out.until(1);
        assert.strictEqual(m.reply, "ANSWER q");
      });

      it("TLS against a plain TCP server that never answers the handshake: each attempt ends at the connect timeout with ETIMEDOUT", async function () {
        const silent = await dev(); // reads, never writes
        const t = await tlsClient(silent.port, {}, { connectTimeout: "300", retryWithin: "0", backoffFirst: 20, backoffLongest: 20 });
        const t0 = Date.now();
        await waitFor(() => t.events("error").length >= 2, "two dial failures", 5000);
        const elapsed = Date.now() - t0;
        const errs = t.events("error");
        assert.ok(
          errs.every((e) => e.reason === "dial-failed" && e.error.code === "ETIMEDOUT"),
          JSON.stringify(errs.map((e) => e.error)),
        );
        assert.ok(elapsed >= 2 * 280, `each attempt waited for its connect timeout (${elapsed} ms)`);
        assert.ok(silent.conns.length >= 2, "each attempt reached the server");
        assert.ok(
          silent.conns.slice(0, 2).every((c) => c.data[0] === 0x16),
          "each began a TLS handshake (a ClientHello record)",
        );
        await waitFor(() => silent.conns.slice(0, 2).every((c) => c.closed), "the client closed the attempts that timed out");
        assert.strictEqual(t.events("connected").length, 0);
      });
    });
  });
});
