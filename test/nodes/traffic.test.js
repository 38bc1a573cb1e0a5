"use strict";
const assert = require("assert");
const { onTab, helper, nodes, lib, freePort, waitFor, portTaken, connect, recorder } = require("../helpers");
const { parseText2pcap } = require("../lib/traffic/capture.test.js");

const { parseCapture, replayClient } = lib("traffic/replay.js");

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

  it("traffic off (the default), or turned off in settings.js: the route says not captured, and why", async function () {
    const { port, out } = await start({});
    const { session } = await talk(port, out);
    const r = await helper.request().get(route(session)).expect(404);
    assert.strictEqual(r.body.captured, false);
    assert.strictEqual(r.body.reason, "off");
    assert.strictEqual((await helper.request().get(route("0123456789abcdef")).expect(404)).body.reason, "unknown");
    await helper.unload();

    helper.settings({ tcpAutomation: { traffic: false } });
    const second = await start({ traffic: true });
    const s2 = await talk(second.port, second.out);
    assert.strictEqual((await helper.request().get(route(s2.session)).expect(404)).body.reason, "off");
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
});
