// Fault suite, misbehaving peers: reset mid-frame, half-open, close right after
// connect, slowloris, connection flood, refused, unreachable (connect timeout)
// and a peer that never reads. For each, what went in is counted against what
// came out plus what was reported (to a Catch node or as an event): lost = 0.
// The long versions (10k connections, 100k cycles, 200 redeploys) are in
// scripts/soak.js (`npm run soak`).
"use strict";
const assert = require("assert");
const net = require("net");
const path = require("path");
const { fork, spawnSync } = require("child_process");
const catchNode = require("@node-red/nodes/core/common/25-catch.js");
const completeNode = require("@node-red/nodes/core/common/24-complete.js");
const { onTab, helper, nodes, lib, freePort, sleep, waitFor, connect, recorder } = require("../helpers");

const NODES = [nodes.manager, nodes.trigger, nodes.send, nodes.bridge, catchNode, completeNode];
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
});
