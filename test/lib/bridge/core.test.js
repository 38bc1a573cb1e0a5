"use strict";
// The one-link state machine over real sockets on ephemeral ports.
const assert = require("assert");
const net = require("net");
const { lib, connect, readAll, sleep, waitFor, freePort, refusedPort } = require("../../helpers");
const { BridgeCore } = lib("bridge/core.js");
const { parseBridgeConfig } = lib("bridge/config.js");
const { parseFramingConfig } = lib("inbound/framing-config.js");
const { SessionRegistry } = lib("sessions/registry.js");

/** A TCP server playing the peer: records its connections and what each sent. */
async function peerServer() {
  const conns = [];
  const server = net.createServer((s) => {
    const c = { socket: s, data: Buffer.alloc(0), chunks: [] };
    s.on("data", (d) => {
      c.data = Buffer.concat([c.data, d]);
      c.chunks.push(d.toString());
    });
    s.on("error", () => undefined);
    conns.push(c);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
  return {
    conns,
    port: /** @type {import("net").AddressInfo} */ (server.address()).port,
    close: () => (conns.forEach((c) => c.socket.destroy()), server.close()),
  };
}

/** A bridge listening on an ephemeral port; every handler call is recorded in order. */
async function bridge(props) {
  const registry = new SessionRegistry();
  const log = [];
  const rec =
    (name) =>
    (...args) =>
      log.push({ name, args, t: Date.now() });
  const handlers = {};
  for (const n of [
    "mode",
    "listening",
    "listenError",
    "dialling",
    "dialFailed",
    "linked",
    "refused",
    "timeout",
    "unlinked",
    "messages",
    "frameError",
    "skipped",
    "socketError",
    "sendFailed",
  ]) {
    handlers[n] = rec(n);
  }
  const core = new BridgeCore({
    listen: { port: 0, host: "127.0.0.1", maxConnections: 0, readTimeoutMs: 0 },
    config: parseBridgeConfig(Object.assign({ peerHost: "127.0.0.1", holdOff: "0.2" }, props)),
    inbound: Object.assign(parseFramingConfig({ event: "chunk", output: "buffer" }), { readTimeoutMs: 0, topic: "t" }),
    registry,
    owner: { id: "b1", type: "test" },
    handlers,
    stopGraceMs: 300,
  });
  core.start();
  await waitFor(() => core.listenPort, "listening");
  const modes = () => log.filter((e) => e.name === "mode").map((e) => e.args[0]);
  const calls = (name) => log.filter((e) => e.name === name).map((e) => e.args);
  const received = () => Buffer.concat(calls("messages").flatMap(([batch]) => batch.map((m) => m.payload))).toString();
  return { core, registry, log, modes, calls, received, port: core.listenPort };
}

describe("bridge core (one link at a time)", function () {
  const cleanup = [];
  afterEach(async function () {
    while (cleanup.length) await cleanup.pop()();
  });
  const use = (b) => (cleanup.push(() => b.core.stop()), b);
  const usePeer = (p) => (cleanup.push(async () => p.close()), p);

  it("buffers input until event bytes are waiting, dials, and writes the buffer first", async function () {
    const peer = usePeer(await peerServer());
    const b = use(await bridge({ peerPort: peer.port, eventBytes: "5" }));
    assert.deepStrictEqual(b.core.write(Buffer.from("abc")), { accepted: 3, dropped: 0, full: false });
    await sleep(50);
    assert.strictEqual(peer.conns.length, 0, "no dial below event bytes");
    assert.strictEqual(b.core.buffered, 3);
    b.core.write(Buffer.from("de"));
    await waitFor(() => b.core.mode === "linked-out", "linked out");
    b.core.write(Buffer.from("fg"));
    await waitFor(() => peer.conns[0] && peer.conns[0].data.length === 7, "7 bytes at the peer");
    assert.strictEqual(peer.conns[0].data.toString(), "abcdefg");
    assert.deepStrictEqual(b.modes(), ["listening", "dialling", "linked-out"]);
    peer.conns[0].socket.write("back");
    await waitFor(() => b.received() === "back", "bytes from the peer");
    const [[conn]] = b.calls("linked");
    assert.strictEqual(conn.session.direction, "out");
    assert.strictEqual(b.registry.list()[0].direction, "out");
  });

  it("a peer that connects gets the link and what was waiting; others are refused as busy", async function () {
    const b = use(await bridge({ peerPort: await freePort(), eventBytes: "100" }));
    b.core.write(Buffer.from("queued"));
    const a = await connect(b.port);
    const aData = readAll(a);
    await waitFor(() => b.core.mode === "linked-in", "linked in");
    const second = await connect(b.port);
    const secondPort = second.localPort;
    assert.strictEqual((await readAll(second)).length, 0);
    await waitFor(() => b.calls("refused").length === 1, "refused");
    assert.strictEqual(b.calls("refused")[0][3], "busy");
    assert.strictEqual(b.calls("refused")[0][1], secondPort);
    b.core.write(Buffer.from("+live"));
    await sleep(30);
    a.end();
    assert.strictEqual((await aData).toString(), "queued+live");
    await waitFor(() => b.core.mode === "listening", "listening again");
    assert.strictEqual(b.calls("unlinked")[0][1], "peer");
  });

  it("an unreachable peer: dial fails, hold-off, dial again; a peer connecting meanwhile gets the buffer", async function () {
    const b = use(await bridge({ peerPort: await refusedPort(), eventBytes: "2", holdOff: "0.3" }));
    b.core.write(Buffer.from("SOS"));
    await waitFor(() => b.calls("dialFailed").length === 2, "two failed dials", 10000);
    const [f1, f2] = b.log.map((e, i) => ({ e, i })).filter(({ e }) => e.name === "dialFailed");
    assert.strictEqual(f1.e.args[0].code, "ECONNREFUSED");
    assert.strictEqual(f1.e.args[1], 300);
    assert.deepStrictEqual(b.modes().slice(0, 5), ["listening", "dialling", "holding-off", "listening", "dialling"]);
    assert.ok(f2.i > f1.i);
    assert.strictEqual(b.core.buffered, 3, "still waiting, nothing lost");
    assert.deepStrictEqual(
      b.calls("dialling").map((a) => a[2]),
      [false, true],
      "the dial after a failed one is a retry",
    );
    // During the hold-off a peer connects: it takes the link and gets the buffer.
    await waitFor(() => b.core.mode === "holding-off", "holding off");
    const c = await connect(b.port);
    const got = readAll(c);
    await waitFor(() => b.core.mode === "linked-in", "linked in");
    await sleep(400); // longer than the hold-off: no dial may happen while linked
    assert.strictEqual(b.calls("dialling").length, 2);
    c.end();
    assert.strictEqual((await got).toString(), "SOS");
  });

  it("hold-off is kept between dials", async function () {
    const b = use(await bridge({ peerPort: await refusedPort(), eventBytes: "0", holdOff: "0.25" }));
    const times = () => b.log.filter((e) => e.name === "dialling").map((e) => e.t);
    await waitFor(() => times().length >= 3, "three dials", 10000);
    const [t0, t1, t2] = times();
    assert.ok(t1 - t0 >= 240 && t2 - t1 >= 240, `dials at 0, ${t1 - t0}, ${t2 - t0} ms`);
    assert.strictEqual(b.calls("dialFailed").length >= 2, true);
  });

  it("idle timeout counts both directions and then listens again", async function () {
    const b = use(await bridge({ peerPort: await freePort(), eventBytes: "100", timeout: "0.2" }));
    const c = await connect(b.port);
    c.on("data", () => undefined);
    const closed = readAll(c);
    await waitFor(() => b.core.mode === "linked-in", "linked");
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) {
      await sleep(120);
      c.write("x"); // peer -> bridge
      await sleep(120);
      b.core.write(Buffer.from("y")); // bridge -> peer
    }
    assert.strictEqual(b.core.mode, "linked-in", "traffic either way keeps the link");
    await closed;
    const lasted = Date.now() - t0;
    assert.ok(lasted >= 720 + 180, `closed after ${lasted} ms`);
    await waitFor(() => b.core.mode === "listening", "listening");
    assert.strictEqual(b.calls("timeout").length, 1);
    assert.strictEqual(b.calls("unlinked")[0][1], "timeout");
  });

  it("a closed dial-out link is followed by the hold-off; event bytes 0 dials again after it", async function () {
    const peer = usePeer(await peerServer());
    const b = use(await bridge({ peerPort: peer.port, eventBytes: "0", holdOff: "0.2" }));
    await waitFor(() => peer.conns.length === 1, "first dial");
    await waitFor(() => b.core.mode === "linked-out", "linked out");
    peer.conns[0].socket.end();
    await waitFor(() => peer.conns.length === 2, "second dial");
    // From the moment the bridge entered holding-off (its own mode event), not from when a poll noticed it:
    // on a loaded machine the poll can be late, which would shorten what the test measures.
    const at = (mode) => b.log.find((e) => e.name === "mode" && e.args[0] === mode).t;
    const redial = b.log.filter((e) => e.name === "mode" && e.args[0] === "dialling")[1].t;
    assert.ok(redial - at("holding-off") >= 190, `dialled again ${redial - at("holding-off")} ms after the hold-off began`);
    assert.deepStrictEqual(b.modes(), ["listening", "dialling", "linked-out", "holding-off", "listening", "dialling", "linked-out"]);
    assert.deepStrictEqual(
      b.calls("dialling").map((a) => a[2]),
      [false, false],
      "a dial after a link that closed is not a retry",
    );
  });

  it("frame interval: input is collected until a gap that long, then written as one segment", async function () {
    const peer = usePeer(await peerServer());
    const b = use(await bridge({ peerPort: peer.port, eventBytes: "0", frameInterval: "80" }));
    await waitFor(() => b.core.mode === "linked-out" && peer.conns.length === 1, "linked");
    const p = peer.conns[0];
    for (const s of ["a", "b", "c"]) {
      b.core.write(Buffer.from(s));
      await sleep(25);
    }
    assert.strictEqual(p.data.length, 0, "nothing before the gap");
    await waitFor(() => p.data.length === 3, "the packed segment");
    await sleep(150);
    b.core.write(Buffer.from("d"));
    await waitFor(() => p.data.length === 4, "the next segment");
    assert.deepStrictEqual(p.chunks, ["abc", "d"]);
  });

  it('buffer full with policy "error": the input is refused and nothing of it is sent later', async function () {
    const peer = usePeer(await peerServer());
    const b = use(await bridge({ peerPort: peer.port, eventBytes: "8", maxBuffer: "8" }));
    b.core.write(Buffer.from("12345"));
    assert.strictEqual(b.core.write(Buffer.from("6789")).full, true);
    b.core.write(Buffer.from("678"));
    await waitFor(() => peer.conns[0] && peer.conns[0].data.length === 8, "8 bytes");
    await sleep(30);
    assert.strictEqual(peer.conns[0].data.toString(), "12345678");
  });

  it("bytes a link could not take are handed back when it breaks", async function () {
    // The peer never reads: the kernel buffers fill, the rest waits in the socket until the idle timeout cuts it.
    const server = net.createServer((s) => s.pause());
    await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
    cleanup.push(async () => server.close());
    const b = use(
      await bridge({
        peerPort: /** @type {import("net").AddressInfo} */ (server.address()).port,
        eventBytes: "0",
        timeout: "0.3",
        maxBuffer: String(64 * 1024 * 1024),
      }),
    );
    await waitFor(() => b.core.mode === "linked-out", "linked");
    const data = Buffer.alloc(32 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32BE(i, i);
    assert.strictEqual(b.core.write(data).full, false);
    await waitFor(() => b.calls("sendFailed").length === 1, "the bytes handed back", 10000);
    const [bytes, err] = b.calls("sendFailed")[0];
    assert.ok(bytes.length > 0 && bytes.length <= data.length, `${bytes.length} bytes`);
    assert.ok(bytes.equals(data.subarray(data.length - bytes.length)), "exactly the tail of what was written");
    assert.ok(err instanceof Error);
  });

  it("stop: ends the link after flushing, releases the port and returns the bytes never written", async function () {
    const b = await bridge({ peerPort: await freePort(), eventBytes: "100" });
    const c = await connect(b.port);
    const got = readAll(c);
    await waitFor(() => b.core.mode === "linked-in", "linked");
    b.core.write(Buffer.from("last words"));
    assert.strictEqual((await b.core.stop()).length, 0);
    assert.strictEqual((await got).toString(), "last words");
    assert.strictEqual(b.calls("unlinked")[0][1], "stopped");
    // The port is free again.
    const s = net.createServer();
    await new Promise((resolve, reject) => s.once("error", reject).listen(b.port, "127.0.0.1", () => resolve(undefined)));
    s.close();

    const u = await bridge({ peerPort: await freePort(), eventBytes: "100" });
    u.core.write(Buffer.from("unsent"));
    assert.strictEqual((await u.core.stop()).toString(), "unsent");
    assert.strictEqual(u.core.write(Buffer.from("late")).full, true);
  });
});
