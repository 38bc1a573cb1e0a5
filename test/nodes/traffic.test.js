"use strict";
const assert = require("assert");
const { onTab, helper, nodes, lib, freePort, waitFor, portTaken, connect, recorder } = require("../helpers");
const { parseText2pcap } = require("../helpers/text2pcap");

const { parseCapture, replayClient, serveReplay } = lib("traffic/replay.js");
const net = require("net");
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { skipBecause } = require("../helpers/skips");

/** Where text2pcap is (Debian: wireshark-common), or undefined. */
function text2pcap() {
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    const f = path.join(dir, "text2pcap");
    if (dir && fs.existsSync(f)) return f;
  }
  return undefined;
}

/**
 * The packets of a pcapng file: direction (epb_flags bits 0-1: 1 inbound, 2 outbound), time in ms and the
 * bytes after the dummy Ethernet, IPv4 and TCP headers text2pcap put in front (14 + 20 + 20).
 */
function readPcapng(buf) {
  const packets = [];
  let unitsPerMs = 1000; // if_tsresol: microseconds unless the interface says otherwise
  for (let at = 0; at + 8 <= buf.length;) {
    const type = buf.readUInt32LE(at);
    const len = buf.readUInt32LE(at + 4);
    if (type === 1) {
      for (let o = at + 16; o + 4 <= at + len - 4;) {
        const code = buf.readUInt16LE(o);
        const olen = buf.readUInt16LE(o + 2);
        if (code === 0) break;
        if (code === 9) unitsPerMs = 10 ** buf[o + 4] / 1000; // a power of 10 (the high bit, powers of 2, is not used here)
        o += 4 + Math.ceil(olen / 4) * 4;
      }
    }
    if (type === 6) {
      const ts = buf.readUInt32LE(at + 12) * 2 ** 32 + buf.readUInt32LE(at + 16);
      const caplen = buf.readUInt32LE(at + 20);
      const data = buf.subarray(at + 28, at + 28 + caplen);
      let dir = 0;
      for (let o = at + 28 + Math.ceil(caplen / 4) * 4; o + 4 <= at + len - 4;) {
        const code = buf.readUInt16LE(o);
        const olen = buf.readUInt16LE(o + 2);
        if (code === 0) break;
        if (code === 2) dir = buf.readUInt32LE(o + 4) & 3;
        o += 4 + Math.ceil(olen / 4) * 4;
      }
      // The IPv4 total length, not caplen: text2pcap pads short Ethernet frames to 60 bytes.
      packets.push({ dir, ms: Math.round(ts / unitsPerMs), payload: data.subarray(54, 14 + data.readUInt16BE(16)) });
    }
    at += len;
  }
  return packets;
}

const HOST = "127.0.0.1";
const NODES = [nodes.manager, nodes.trigger, nodes.send];

/** A trigger framing lines on port, answering each line with "ACK <line>\r\n" through a send node in reply mode. */
function flow(port, trigger) {
  return onTab([
    { id: "mgr", type: "tcp-connection-manager", name: "m" },
    Object.assign(
      { id: "trig", type: "tcp-server-trigger", manager: "mgr", host: HOST, port, event: "line", eol: "lf", wires: [["send", "out"]] },
      trigger,
    ),
    {
      id: "send",
      type: "send-to-tcp-port",
      mode: "reply",
      manager: "mgr",
      data: '"ACK " & payload & "\\r\\n"',
      dataType: "jsonata",
      wires: [[]],
    },
    { id: "out", type: "helper" },
  ]);
}

async function start(trigger) {
  const port = await freePort();
  await helper.load(NODES, flow(port, trigger));
  await waitFor(() => portTaken(port), `listener on ${port}`);
  return { port, out: recorder(helper.getNode("out")) };
}

/** Sends three lines (the third split over two writes), waiting for each reply; returns the client, its session and all it read. */
async function talk(port, out) {
  const c = await connect(port);
  let read = "";
  c.on("data", (b) => (read += b.toString("latin1")));
  c.write("one\n");
  await waitFor(() => read === "ACK one\r\n", "first reply");
  c.write("two\nthr");
  await new Promise((r) => setTimeout(r, 30));
  c.write("ee\n");
  await waitFor(() => read === "ACK one\r\nACK two\r\nACK three\r\n", "all replies");
  const msgs = await out.until(3);
  return { c, session: msgs[0]._session.id, read };
}

const route = (session, q = "") => `/tcp-connection-manager/mgr/connections/${session}/traffic${q}`;

function bytesOf(body, dir) {
  return Buffer.concat(body.chunks.filter((c) => c.dir === dir).map((c) => Buffer.from(c.data, "base64"))).toString("latin1");
}

describe("traffic view (nodes)", function () {
  afterEach(async function () {
    helper.settings({});
    await helper.unload();
  });

  it("a trigger with traffic on: the route gives the bytes each way, frame ends at the line ends, and the close reason after the client left", async function () {
    const { port, out } = await start({ traffic: true });
    const { c, session } = await talk(port, out);
    const live = (await helper.request().get(route(session)).expect(200)).body;
    assert.strictEqual(live.session, session);
    assert.strictEqual(live.owner.id, "trig");
    assert.strictEqual(live.peer, `127.0.0.1:${c.localPort}`);
    assert.strictEqual(bytesOf(live, "in"), "one\ntwo\nthree\n");
    assert.strictEqual(bytesOf(live, "out"), "ACK one\r\nACK two\r\nACK three\r\n");
    assert.deepStrictEqual(live.frames, [4, 8, 14], "just past each LF");
    assert.strictEqual(live.closed, null);
    assert.strictEqual(live.truncated, false);
    assert.deepStrictEqual(
      live.chunks.map((ch) => ch.dir),
      ["in", "out", "in", "out", "in", "out", "out"].slice(0, live.chunks.length),
      "in time order",
    );
    assert.ok(live.chunks.every((ch, i) => i === 0 || ch.t >= live.chunks[i - 1].t));

    const list = (await helper.request().get("/tcp-connection-manager/mgr/traffic").expect(200)).body;
    assert.deepStrictEqual(
      list.live.map((x) => x.session),
      [session],
    );
    const conns = (await helper.request().get("/tcp-connection-manager/mgr/connections").expect(200)).body.connections;
    assert.deepStrictEqual(
      conns.map((x) => [x.id, x.traffic]),
      [[session, "on"]],
      "the connection list says which connections keep traffic",
    );

    c.end();
    await waitFor(async () => (await helper.request().get(route(session))).body.closed !== null, "closed");
    const after = (await helper.request().get(route(session)).expect(200)).body;
    assert.strictEqual(after.closed.reason, "peer");
    assert.strictEqual(bytesOf(after, "in"), "one\ntwo\nthree\n", "kept after the connection closed");
    const list2 = (await helper.request().get("/tcp-connection-manager/mgr/traffic").expect(200)).body;
    assert.deepStrictEqual(
      list2.closed.map((x) => [x.session, x.closed.reason]),
      [[session, "peer"]],
    );
  });

  it("downloads: text2pcap (hex, I/O, parses back to the same bytes) and JSON, both as attachments", async function () {
    const { port, out } = await start({ traffic: true });
    const { session } = await talk(port, out);
    const t = await helper.request().get(route(session, "?format=text2pcap")).expect(200);
    assert.match(t.headers["content-type"], /^text\/plain/);
    assert.strictEqual(t.headers["x-content-type-options"], "nosniff");
    assert.match(t.headers["content-disposition"], new RegExp(`attachment; filename="traffic-${session}\\.txt"`));
    const packets = parseText2pcap(t.text);
    const dir = (d) => Buffer.concat(packets.filter((p) => p.dir === d).map((p) => p.bytes)).toString("latin1");
    assert.strictEqual(dir("I"), "one\ntwo\nthree\n");
    assert.strictEqual(dir("O"), "ACK one\r\nACK two\r\nACK three\r\n");
    const j = await helper.request().get(route(session, "?format=json")).expect(200);
    assert.match(j.headers["content-type"], /^application\/json/);
    assert.match(j.headers["content-disposition"], new RegExp(`attachment; filename="traffic-${session}\\.json"`));
    assert.strictEqual(bytesOf(j.body, "in"), "one\ntwo\nthree\n");
  });

  it("the text2pcap download converts with Wireshark's text2pcap as documented: same bytes, directions and times", async function () {
    const tool = text2pcap();
    if (!tool) {
      if (process.env.TCPA_REQUIRE_TEXT2PCAP === "1")
        throw new Error("text2pcap is required here (TCPA_REQUIRE_TEXT2PCAP=1) but not installed");
      skipBecause(this, "text2pcap conversion", "text2pcap is not installed (Debian: wireshark-common; CI requires it)");
    }
    const { port, out } = await start({ traffic: true });
    const { c, session } = await talk(port, out);
    const body = (await helper.request().get(route(session)).expect(200)).body;
    const text = (await helper.request().get(route(session, "?format=text2pcap")).expect(200)).text;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tcpa-traffic-"));
    try {
      fs.writeFileSync(path.join(dir, "capture.txt"), text);
      const command = /# convert: (.*)$/m.exec(text);
      assert.ok(command, "the dump says how to convert it");
      // The documented command, as written in the dump's comment (file names relative to dir).
      execFileSync("/bin/sh", ["-c", command[1]], { cwd: dir, stdio: "pipe" });
      const packets = readPcapng(fs.readFileSync(path.join(dir, "capture.pcapng")));
      assert.deepStrictEqual(
        packets.map((p) => [p.dir === 1 ? "in" : p.dir === 2 ? "out" : "?", p.payload.toString("latin1")]),
        body.chunks.map((ch) => [ch.dir, Buffer.from(ch.data, "base64").toString("latin1")]),
      );
      assert.deepStrictEqual(
        packets.map((p) => p.ms),
        body.chunks.map((ch) => ch.t),
        "times in UTC, to the millisecond",
      );
      assert.strictEqual(command[1].includes(`-T ${c.localPort},${port}`), true, "the I packets' ports: peer, then local");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("traffic off (the default), or turned off in settings.js: the route says not captured, and why", async function () {
    const { port, out } = await start({});
    const { session } = await talk(port, out);
    const r = await helper.request().get(route(session)).expect(404);
    assert.strictEqual(r.body.captured, false);
    assert.strictEqual(r.body.reason, "off");
    const conns = (await helper.request().get("/tcp-connection-manager/mgr/connections").expect(200)).body.connections;
    assert.deepStrictEqual(
      conns.map((x) => x.traffic),
      ["off"],
    );
    assert.strictEqual((await helper.request().get(route("0123456789abcdef")).expect(404)).body.reason, "unknown");
    await helper.unload();

    helper.settings({ tcpAutomation: { traffic: false } });
    const second = await start({ traffic: true });
    const s2 = await talk(second.port, second.out);
    assert.strictEqual((await helper.request().get(route(s2.session)).expect(404)).body.reason, "off");
  });

  it("settings.js tcpAutomation.trafficPerDirection and trafficBudget set a manager's bounds", async function () {
    helper.settings({ tcpAutomation: { trafficPerDirection: 256, trafficBudget: 65536 } });
    const { port, out } = await start({ traffic: true });
    const c = await connect(port);
    c.on("data", () => undefined);
    c.write("a".repeat(1000) + "\n");
    const [msg] = await out.until(1);
    const list = (await helper.request().get("/tcp-connection-manager/mgr/traffic").expect(200)).body;
    assert.deepStrictEqual(list.limits, { perDirection: 256, budget: 65536, keepClosed: 32 });
    const body = (await helper.request().get(route(msg._session.id)).expect(200)).body;
    const kept = bytesOf(body, "in");
    assert.ok(kept.length > 0 && kept.length <= 256 - 64, `${kept.length} bytes kept`);
    assert.ok(kept.endsWith("a\n"), "the last bytes");
    assert.strictEqual(body.truncated, true);
    assert.strictEqual(body.bytes.in, 1001);
    c.destroy();
  });

  it("replay from the editor (write permission): the client side against the trigger's own port runs the flow again; loopback only", async function () {
    const { port, out } = await start({ traffic: true });
    const { c, session } = await talk(port, out);
    c.end();
    const bad = await helper.request().post(route(session, "/replay?to=10.0.0.1:7000")).expect(400);
    assert.match(bad.body.error, /replay-loopback|10\.0\.0\.1:7000/, "says why (the catalog key where no catalog is loaded)");
    await helper.request().post(route(session, "/replay?to=localhost:0")).expect(400);
    const r = await helper
      .request()
      .post(route(session, `/replay?to=127.0.0.1:${port}&fast=1`))
      .expect(200);
    assert.deepStrictEqual(r.body, { to: `127.0.0.1:${port}`, side: "in", sent: 14, received: 29, short: false });
    const msgs = await out.until(6);
    assert.deepStrictEqual(
      msgs.slice(3).map((m) => m.payload),
      msgs.slice(0, 3).map((m) => m.payload),
    );
    assert.notStrictEqual(msgs[3]._session.id, session, "a new connection");
  });

  it("a capture replayed against a second trigger gives the same messages as the original, in order", async function () {
    const { port, out } = await start({ traffic: true });
    const { c, session } = await talk(port, out);
    const original = out.msgs.map((m) => m.payload);
    c.end();
    const capture = parseCapture((await helper.request().get(route(session, "?format=json")).expect(200)).body);
    await helper.unload();

    const second = await start({});
    const result = await replayClient(capture, HOST, second.port, { fast: true });
    assert.strictEqual(result.received.toString("latin1"), "ACK one\r\nACK two\r\nACK three\r\n");
    assert.strictEqual(result.short, false);
    const replayed = await second.out.until(3);
    assert.deepStrictEqual(
      replayed.map((m) => m.payload),
      original,
    );
  });

  it("a tcp client's capture (it dialled: direction out) served back as the device to a second tcp client gives the same replies", async function () {
    // The device: answers each line with "VAL <line>".
    const device = net.createServer((sock) => {
      let buf = "";
      sock.on("data", (b) => {
        buf += b.toString("latin1");
        let i;
        while ((i = buf.indexOf("\n")) !== -1) {
          sock.write(`VAL ${buf.slice(0, i)}\n`);
          buf = buf.slice(i + 1);
        }
      });
    });
    await new Promise((r) => device.listen(0, HOST, () => r(undefined)));
    const client = (port, traffic) =>
      onTab([
        { id: "mgr", type: "tcp-connection-manager", name: "m" },
        Object.assign(
          {
            id: "cl",
            type: "tcp-client-link",
            manager: "mgr",
            host: HOST,
            port: String(port),
            mode: "request",
            replyProperty: "reply",
            event: "line",
            eol: "lf",
          },
          traffic ? { traffic: true } : {},
          { wires: [["out"]] },
        ),
        { id: "out", type: "helper" },
      ]);
    const ask = async (out) => {
      const cl = helper.getNode("cl");
      for (const q of ["a", "b", "c"]) {
        cl.receive({ payload: `${q}\n` });
        await out.until(out.msgs.length + 1);
      }
      return out.msgs.map((m) => m.reply);
    };
    try {
      await helper.load([nodes.manager, nodes.client], client(/** @type {import("net").AddressInfo} */ (device.address()).port, true));
      const replies = await ask(recorder(helper.getNode("out")));
      assert.deepStrictEqual(replies, ["VAL a", "VAL b", "VAL c"]);
      const list = (await helper.request().get("/tcp-connection-manager/mgr/traffic").expect(200)).body;
      assert.strictEqual(list.live.length, 1);
      const body = (await helper.request().get(route(list.live[0].session, "?format=json")).expect(200)).body;
      assert.strictEqual(body.direction, "out", "the node dialled the device");
      assert.strictEqual(bytesOf(body, "out"), "a\nb\nc\n");
      assert.strictEqual(bytesOf(body, "in"), "VAL a\nVAL b\nVAL c\n");
      assert.deepStrictEqual(body.frames, [6, 12, 18]);
      await helper.unload();

      const served = [];
      const fake = serveReplay(parseCapture(body), { fast: true, onDone: (r) => served.push(r) });
      await new Promise((r) => fake.listen(0, HOST, () => r(undefined)));
      try {
        await helper.load([nodes.manager, nodes.client], client(/** @type {import("net").AddressInfo} */ (fake.address()).port, false));
        assert.deepStrictEqual(await ask(recorder(helper.getNode("out"))), replies);
      } finally {
        await helper.unload();
        fake.close();
      }
      await waitFor(() => served.length === 1, "the replayed conversation ended");
      assert.strictEqual(served[0].received.toString("latin1"), "a\nb\nc\n");
    } finally {
      device.close();
    }
  });

  it("a bridge with traffic on captures the link it dialled (direction out): what it forwarded and what the peer answered", async function () {
    /** @type {net.Socket[]} */
    const socks = [];
    const got = [];
    const peer = net.createServer((sock) => {
      socks.push(sock);
      sock.on("data", (b) => got.push(b));
    });
    await new Promise((r) => peer.listen(0, HOST, () => r(undefined)));
    const port = await freePort();
    try {
      await helper.load(
        [nodes.manager, nodes.bridge],
        onTab([
          { id: "mgr", type: "tcp-connection-manager", name: "m" },
          {
            id: "br",
            type: "tcp-server-client-bridge",
            manager: "mgr",
            host: HOST,
            port,
            peerHost: HOST,
            peerPort: String(/** @type {import("net").AddressInfo} */ (peer.address()).port),
            eventBytes: 0,
            holdOff: "0.2",
            event: "line",
            eol: "lf",
            traffic: true,
            wires: [["out"]],
          },
          { id: "out", type: "helper" },
        ]),
      );
      const out = recorder(helper.getNode("out"));
      await waitFor(() => socks.length === 1, "the bridge dialled the peer");
      helper.getNode("br").receive({ payload: "x\n" });
      await waitFor(() => Buffer.concat(got).toString() === "x\n", "the peer got the line");
      socks[0].write("yy\n");
      await out.until(1);
      const list = (await helper.request().get("/tcp-connection-manager/mgr/traffic").expect(200)).body;
      assert.strictEqual(list.live.length, 1);
      const body = (await helper.request().get(route(list.live[0].session)).expect(200)).body;
      assert.strictEqual(body.owner.id, "br");
      assert.strictEqual(body.direction, "out");
      assert.strictEqual(bytesOf(body, "out"), "x\n");
      assert.strictEqual(bytesOf(body, "in"), "yy\n");
      assert.deepStrictEqual(body.frames, [3]);
    } finally {
      peer.close();
      socks.forEach((x) => x.destroy());
    }
  });
});
