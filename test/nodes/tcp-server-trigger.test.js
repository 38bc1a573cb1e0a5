"use strict";
const assert = require("assert");
const net = require("net");
const {
  onTab,
  helper,
  nodes,
  freePort,
  sleep,
  waitFor,
  connect,
  readAll,
  recorder,
  errors,
  triggerFlow,
  portTaken,
} = require("../helpers");

const { keyed } = require("../helpers/catalog");
const { skipBecause } = require("../helpers/skips");
const fs = require("fs");

/**
 * The kernel's timer on our end of a connection (Linux /proc/net/tcp): [kind, seconds left] of the socket whose
 * local port is `local` and remote port `remote`; kind 2 is TCP keep-alive, 0 none. undefined: not found.
 */
function kernelTimer(local, remote) {
  const hex = (n) => n.toString(16).toUpperCase().padStart(4, "0");
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of fs.readFileSync(file, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 6 || !f[1].endsWith(`:${hex(local)}`) || !f[2].endsWith(`:${hex(remote)}`)) continue;
      const [kind, when] = f[5].split(":");
      return [parseInt(kind, 16), parseInt(when, 16) / 100];
    }
  }
  return undefined;
}

const NODES = [nodes.manager, nodes.trigger];

async function start(props) {
  const port = props.port || (await freePort());
  await helper.load(NODES, triggerFlow(Object.assign({ port }, props)));
  const trig = helper.getNode("trig");
  await waitFor(() => portTaken(port), `listener on ${port}`);
  return { port, trig, out: recorder(helper.getNode("out")), ev: recorder(helper.getNode("ev")) };
}

describe("tcp-server-trigger", function () {
  afterEach(async function () {
    await helper.unload();
  });

  it("emits one message per line with peer, local port and session", async function () {
    const { port, out } = await start({ event: "line", eol: "crlf" });
    const c = await connect(port);
    c.write("first\r\nsecond\nthi");
    c.write("rd\n");
    const msgs = await out.until(3);
    assert.deepStrictEqual(
      msgs.map((m) => m.payload),
      ["first", "second", "third"],
    );
    for (const m of msgs) {
      assert.strictEqual(m.ip, "127.0.0.1");
      assert.strictEqual(m.port, c.localPort);
      assert.strictEqual(m.localPort, port);
      assert.strictEqual(m._session.type, "tcp");
      assert.match(m._session.id, /^[0-9a-f]{16}$/);
    }
    assert.strictEqual(new Set(msgs.map((m) => m._session.id)).size, 1);
    c.destroy();
  });

  it("TCP keep-alive: the setting's delay on each accepted connection (the kernel's timer), 0 turns it off", async function () {
    if (!fs.existsSync("/proc/net/tcp")) skipBecause(this, "TCP keep-alive timer", "no /proc/net/tcp to read it from (Linux only)");
    const { port } = await start({ event: "line", keepAlive: 30000 });
    const c = await connect(port);
    await sleep(100);
    const [kind, left] = kernelTimer(port, c.localPort) || [];
    assert.strictEqual(kind, 2, "a keep-alive timer");
    assert.ok(left > 25 && left <= 30, `first probe in ${left} s`);
    c.destroy();
    await helper.unload();
    const off = await start({ event: "line", keepAlive: 0 });
    const d = await connect(off.port);
    await sleep(100);
    assert.deepStrictEqual(kernelTimer(off.port, d.localPort), [0, 0], "no timer");
    d.destroy();
  });

  it("greeting: each new client gets it first, as it connects", async function () {
    const { port, out } = await start({ event: "line", greeting: "READY\\r\\n" });
    const [a, b] = [await connect(port), await connect(port)];
    const [ga, gb] = [readAll(a), readAll(b)];
    a.write("x\n");
    await out.until(1);
    a.end();
    b.end();
    assert.strictEqual((await ga).toString(), "READY\r\n");
    assert.strictEqual((await gb).toString(), "READY\r\n");
  });

  it("read timeout with a probe: a client that answers stays; a silent one gets the probe, then a timeout event (reason probe) and is closed", async function () {
    const { port, out, ev } = await start({
      event: "line",
      events: true,
      outputs: 2,
      readTimeout: 300,
      probe: "PING\\n",
      probeAnswer: 300,
    });
    const alive = await connect(port);
    alive.on("data", (d) => d.toString().includes("PING") && alive.write("PONG\n"));
    const silent = await connect(port);
    const silentPort = silent.localPort;
    const heard = readAll(silent);
    assert.strictEqual((await heard).toString(), "PING\n", "the probe, then the close");
    await sleep(700);
    assert.ok(!alive.destroyed && alive.readyState === "open", "the answering client is still connected");
    const timeouts = ev.msgs.filter((m) => m.event === "timeout");
    assert.deepStrictEqual(
      timeouts.map((m) => [m.port, m.reason]),
      [[silentPort, "probe"]],
    );
    assert.ok(
      out.msgs.some((m) => m.payload === "PONG"),
      "the answer is data like any other",
    );
    alive.destroy();
  });

  it("keeps each connection's frames apart and in order", async function () {
    const { port, out } = await start({ event: "line", eol: "lf" });
    const a = await connect(port);
    const b = await connect(port);
    for (let i = 0; i < 200; i++) {
      a.write(`a${i}\n`);
      b.write(`b${i}\n`);
    }
    const msgs = await out.until(400);
    const bySession = new Map();
    for (const m of msgs) {
      if (!bySession.has(m._session.id)) bySession.set(m._session.id, []);
      bySession.get(m._session.id).push(m.payload);
    }
    const lists = [...bySession.values()].sort((x, y) => x[0].localeCompare(y[0]));
    assert.deepStrictEqual(
      lists[0],
      Array.from({ length: 200 }, (_, i) => `a${i}`),
    );
    assert.deepStrictEqual(
      lists[1],
      Array.from({ length: 200 }, (_, i) => `b${i}`),
    );
    a.destroy();
    b.destroy();
  });

  it("flushes a trailing partial line when the client closes", async function () {
    const { port, out } = await start({ event: "line", eol: "lf" });
    const c = await connect(port);
    c.end("one\ntwo without newline");
    const msgs = await out.until(2);
    assert.deepStrictEqual(
      msgs.map((m) => m.payload),
      ["one", "two without newline"],
    );
  });

  it("on client disconnect: emits everything the connection sent as one message", async function () {
    const { port, out } = await start({ event: "close", output: "buffer" });
    const c = await connect(port);
    const data = Buffer.alloc(300000, 7);
    c.end(data);
    const [m] = await out.until(1);
    assert.ok(Buffer.isBuffer(m.payload));
    assert.strictEqual(m.payload.length, data.length);
    assert.ok(m.payload.equals(data));
  });

  it("character sequence with escapes, kept or stripped", async function () {
    const { port, out } = await start({ event: "delimiter", delimiter: "\\x03\\r", keepDelimiter: true });
    const c = await connect(port);
    c.write("AB\x03");
    await sleep(20);
    c.write("\rCD\x03\r");
    const msgs = await out.until(2);
    assert.deepStrictEqual(
      msgs.map((m) => m.payload),
      ["AB\x03\r", "CD\x03\r"],
    );
    c.destroy();
  });

  it("every N bytes", async function () {
    const { port, out } = await start({ event: "count", count: 4, output: "buffer" });
    const c = await connect(port);
    c.write(Buffer.from([1, 2, 3]));
    await sleep(20);
    c.write(Buffer.from([4, 5, 6, 7, 8, 9]));
    const msgs = await out.until(2);
    assert.deepStrictEqual(
      msgs.map((m) => [...m.payload]),
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
    );
    c.end();
    const all = await out.until(3);
    assert.deepStrictEqual([...all[2].payload], [9]);
  });

  it("after an idle time", async function () {
    const { port, out } = await start({ event: "idle", idleMs: 80 });
    const c = await connect(port);
    c.write("AB");
    await sleep(20);
    c.write("CD");
    await sleep(200);
    c.write("EF");
    const msgs = await out.until(2);
    assert.deepStrictEqual(
      msgs.map((m) => m.payload),
      ["ABCD", "EF"],
    );
    c.destroy();
  });

  it("length-prefixed frames, 2-byte little endian, header stripped", async function () {
    const { port, out } = await start({ event: "length", headerBytes: "2", endian: "le", keepHeader: false });
    const c = await connect(port);
    const frame = (s) => {
      const b = Buffer.from(s);
      const h = Buffer.alloc(2);
      h.writeUInt16LE(b.length);
      return Buffer.concat([h, b]);
    };
    const all = Buffer.concat([frame("hello"), frame(""), frame("x".repeat(300))]);
    for (let i = 0; i < all.length; i += 7) {
      c.write(all.subarray(i, i + 7));
      await sleep(1);
    }
    const msgs = await out.until(3);
    assert.deepStrictEqual(
      msgs.map((m) => m.payload),
      ["hello", "", "x".repeat(300)],
    );
    c.destroy();
  });

  it("decodes per frame: a UTF-8 character split across writes survives", async function () {
    const { port, out } = await start({ event: "line", eol: "lf", encoding: "utf8" });
    const c = await connect(port);
    const bytes = Buffer.from("grüße €\n");
    c.write(bytes.subarray(0, 3)); // cuts "ü" in half
    await sleep(30);
    c.write(bytes.subarray(3, 9)); // cuts "€" in half
    await sleep(30);
    c.write(bytes.subarray(9));
    const [m] = await out.until(1);
    assert.strictEqual(m.payload, "grüße €");
    c.destroy();
  });

  it("decodes windows-1252 and auto-detects it", async function () {
    const { port, out } = await start({ event: "line", eol: "lf", encoding: "auto" });
    const c = await connect(port);
    c.write(Buffer.from([0x80, 0x20, 0x66, 0xfc, 0x72, 0x0a])); // "€ für" in windows-1252
    c.write(Buffer.from("€ für\n"));
    const msgs = await out.until(2);
    assert.deepStrictEqual(
      msgs.map((m) => m.payload),
      ["€ für", "€ für"],
    );
    c.destroy();
  });

  it("sends connection events on the second output", async function () {
    const { port, ev } = await start({ event: "line", events: true, outputs: 2 });
    const c = await connect(port);
    await ev.until(1);
    c.end();
    const msgs = await ev.until(2);
    assert.deepStrictEqual(
      msgs.map((m) => m.payload),
      ["connected", "closed"],
    );
    assert.strictEqual(msgs[0].connections, 1);
    assert.strictEqual(msgs[1].connections, 0);
    assert.strictEqual(msgs[1].reason, "peer");
    assert.strictEqual(msgs[0]._session.id, msgs[1]._session.id);
    assert.strictEqual(msgs[0].ip, "127.0.0.1");
  });

  it("refuses a client over max connections at once and says so", async function () {
    const { port, ev } = await start({ event: "line", events: true, outputs: 2, maxConnections: 1 });
    const a = await connect(port);
    await ev.until(1);
    const b = await connect(port);
    const bPort = b.localPort;
    const got = await readAll(b); // the server closes it at once
    assert.strictEqual(got.length, 0);
    const msgs = await ev.until(2);
    assert.strictEqual(msgs[1].payload, "refused");
    assert.strictEqual(msgs[1].reason, "max-connections");
    assert.strictEqual(msgs[1].port, bPort);
    a.destroy();
  });

  it("read timeout closes a silent connection with a timeout event", async function () {
    const { port, ev } = await start({ event: "line", events: true, outputs: 2, readTimeout: 150 });
    const c = await connect(port);
    const t0 = Date.now();
    await readAll(c);
    const waited = Date.now() - t0;
    assert.ok(waited >= 120, `closed after ${waited} ms`);
    const msgs = await ev.until(3);
    assert.deepStrictEqual(
      msgs.map((m) => m.payload),
      ["connected", "timeout", "closed"],
    );
    assert.strictEqual(msgs[2].reason, "timeout");
  });

  it("a frame over max frame size: catchable error with session and peer, connection closed, others unaffected", async function () {
    const { port, out, trig } = await start({ event: "line", eol: "lf", maxFrame: 1000 });
    const errs = errors(trig);
    const good = await connect(port);
    const bad = await connect(port);
    const badPort = bad.localPort;
    const closed = readAll(bad);
    bad.on("error", () => undefined);
    bad.write("y".repeat(5000));
    await closed;
    await waitFor(() => errs.length === 1, "the error");
    const { err, msg } = errs[0];
    assert.strictEqual(err.code, "EFRAMETOOLARGE");
    assert.strictEqual(msg.port, badPort);
    assert.strictEqual(msg.ip, "127.0.0.1");
    assert.ok(msg._session && msg._session.id);
    assert.strictEqual(msg.payload, undefined);
    good.write("still here\n");
    const msgs = await out.until(1);
    assert.strictEqual(msgs[0].payload, "still here");
    good.destroy();
  });

  it("redeploy releases the port and ends only its own sockets", async function () {
    const port = await freePort();
    const other = await freePort();
    const flow = onTab([
      { id: "t1", type: "tcp-server-trigger", host: "127.0.0.1", port, wires: [["out"]] },
      { id: "t2", type: "tcp-server-trigger", host: "127.0.0.1", port: other, wires: [["out"]] },
      { id: "out", type: "helper" },
    ]);
    await helper.load(NODES, flow);
    const c1 = await connect(port);
    const c2 = await connect(other);
    const c1closed = readAll(c1);
    // Partial deploy that changes t1 only.
    const changed = flow.map((n) => (n.id === "t1" ? Object.assign({}, n, { topic: "changed" }) : n));
    await helper.setFlows(changed, "nodes");
    await c1closed;
    assert.ok(!c2.destroyed && c2.readyState === "open", "the other trigger's socket stays open");
    const out = recorder(helper.getNode("out"));
    const c3 = await connect(port);
    c3.write("after\n");
    c2.write("untouched\n");
    const msgs = await out.until(2);
    assert.deepStrictEqual(msgs.map((m) => m.payload).sort(), ["after", "untouched"]);
    assert.strictEqual(msgs.find((m) => m.payload === "after").topic, "changed");
    c2.destroy();
    c3.destroy();
  });

  it("port in use: red status and a reported error, no crash", async function () {
    const blocker = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const port = /** @type {import("net").AddressInfo} */ (blocker.address()).port;
    await helper.load(NODES, triggerFlow({ port }));
    const trig = helper.getNode("trig");
    const errs = errors(trig);
    const statuses = [];
    trig.on("call:status", (c) => statuses.push(c.args[0]));
    await waitFor(() => errs.length > 0, "listen error");
    assert.strictEqual(errs[0].err.code, "EADDRINUSE");
    await waitFor(() => statuses.some((s) => s.fill === "red" && s.shape === "ring"), "red ring");
    blocker.close();
  });

  it("settings.js tcpAutomation.listenRetry: a taken port is tried again after that time; a bad setting is logged, not fatal", async function () {
    const blocker = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const port = /** @type {import("net").AddressInfo} */ (blocker.address()).port;
    helper.settings({ tcpAutomation: { listenRetry: 200, replyMaxPending: "lots" } });
    try {
      await helper.load([keyed(nodes.manager), keyed(nodes.trigger)], triggerFlow({ port }));
      const errs = errors(helper.getNode("trig"));
      await waitFor(() => errs.length > 0, "listen error");
      assert.match(String(errs[0].err.message), /"seconds":0\.2/, "the error says when the next try is");
      const warned = helper
        .log()
        .args.filter((a) => a[0] && a[0].level === helper.log().WARN)
        .map((a) => String(a[0].msg));
      assert.ok(
        warned.some((w) => /replyMaxPending/.test(w)),
        `a warning names the setting: ${warned}`,
      );
      await new Promise((r) => blocker.close(r));
      // Listening again within a few retries (the default waits 5 s).
      const out = recorder(helper.getNode("out"));
      const c = await connect(port, "127.0.0.1", 2000);
      c.write("back\n");
      assert.strictEqual((await out.until(1))[0].payload, "back");
      c.destroy();
    } finally {
      helper.settings({});
    }
  });

  it("rejects a bad configuration with a clear error instead of listening", async function () {
    await helper.load(NODES, triggerFlow({ port: 70000 }));
    const trig = helper.getNode("trig");
    const logged = helper.log().args.filter((a) => a[0] && a[0].level === helper.log().ERROR);
    assert.ok(
      logged.some((a) => /errors\.config/.test(String(a[0].msg))),
      "config error logged",
    );
    assert.ok(trig);
  });
});
