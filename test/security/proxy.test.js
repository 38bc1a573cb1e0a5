"use strict";
// PROXY protocol v1/v2 on listening nodes, spoken by a real socket playing
// the load balancer: the real client's address in msg.ip/port, replies on the
// same connection, and refusal of anything without a valid header.
const assert = require("assert");
const net = require("net");
const tls = require("tls");
const { onTab, helper, nodes, lib, freePort, waitFor, connect, recorder, portTaken } = require("../helpers");
const { keyed } = require("../helpers/catalog");
const { certs, tlsConfigNode } = require("../helpers/certs");

const tlsNode = require(require.resolve("@node-red/nodes/core/network/05-tls.js"));
const NODES = [nodes.manager, keyed(nodes.trigger), keyed(nodes.send), tlsNode];
const { proxyHeaderV1 } = lib("inbound/proxy-protocol.js");
const { Listener } = lib("inbound/listener.js");
const { SessionRegistry } = lib("sessions/registry.js");

function v2tcp4(src, sport, dst = "127.0.0.1", dport = 9000) {
  const b = Buffer.alloc(28);
  Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]).copy(b);
  b[12] = 0x21;
  b[13] = 0x11;
  b.writeUInt16BE(12, 14);
  src.split(".").forEach((o, i) => (b[16 + i] = Number(o)));
  dst.split(".").forEach((o, i) => (b[20 + i] = Number(o)));
  b.writeUInt16BE(sport, 24);
  b.writeUInt16BE(dport, 26);
  return b;
}

/** A trigger (line frames) whose messages are echoed back to the sender by a send-to-tcp-port in reply mode. */
async function start(props, extra = []) {
  const port = await freePort();
  await helper.load(
    NODES,
    onTab([
      Object.assign(
        {
          id: "trig",
          type: "tcp-server-trigger",
          host: "127.0.0.1",
          port,
          event: "line",
          eol: "lf",
          events: true,
          wires: [["out", "replier"], ["ev"]],
        },
        props,
      ),
      { id: "replier", type: "send-to-tcp-port", mode: "reply", data: "payload", dataType: "msg", wires: [[]] },
      { id: "out", type: "helper" },
      { id: "ev", type: "helper" },
      ...extra,
    ]),
  );
  await waitFor(() => portTaken(port), `trigger on ${port}`);
  return { port, out: recorder(helper.getNode("out")), ev: recorder(helper.getNode("ev")) };
}

/** Plays the balancer: one connection, header + data in one write; collects what comes back. */
async function viaBalancer(port, header, data) {
  const s = await connect(port);
  let got = "";
  s.on("data", (d) => (got += d));
  s.on("error", () => undefined);
  const ended = new Promise((r) => s.on("close", r));
  s.write(Buffer.concat([header, Buffer.from(data)]));
  return { s, got: () => got, ended };
}

const refused = (ev) => ev.msgs.filter((e) => e.event === "refused").map((e) => `${e.ip} ${e.reason}`);

describe("security: PROXY protocol", function () {
  afterEach(async function () {
    await helper.unload();
  });

  it("v1: msg.ip/port are the client's from the header; the reply goes back through the balancer's connection", async function () {
    const { port, out, ev } = await start({ proxyProtocol: "v1" });
    const c = await viaBalancer(port, proxyHeaderV1("203.0.113.7", "127.0.0.1", 51234, port), "weight 12.5\n");
    const [m] = await out.until(1);
    assert.deepStrictEqual([m.ip, m.port, m.localPort, m.payload], ["203.0.113.7", 51234, port, "weight 12.5"]);
    await waitFor(() => c.got() === "weight 12.5", "the reply");
    const conn = ev.msgs.find((e) => e.event === "connected");
    assert.strictEqual(conn.ip, "203.0.113.7");
    c.s.destroy();
  });

  it('v2 (binary) and "any" taking both versions', async function () {
    const { port, out } = await start({ proxyProtocol: "any" });
    const a = await viaBalancer(port, v2tcp4("198.51.100.20", 40001), "from v2\n");
    const b = await viaBalancer(port, proxyHeaderV1("2001:db8::7", "::1", 40002, port), "from v1\n");
    await out.until(2);
    const by = Object.fromEntries(out.msgs.map((m) => [m.payload, `${m.ip} ${m.port}`]));
    assert.deepStrictEqual(by, { "from v2": "198.51.100.20 40001", "from v1": "2001:db8::7 40002" });
    a.s.destroy();
    b.s.destroy();
  });

  it("a missing or malformed header is refused (proxy-header) and nothing of it becomes a message", async function () {
    const { port, out, ev } = await start({ proxyProtocol: "v2" });
    const plain = await viaBalancer(port, Buffer.alloc(0), "hello without header\n");
    await plain.ended;
    const v1OnV2 = await viaBalancer(port, proxyHeaderV1("203.0.113.7", "127.0.0.1", 1, 2), "x\n");
    await v1OnV2.ended;
    const broken = v2tcp4("203.0.113.7", 1);
    broken[13] = 0x77;
    const bad = await viaBalancer(port, broken, "x\n");
    await bad.ended;
    await waitFor(() => refused(ev).length === 3, "three refusals");
    assert.deepStrictEqual(refused(ev), ["127.0.0.1 proxy-header", "127.0.0.1 proxy-header", "127.0.0.1 proxy-header"]);
    assert.strictEqual(out.msgs.length, 0);
    assert.strictEqual(plain.got() + v1OnV2.got() + bad.got(), "");
  });

  it("Balancers (proxyFrom): a header from any other peer is refused (proxy-untrusted) before it is read", async function () {
    const { port, out, ev } = await start({ proxyProtocol: "v1", proxyFrom: "127.0.0.5\n10.0.0.0/8", allow: "203.0.113.0/24" });
    // A peer that is not a balancer claims an allowed client address: refused, on its own address.
    const spoof = await viaBalancer(port, proxyHeaderV1("203.0.113.7", "127.0.0.1", 1000, port), "spoofed\n");
    await spoof.ended;
    await waitFor(() => refused(ev).length === 1, "the refusal");
    assert.deepStrictEqual(refused(ev), ["127.0.0.1 proxy-untrusted"]);
    // The balancer itself (127.0.0.5) gets through, and the client it names is the message's.
    const lb = await new Promise((resolve, reject) => {
      const s = net.connect({ port, host: "127.0.0.1", localAddress: "127.0.0.5" }, () => resolve(s));
      s.once("error", reject);
    });
    let got = "";
    lb.on("data", (d) => (got += d));
    lb.write(Buffer.concat([proxyHeaderV1("203.0.113.7", "127.0.0.1", 1001, port), Buffer.from("real\n")]));
    const [m] = await out.until(1);
    assert.deepStrictEqual([m.ip, m.port, m.payload], ["203.0.113.7", 1001, "real"]);
    await waitFor(() => got === "real", "the reply through the balancer");
    assert.strictEqual(spoof.got(), "");
    assert.deepStrictEqual(
      out.msgs.map((x) => x.payload),
      ["real"],
    );
    lb.destroy();
  });

  it("Balancers: an entry that is not an address or range is a configuration error naming it", async function () {
    const port = await freePort();
    await helper.load(
      NODES,
      onTab([
        {
          id: "trig",
          type: "tcp-server-trigger",
          host: "127.0.0.1",
          port,
          proxyProtocol: "v1",
          proxyFrom: "10.0.0.0/8\nbalancer-1",
          wires: [[]],
        },
      ]),
    );
    const trig = helper.getNode("trig");
    assert.ok(trig.error.calledOn(trig), "an error");
    assert.match(String(trig.error.firstCall.args[0]), /balancer-1/, "it names the entry");
    assert.strictEqual(await portTaken(port), false, "nothing listens");
  });

  it("UNKNOWN / LOCAL: the balancer's own address is used", async function () {
    const { port, out } = await start({ proxyProtocol: "any" });
    const local = Buffer.alloc(16);
    Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]).copy(local);
    local[12] = 0x20; // LOCAL
    const a = await viaBalancer(port, Buffer.from("PROXY UNKNOWN\r\n"), "u\n");
    const b = await viaBalancer(port, local, "l\n");
    await out.until(2);
    assert.deepStrictEqual(
      out.msgs.map((m) => [m.ip, m.port]).sort(),
      [
        ["127.0.0.1", a.s.localPort],
        ["127.0.0.1", b.s.localPort],
      ].sort(),
    );
    a.s.destroy();
    b.s.destroy();
  });

  it("the allow list and the per-address limit apply to the real client named in the header", async function () {
    const { port, out, ev } = await start({ proxyProtocol: "v1", allow: "203.0.113.0/24", maxPerIp: "1" });
    const ok = await viaBalancer(port, proxyHeaderV1("203.0.113.7", "127.0.0.1", 1000, port), "ok\n");
    await out.until(1);
    const denied = await viaBalancer(port, proxyHeaderV1("198.51.100.1", "127.0.0.1", 1001, port), "no\n");
    await denied.ended;
    const second = await viaBalancer(port, proxyHeaderV1("203.0.113.7", "127.0.0.1", 1002, port), "again\n");
    await second.ended;
    const other = await viaBalancer(port, proxyHeaderV1("203.0.113.8", "127.0.0.1", 1003, port), "other\n");
    await out.until(2);
    assert.deepStrictEqual(refused(ev), ["198.51.100.1 denied", "203.0.113.7 per-ip-limit"]);
    assert.deepStrictEqual(
      out.msgs.map((m) => m.payload),
      ["ok", "other"],
    );
    ok.s.destroy();
    other.s.destroy();
  });

  it("PROXY header before a TLS handshake (TLS terminated by Node-RED behind a TCP balancer)", async function () {
    const c = certs();
    const { port, out } = await start({ proxyProtocol: "v1", tls: "srv" }, [
      tlsConfigNode("srv", { cert: c.server.cert, key: c.server.key, ca: c.ca }),
    ]);
    const raw = await connect(port);
    raw.write(proxyHeaderV1("203.0.113.50", "127.0.0.1", 4242, port));
    const s = tls.connect({ socket: raw, ca: c.read(c.ca), servername: "localhost" });
    let got = "";
    s.on("data", (d) => (got += d));
    await new Promise((r, j) => s.once("secureConnect", r).once("error", j));
    s.write("sealed\n");
    const [m] = await out.until(1);
    assert.deepStrictEqual([m.ip, m.port, m.payload], ["203.0.113.50", 4242, "sealed"]);
    await waitFor(() => got === "sealed", "the encrypted reply");
    s.destroy();
  });

  it("a peer that sends no header in time is refused (listener, short timeout)", async function () {
    const events = [];
    const h = new Proxy(
      {},
      {
        get:
          (_, name) =>
          (...args) =>
            events.push([name, ...args]),
      },
    );
    const listener = new Listener({
      listen: { port: 0, host: "127.0.0.1", maxConnections: 0, readTimeoutMs: 0 },
      inbound: { event: "line", eol: "lf", output: "string", encoding: "utf8", topic: "", readTimeoutMs: 0 },
      registry: new SessionRegistry(),
      owner: { id: "t", type: "test" },
      handlers: h,
      security: { proxy: "any", proxyTimeoutMs: 200 },
    });
    listener.start();
    await waitFor(() => listener.port, "listening");
    const s = await connect(listener.port);
    const t0 = Date.now();
    await new Promise((r) => s.on("close", r));
    const waited = Date.now() - t0;
    // Not before the 200 ms header timeout; the upper bound only has to tell it from "never" (load-proof).
    assert.ok(waited >= 150 && waited < 5000, `closed after ${waited} ms`);
    const r = events.find((e) => e[0] === "refused");
    assert.deepStrictEqual(r.slice(1), ["127.0.0.1", s.localPort ?? r[2], listener.port, "proxy-header"]);
    await listener.stop();
  });
});
