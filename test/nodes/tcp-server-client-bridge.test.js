"use strict";
const assert = require("assert");
const net = require("net");
const catchNode = require("@node-red/nodes/core/common/25-catch.js");
const { onTab, helper, nodes, lib, freePort, sleep, waitFor, connect, readAll, recorder, errors, portTaken } = require("../helpers");

const NODES = [nodes.manager, nodes.bridge, catchNode];
const T = "tcp-server-client-bridge";
const { DEFAULT_MANAGER } = lib("sessions/manager.js");

/** One bridge "br" (frames to "out", events to "ev") and a Catch node for the tab feeding "caught". */
function bridgeFlow(props) {
  return onTab([
    Object.assign(
      { id: "br", type: T, name: "bridge under test", host: "127.0.0.1", peerHost: "127.0.0.1", holdOff: "0.2", event: "line", eol: "lf" },
      props,
      { wires: props.events ? [["out"], ["ev"]] : [["out"]] },
    ),
    { id: "out", type: "helper" },
    { id: "ev", type: "helper" },
    { id: "catcher", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
    { id: "caught", type: "helper" },
  ]);
}

async function start(props) {
  const port = props.port || (await freePort());
  const flow = bridgeFlow(Object.assign({ port }, props));
  await helper.load(NODES, flow);
  const br = helper.getNode("br");
  const statuses = [];
  br.on("call:status", (c) => statuses.push(c.args[0]));
  await waitFor(() => portTaken(port), `bridge listening on ${port}`);
  return {
    flow,
    port,
    br,
    statuses,
    status: () => statuses[statuses.length - 1] || {},
    out: recorder(helper.getNode("out")),
    ev: recorder(helper.getNode("ev")),
    caught: recorder(helper.getNode("caught")),
  };
}

/** A TCP server playing the peer (the "control centre"): its connections and what each received, chunk by chunk. */
async function peerServer(port = 0) {
  const conns = [];
  const server = net.createServer((s) => {
    const c = { socket: s, chunks: [], text: () => Buffer.concat(c.chunks).toString("latin1") };
    s.on("data", (d) => c.chunks.push(d));
    s.on("error", () => undefined);
    conns.push(c);
  });
  await new Promise((r) => server.listen(port, "127.0.0.1", () => r(undefined)));
  return {
    conns,
    port: /** @type {import("net").AddressInfo} */ (server.address()).port,
    close: () => (conns.forEach((c) => c.socket.destroy()), server.close()),
  };
}

/** Everything a client socket has received so far. */
function inbox(socket) {
  const chunks = [];
  socket.on("data", (d) => chunks.push(d));
  socket.on("error", () => undefined);
  return () => Buffer.concat(chunks).toString("latin1");
}

const events = (ev) => ev.msgs.map((m) => m.event);

describe("tcp-server-client-bridge", function () {
  const peers = [];
  const usePeer = (p) => (peers.push(p), p);
  afterEach(async function () {
    await helper.unload();
    while (peers.length) peers.pop().close();
  });

  it("plays the seed's time chart: peer dials in, data both ways, idle timeout, 10 input bytes dial out, buffer first", async function () {
    const centre = usePeer(await peerServer());
    const { port, br, out, ev, status } = await start({
      peerPort: centre.port,
      eventBytes: 10,
      timeout: "0.3",
      events: true,
      topic: "bridge",
    });

    // ~ / 1: the remote host connects to the node's local port; the link is made.
    const host = await connect(port);
    const hostGot = inbox(host);
    const hostClosed = new Promise((r) => host.on("close", r));
    await waitFor(() => events(ev).includes("connected-in"), "connected-in");
    await waitFor(() => status().text === `${T}.status.connected-in`, "status connected (peer dialled in)");
    // ~: data in both directions.
    host.write("data #1\n");
    const [m1] = await out.until(1);
    assert.strictEqual(m1.payload, "data #1");
    assert.strictEqual(m1.topic, "bridge");
    assert.strictEqual(m1.ip, "127.0.0.1");
    assert.strictEqual(m1.port, host.localPort);
    assert.strictEqual(m1.localPort, port);
    assert.match(m1._session.id, /^[0-9a-f]{16}$/);
    br.receive({ payload: "data #2\n" });
    await waitFor(() => hostGot() === "data #2\n", "data #2 at the host");

    // 2 / 3 / 4: silence; after the timeout the node closes the link and listens again.
    const last = Date.now();
    await hostClosed;
    const silent = Date.now() - last;
    assert.ok(silent >= 250, `closed after ${silent} ms of silence`);
    await waitFor(() => events(ev).includes("closed"), "closed event");
    const closed = ev.msgs.find((m) => m.event === "closed");
    assert.strictEqual(closed.reason, "timeout");
    assert.strictEqual(closed.direction, "in");

    // 5: 10 bytes arrive on the input (in two messages); only the 10th makes the node dial.
    br.receive({ payload: Buffer.from("EMERGE") });
    await sleep(100);
    assert.strictEqual(centre.conns.length, 0, "no dial with 6 of 10 bytes");
    br.receive({ payload: "NCY!" });
    // 6: the link is made; the buffered data (#3) is sent right after it, before anything else.
    await waitFor(() => centre.conns.length === 1 && centre.conns[0].text() === "EMERGENCY!", "the buffered data at the centre");
    await waitFor(() => status().text === `${T}.status.connected-out`, "status connected (dialled out)");
    // ~: data in both directions again.
    centre.conns[0].socket.write("ack\n");
    const msgs = await out.until(2);
    assert.strictEqual(msgs[1].payload, "ack");
    assert.strictEqual(msgs[1].port, centre.port);
    assert.notStrictEqual(msgs[1]._session.id, m1._session.id);
    br.receive({ payload: " data #4" });
    await waitFor(() => centre.conns[0].text() === "EMERGENCY! data #4", "data #4 at the centre");

    assert.deepStrictEqual(
      events(ev).filter((e) => e !== "listening"),
      ["connected-in", "timeout", "closed", "dialling", "connected-out"],
    );
    assert.strictEqual(ev.msgs.find((m) => m.event === "connected-out").direction, "out");
  });

  it("frames that arrive in one read go out as one message each, in order, each from a send() of its own", async function () {
    for (const withEvents of [false, true]) {
      const { port, br, out } = await start({ peerPort: await freePort(), eventBytes: 100, events: withEvents });
      const sends = [];
      br.on("call:send", (c) => sends.push(c.args[0]));
      const c = await connect(port);
      c.write("one\ntwo\nthree\n"); // one write: the bridge reads the three frames at once
      const msgs = await out.until(3);
      assert.deepStrictEqual(
        msgs.map((m) => m.payload),
        ["one", "two", "three"],
      );
      assert.strictEqual(new Set(msgs.map((m) => m._msgid)).size, 3, "separate messages");
      const frames = sends.filter((a) => !(Array.isArray(a) && a[0] === null)); // not the events
      assert.strictEqual(frames.length, 3, `one send() per frame (events ${withEvents})`);
      for (const [i, arg] of frames.entries()) {
        const msg = withEvents ? arg[0] : arg;
        assert.ok(!Array.isArray(msg), "one message, not a batch");
        assert.strictEqual(msg.payload, ["one", "two", "three"][i]);
      }
      c.destroy();
      await helper.unload();
    }
  });

  it("refuses a second connection while linked, says so, and keeps the link", async function () {
    const { port, br, ev } = await start({ peerPort: await freePort(), eventBytes: 100, events: true });
    const a = await connect(port);
    const aGot = inbox(a);
    await waitFor(() => events(ev).includes("connected-in"), "first link");
    const b = await connect(port);
    const bPort = b.localPort;
    assert.strictEqual((await readAll(b)).length, 0, "the second peer is closed at once");
    await waitFor(() => events(ev).includes("refused"), "refused event");
    const refused = ev.msgs.find((m) => m.event === "refused");
    assert.strictEqual(refused.reason, "busy");
    assert.strictEqual(refused.port, bPort);
    assert.strictEqual(refused.connections, 1);
    br.receive({ payload: "still yours" });
    await waitFor(() => aGot() === "still yours", "the first peer still linked");
    a.destroy();
  });

  it("an unreachable peer: catchable dial errors, retries with hold-off, bounded buffer, then delivers all it accepted", async function () {
    const peerPort = await freePort();
    const { br, caught, status } = await start({ peerPort, eventBytes: 4, maxBuffer: 12, holdOff: "0.2", connectTimeout: "1" });
    const caughtAt = [];
    helper.getNode("caught").on("input", () => caughtAt.push(Date.now()));
    br.receive({ payload: "SOS!" });
    await caught.until(2, 10000);
    assert.ok(caughtAt[1] - caughtAt[0] >= 180, `second dial ${caughtAt[1] - caughtAt[0]} ms after the first failed`);
    const dialErrs = caught.msgs.filter((m) => m.error.code === "ECONNREFUSED");
    assert.strictEqual(dialErrs.length, 2);
    assert.strictEqual(dialErrs[0].error.source.id, "br");
    assert.match(dialErrs[0].error.message, /errors\.dial/);
    assert.strictEqual(dialErrs[0].buffered, 4);
    await waitFor(() => status().text === `${T}.status.holding-off`, "status holding off");

    // Bounded: 8 more bytes fit (12), the next one is refused with its message.
    br.receive({ payload: "12345678" });
    br.receive({ _msgid: "m9", payload: "9" });
    await waitFor(() => caught.msgs.some((m) => m.error.code === "EBUFFERFULL"), "buffer-full error");
    const full = caught.msgs.find((m) => m.error.code === "EBUFFERFULL");
    assert.strictEqual(full.payload, "9");
    assert.strictEqual(full._msgid, "m9");

    // The peer comes up: the next dial after the hold-off delivers exactly what was accepted.
    const centre = usePeer(await peerServer(peerPort));
    await waitFor(() => centre.conns.length === 1 && centre.conns[0].text() === "SOS!12345678", "all accepted bytes", 10000);
    await sleep(50);
    assert.strictEqual(centre.conns[0].text(), "SOS!12345678");
  });

  it("greeting: a client that connects gets it first; the dialled peer does not", async function () {
    const centre = usePeer(await peerServer());
    const { br } = await start({ peerPort: centre.port, eventBytes: 0, greeting: "HELLO\\r\\n" });
    await waitFor(() => centre.conns.length === 1, "dialled out");
    br.receive({ payload: "to the peer" });
    await waitFor(() => centre.conns[0].text() === "to the peer", "only the input at the dialled peer");
    await helper.unload();
    const again = await start({ peerPort: await freePort(), eventBytes: 100, greeting: "HELLO\\r\\n" });
    const c = await connect(again.port);
    const got = inbox(c);
    await waitFor(() => got() === "HELLO\r\n", "the greeting at the client");
    c.destroy();
  });

  it("event bytes 0 dials right after deploy; the link is in the manager's live list", async function () {
    const centre = usePeer(await peerServer());
    const { br, status } = await start({ peerPort: centre.port, eventBytes: 0 });
    await waitFor(() => centre.conns.length === 1, "a dial with no input at all");
    await waitFor(() => status().text === `${T}.status.connected-out`, "status connected out");
    const mine = DEFAULT_MANAGER.registry.list().filter((s) => s.ownerId === "br");
    assert.strictEqual(mine.length, 1);
    assert.strictEqual(mine[0].direction, "out");
    assert.strictEqual(mine[0].ownerType, T);
    assert.strictEqual(mine[0].remotePort, centre.port);
    br.receive({ payload: "hello" });
    await waitFor(() => centre.conns[0].text() === "hello", "input at the peer");
  });

  it("links appear in the configured manager's registry, and a reply by session reaches the peer", async function () {
    const port = await freePort();
    const flow = bridgeFlow({ port, peerPort: await freePort(), eventBytes: 100, manager: "mgr" });
    flow.push({ id: "mgr", type: "tcp-connection-manager", name: "plant" });
    await helper.load(NODES, flow);
    await waitFor(() => portTaken(port), "listening");
    const out = recorder(helper.getNode("out"));
    const c = await connect(port);
    const got = inbox(c);
    c.write("request\n");
    const [m] = await out.until(1);
    const registry = helper.getNode("mgr").core.registry;
    const list = registry.list();
    assert.strictEqual(list.length, 1);
    assert.deepStrictEqual(
      [list[0].id, list[0].direction, list[0].remotePort, list[0].localPort],
      [m._session.id, "in", c.localPort, port],
    );
    assert.strictEqual(DEFAULT_MANAGER.registry.list().filter((s) => s.ownerId === "br").length, 0, "not in the default manager");
    registry.lookup(m._session.id).socket.write("reply\n");
    await waitFor(() => got() === "reply\n", "the reply");
    c.destroy();
    await waitFor(() => registry.list().length === 0, "gone from the list when closed");
  });

  it("frame interval packs input until a gap that long into one segment", async function () {
    const centre = usePeer(await peerServer());
    const { br } = await start({ peerPort: centre.port, eventBytes: 0, frameInterval: 80 });
    await waitFor(() => centre.conns.length === 1, "linked");
    await sleep(30);
    for (const s of ["a", "b", "c"]) {
      br.receive({ payload: s });
      await sleep(25);
    }
    assert.strictEqual(centre.conns[0].chunks.length, 0, "nothing sent before the gap");
    await waitFor(() => centre.conns[0].text() === "abc", "the packed segment");
    await sleep(150);
    br.receive({ payload: "d" });
    await waitFor(() => centre.conns[0].text() === "abcd", "the next segment");
    assert.deepStrictEqual(centre.conns[0].chunks.map(String), ["abc", "d"]);
  });

  it("strings use the input encoding, Buffers go as they are, bad payloads are catchable errors", async function () {
    const { port, br, caught } = await start({ peerPort: await freePort(), eventBytes: 100, inputEncoding: "windows-1252" });
    const c = await connect(port);
    const got = inbox(c);
    await sleep(50);
    br.receive({ payload: "€ü" });
    br.receive({ payload: Buffer.from([0x00, 0xff]) });
    br.receive({ payload: 42 });
    br.receive({ _msgid: "bad1", payload: undefined });
    br.receive({ _msgid: "bad2", payload: null });
    await waitFor(() => got().length === 6, "6 bytes");
    assert.deepStrictEqual([...Buffer.from(got(), "latin1")], [0x80, 0xfc, 0x00, 0xff, 0x34, 0x32]);
    await caught.until(2);
    assert.deepStrictEqual(
      caught.msgs.map((m) => [m._msgid, m.error.code]),
      [
        ["bad1", "EPAYLOAD"],
        ["bad2", "EPAYLOAD"],
      ],
    );
    assert.match(caught.msgs[0].error.message, /errors\.payload\.undefined/);
    c.destroy();
  });

  it("redeploy: flushes to the linked peer, closes the link, releases the port; a new bridge takes it", async function () {
    const { port, flow, br, out, ev } = await start({ peerPort: await freePort(), eventBytes: 100, frameInterval: 5000, events: true });
    const a = await connect(port);
    const aGot = inbox(a);
    const aClosed = new Promise((r) => a.on("close", r));
    await waitFor(() => events(ev).includes("connected-in"), "linked");
    const listeningBefore = events(ev).filter((e) => e === "listening").length;
    br.receive({ payload: "packed, not yet sent" });
    await sleep(50);
    assert.strictEqual(aGot(), "", "still packing");
    const changed = flow.map((n) => (n.id === "br" ? Object.assign({}, n, { topic: "changed" }) : n));
    await helper.setFlows(changed, "nodes");
    await aClosed;
    assert.strictEqual(aGot(), "packed, not yet sent", "nothing lost at redeploy");
    await waitFor(() => events(ev).filter((e) => e === "listening").length === listeningBefore + 1, "the new bridge listening");
    const c = await connect(port);
    c.write("after\n");
    await waitFor(() => out.msgs.some((m) => m.payload === "after"), "data through the new bridge");
    assert.strictEqual(out.msgs.find((m) => m.payload === "after").topic, "changed");
    c.destroy();
  });

  it("redeploy with bytes never sent reports them as an error with the bytes", async function () {
    const { flow, br } = await start({ peerPort: await freePort(), eventBytes: 100 });
    const errs = errors(br);
    br.receive({ payload: "waiting for a link" });
    await sleep(30);
    await helper.setFlows(
      flow.map((n) => (n.id === "br" ? Object.assign({}, n, { topic: "x" }) : n)),
      "nodes",
    );
    await waitFor(() => errs.some((e) => e.err.code === "EUNSENT"), "the unsent error");
    const e = errs.find((x) => x.err.code === "EUNSENT");
    assert.strictEqual(e.msg.payload.toString(), "waiting for a link");
  });

  it("port in use: red ring and a reported error, and it can still dial out", async function () {
    const blocker = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const centre = usePeer(await peerServer());
    await helper.load(
      NODES,
      bridgeFlow({ port: /** @type {import("net").AddressInfo} */ (blocker.address()).port, peerPort: centre.port, eventBytes: 3 }),
    );
    const br = helper.getNode("br");
    const errs = errors(br);
    const statuses = [];
    br.on("call:status", (c) => statuses.push(c.args[0]));
    await waitFor(() => errs.some((e) => e.err.code === "EADDRINUSE"), "listen error");
    await waitFor(() => statuses.some((s) => s.fill === "red" && s.shape === "ring"), "red ring");
    br.receive({ payload: "abc" });
    await waitFor(() => centre.conns.length === 1 && centre.conns[0].text() === "abc", "dialled out anyway");
    blocker.close();
  });

  it("rejects a bad configuration with a clear error instead of listening; inputs get a catchable error", async function () {
    const port = await freePort();
    await helper.load(NODES, bridgeFlow({ port, peerHost: "", peerPort: 1470 }));
    const logged = helper.log().args.filter((a) => a[0] && a[0].level === helper.log().ERROR);
    assert.ok(
      logged.some((a) => /errors\.config/.test(String(a[0].msg))),
      "config error logged",
    );
    const caught = recorder(helper.getNode("caught"));
    helper.getNode("br").receive({ _msgid: "lost?", payload: "x" });
    const [m] = await caught.until(1);
    assert.deepStrictEqual([m._msgid, m.error.code], ["lost?", "ENOTRUNNING"]);
    assert.strictEqual(await portTaken(port), false, "not listening");
  });
});
