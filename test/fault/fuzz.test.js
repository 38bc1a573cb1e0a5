// Fault suite, input fuzz: every node gets payloads of every type, invalid and
// foreign `_session`s, message overrides and node properties of the wrong
// type. Each case must end in a documented conversion (an output message, the
// bytes the conversion table promises on the wire) or in an error a Catch node
// receives with a code; nothing throws, nothing is lost: in = out + caught.
"use strict";
const { prng } = require("../../scripts/lib/prng");
const assert = require("assert");
const net = require("net");
const vm = require("vm");
const functionNode = require("@node-red/nodes/core/function/10-function.js");
const catchNode = require("@node-red/nodes/core/common/25-catch.js");
const completeNode = require("@node-red/nodes/core/common/24-complete.js");
const { onTab, helper, nodes, lib, freePort, sleep, waitFor, portTaken, connect, recorder } = require("../helpers");
const { loadClient } = require("../helpers/client");
const { device } = require("../helpers/device");

const NODES = [nodes.manager, nodes.trigger, nodes.send, nodes.bridge, nodes.client, catchNode, completeNode, functionNode];
const HOST = "127.0.0.1";
const { DEFAULT_MANAGER } = lib("sessions/manager.js");
const HUGE = 8 * 1024 * 1024;

/**
 * Payloads of every type with what the conversion table (lib/outbound-payload)
 * says they become: the bytes on the wire, or EPAYLOAD. Each value is JavaScript
 * source, so it can be built here and inside a real Function node, whose `vm`
 * context has built-ins of its own (a user's usual way to build a payload).
 * @returns {Array<[string, string, Buffer | string]>} label, source, bytes expected (or "EPAYLOAD" / "huge")
 */
function payloadCases() {
  const bytes = (s) => Buffer.from(s);
  const P = "EPAYLOAD";
  return [
    ["undefined", "undefined", P],
    ["null", "null", P],
    ["0", "0", bytes("0")],
    ["-1.5", "-1.5", bytes("-1.5")],
    ["NaN", "NaN", P],
    ["Infinity", "Infinity", P],
    ["-Infinity", "-Infinity", P],
    ["true", "true", bytes("true")],
    ["false", "false", bytes("false")],
    ["empty string", '""', Buffer.alloc(0)],
    ["unicode string", '"grüße ✓ 漢字"', bytes("grüße ✓ 漢字")],
    ["empty object", "({})", bytes("{}")],
    ["nested object", '({ a: { b: [1, "x", null] } })', bytes('{"a":{"b":[1,"x",null]}}')],
    ["empty array", "[]", bytes("[]")],
    ["mixed array", '[1, "x", null, true]', bytes('[1,"x",null,true]')],
    ["Buffer", "Buffer.from([0, 1, 2, 255])", Buffer.from([0, 1, 2, 255])],
    ["empty Buffer", "Buffer.alloc(0)", Buffer.alloc(0)],
    ["object with a nested Buffer", '({ b: Buffer.from("hi") })', bytes('{"b":{"type":"Buffer","data":[104,105]}}')],
    ["array of Buffers", '[Buffer.from("a"), Buffer.from("b")]', bytes('[{"type":"Buffer","data":[97]},{"type":"Buffer","data":[98]}]')],
    ["Buffer through JSON", '({ type: "Buffer", data: [65, 66] })', bytes("AB")],
    ["Buffer-like with bad bytes", '({ type: "Buffer", data: [300] })', bytes('{"type":"Buffer","data":[300]}')],
    ["Uint8Array", "new Uint8Array([7, 8])", Buffer.from([7, 8])],
    ["Uint8Array view", "new Uint8Array([6, 7, 8]).subarray(1)", Buffer.from([7, 8])],
    ["ArrayBuffer", "new Uint8Array([9]).buffer", Buffer.from([9])],
    ["Date", "new Date(0)", bytes("1970-01-01T00:00:00.000Z")],
    ["invalid Date", "new Date(NaN)", P],
    ["null-prototype object", "Object.assign(Object.create(null), { k: 1 })", bytes('{"k":1}')],
    ["object with toJSON", '({ toJSON: () => "custom" })', bytes('"custom"')],
    ["toJSON that throws", '({ toJSON: () => { throw new Error("nope"); } })', P],
    ["circular object", "(() => { const c = { a: 1 }; c.self = c; return c; })()", P],
    ["BigInt", "10n", P],
    ["object holding a BigInt", "({ n: 10n })", P],
    ["Symbol", 'Symbol("s")', P],
    ["function", "() => 1", P],
    ["Map", "new Map([[1, 2]])", P],
    ["Set", "new Set([1])", P],
    ["class instance", "new (class Thing {})()", P],
    ["huge string (8 MiB)", `"x".repeat(${HUGE})`, "huge"],
  ];
}

/** Where payloads are built: in this process, or in a real Function node (its own vm realm). */
const SOURCES = ["test process", "Function node"];

/** A Function node that builds the payload msg.topic names, from payloadCases(), and passes the msg on. */
function makerNode(id, target) {
  const table = payloadCases()
    .map(([label, code]) => `  ${JSON.stringify(label)}: () => (${code}),`)
    .join("\n");
  const func = `const make = {\n${table}\n};\nmsg.payload = make[msg.topic]();\nreturn msg;`;
  return { id, type: "function", func, outputs: 1, noerr: 0, initialize: "", finalize: "", libs: [], x: 100, y: 400, wires: [[target]] };
}

/** Feeds every case to node `target`: built here (receive) or by the flow's Function node `maker`. */
function feed(source, target, cases) {
  if (source === "Function node") {
    const maker = helper.getNode("maker");
    for (const [label] of cases) maker.receive({ topic: label });
    return;
  }
  const node = helper.getNode(target);
  for (const [label, code] of cases) node.receive({ payload: vm.runInThisContext(`(${code})`), topic: label });
}

/** A sink that reads everything: one entry per connection with the bytes it got (kept up to 16 MiB). */
function startSink() {
  const conns = [];
  const server = net.createServer((s) => {
    const c = { bytes: 0, chunks: [], kept: 0, closed: false };
    conns.push(c);
    s.on("data", (d) => {
      c.bytes += d.length;
      if (c.kept < 2 * HUGE) {
        c.chunks.push(d);
        c.kept += d.length;
      }
    });
    s.on("error", () => undefined);
    s.on("close", () => (c.closed = true));
  });
  return new Promise((resolve) =>
    server.listen(0, HOST, () =>
      resolve({
        port: /** @type {import("net").AddressInfo} */ (server.address()).port,
        conns,
        total: () => conns.reduce((n, c) => n + c.bytes, 0),
        close: () =>
          new Promise((r) => {
            server.close(() => r());
            server.unref();
          }),
      }),
    ),
  );
}

/** Catch-node messages whose error came from node id. */
const caughtFrom = (caught, id) => caught.msgs.filter((m) => m.error && m.error.source && m.error.source.id === id);

/** Every caught error is coded (flows switch on msg.error.code) and says something. */
function assertCoded(list) {
  for (const m of list) {
    assert.strictEqual(typeof m.error.message, "string", "error message");
    assert.ok(m.error.message.length > 0, "error text");
    assert.match(String(m.error.code), /^E[A-Z]+$/, `coded error: ${m.error.message}`);
  }
}

/** Waits until every input ended (out + caught = n), then a little longer to see nothing extra arrives. */
async function settle(what, count, n, timeout = 15000) {
  await waitFor(() => count() >= n, `${what}: ${n} inputs ended (have ${count()})`, timeout);
  await sleep(100);
  assert.strictEqual(count(), n, `${what}: every input ends exactly once`);
}

const uncaught = [];
const onUncaught = (err) => uncaught.push(err);

describe("fault: input fuzz", function () {
  this.timeout(60000);
  const sinks = [];
  before(() => process.on("uncaughtException", onUncaught));
  after(() => process.removeListener("uncaughtException", onUncaught));
  afterEach(async function () {
    await helper.unload();
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    assert.deepStrictEqual(uncaught.map(String), [], "no uncaught exception");
    await waitFor(() => DEFAULT_MANAGER.registry.size === 0, "every session released");
  });

  const catchFlow = () => [
    { id: "catcher", type: "catch", scope: null, uncaught: false, x: 100, y: 300, wires: [["caught"]] },
    { id: "caught", type: "helper", x: 300, y: 300 },
  ];

  for (const source of SOURCES)
    it(`send to tcp port: every payload type built in the ${source} is sent as the table says or fails with EPAYLOAD; in = out + caught`, async function () {
      const sink = await startSink();
      sinks.push(sink);
      await helper.load(
        NODES,
        onTab([
          { id: "send", type: "send-to-tcp-port", host: HOST, port: String(sink.port), attempts: 1, x: 100, y: 100, wires: [["out"]] },
          { id: "out", type: "helper", x: 300, y: 100 },
          makerNode("maker", "send"),
          ...catchFlow(),
        ]),
      );
      const out = recorder(helper.getNode("out"));
      const caught = recorder(helper.getNode("caught"));
      const cases = payloadCases();
      feed(source, "send", cases);
      await settle("send", () => out.msgs.length + caughtFrom(caught, "send").length, cases.length, 30000);
      const errs = caughtFrom(caught, "send");
      assertCoded(errs);
      let bytes = 0;
      for (const [label, , expect] of cases) {
        if (expect === "EPAYLOAD") {
          const e = errs.find((m) => m.topic === label);
          assert.ok(e, `${label}: an error`);
          assert.strictEqual(e.error.code, "EPAYLOAD", label);
        } else {
          const m = out.msgs.find((x) => x.topic === label);
          assert.ok(m, `${label}: sent`);
          const n = expect === "huge" ? HUGE : expect.length;
          assert.strictEqual(m.tcp.bytesSent, n, `${label}: bytes sent`);
          bytes += n;
        }
      }
      // In-order delivery: the sink saw the connections in input order; the bytes of each equal the table's.
      await waitFor(() => sink.total() === bytes, `sink got ${bytes} bytes (has ${sink.total()})`);
      const okCases = cases.filter(([, , e]) => e !== "EPAYLOAD");
      okCases.forEach(([label, , expect], i) => {
        if (expect === "huge") return;
        assert.deepStrictEqual(Buffer.concat(sink.conns[i].chunks), expect, `${label}: bytes on the wire`);
      });
      this.test.title += ` (${cases.length} cases)`;
    });

  it("send to tcp port: host, port and destination overrides of the wrong type end in EDESTINATION, never a throw", async function () {
    const sink = await startSink();
    sinks.push(sink);
    await helper.load(
      NODES,
      onTab([
        { id: "dyn", type: "send-to-tcp-port", attempts: 1, connectTimeout: 500, x: 100, y: 100, wires: [["out"]] },
        { id: "out", type: "helper", x: 300, y: 100 },
        ...catchFlow(),
      ]),
    );
    const dyn = helper.getNode("dyn");
    const out = recorder(helper.getNode("out"));
    const caught = recorder(helper.getNode("caught"));
    const p = sink.port;
    const bad = [
      {},
      { host: 42 },
      { host: {}, port: p },
      { host: [HOST], port: p },
      { host: true, port: p },
      { host: "", port: p },
      { host: "   ", port: p },
      { host: "bad host!", port: p },
      { host: HOST },
      { host: HOST, port: "abc" },
      { host: HOST, port: {} },
      { host: HOST, port: [p] },
      { host: HOST, port: -1 },
      { host: HOST, port: 0 },
      { host: HOST, port: 65536 },
      { host: HOST, port: 1.5 },
      { host: HOST, port: NaN },
      { host: HOST, port: true },
      { host: HOST, port: null },
      { destination: 42 },
      { destination: {} },
      { destination: `${HOST}:` },
      { destination: "[::1" },
      { destination: `${HOST}:99999` },
      { destination: `${HOST}:${p}:${p}` },
      { destination: ["x"] },
    ];
    // Documented conversions: a port as text, with blanks; destination text wins over host/port.
    const good = [
      { host: HOST, port: String(p) },
      { host: ` ${HOST} `, port: ` ${p} ` },
      { destination: `${HOST}:${p}`, host: 42, port: "abc" },
    ];
    const all = [...bad.map((o) => ["bad", o]), ...good.map((o) => ["good", o])];
    all.forEach(([kind, o], i) => dyn.receive(Object.assign({ payload: "x", topic: `${kind}${i}` }, o)));
    await settle("overrides", () => out.msgs.length + caughtFrom(caught, "dyn").length, all.length);
    const errs = caughtFrom(caught, "dyn");
    assertCoded(errs);
    assert.strictEqual(
      out.msgs.length,
      good.length,
      `sent: ${out.msgs.map((m) => m.topic)}; errors: ${errs.map((e) => e.topic + " " + e.error.message).join(" | ")}`,
    );
    for (const e of errs) assert.strictEqual(e.error.code, "EDESTINATION", `${e.topic}: ${e.error.message}`);
    this.test.title += ` (${all.length} cases)`;
  });

  for (const source of SOURCES)
    it(`reply to sender: every payload type built in the ${source}, and invalid, unknown, closed and foreign _session, ends as reply or coded error`, async function () {
      const port = await freePort();
      await helper.load(
        NODES,
        onTab([
          {
            id: "trig",
            type: "tcp-server-trigger",
            host: HOST,
            port: String(port),
            event: "line",
            eol: "lf",
            x: 100,
            y: 100,
            wires: [["frames"]],
          },
          { id: "frames", type: "helper", x: 300, y: 100 },
          { id: "reply", type: "send-to-tcp-port", mode: "reply", x: 100, y: 200, wires: [["out"]] },
          { id: "out", type: "helper", x: 300, y: 200 },
          makerNode("maker", "reply"),
          ...catchFlow(),
        ]),
      );
      const frames = recorder(helper.getNode("frames"));
      const reply = helper.getNode("reply");
      const out = recorder(helper.getNode("out"));
      const caught = recorder(helper.getNode("caught"));
      // One client that reads everything, one that has closed.
      const live = await connect(port);
      let got = 0;
      live.on("data", (d) => (got += d.length));
      live.write("hello\n");
      const gone = await connect(port);
      gone.write("bye\n");
      await frames.until(2);
      const liveSession = frames.msgs.find((m) => m.port === live.localPort)._session;
      const goneSession = frames.msgs.find((m) => m.port === gone.localPort)._session;
      gone.destroy();
      await waitFor(() => DEFAULT_MANAGER.registry.size === 1, "closed session released");

      const cases = payloadCases();
      // The session rides on the message into the Function node, which sets only the payload.
      if (source === "Function node") for (const [label] of cases) helper.getNode("maker").receive({ topic: label, _session: liveSession });
      else
        for (const [label, code] of cases)
          reply.receive({ payload: vm.runInThisContext(`(${code})`), topic: label, _session: liveSession });
      const sessions = [
        ["no _session", undefined, "ESESSIONINVALID"],
        ["null", null, "ESESSIONINVALID"],
        ["a string", liveSession.id, "ESESSIONINVALID"],
        ["a number", 42, "ESESSIONINVALID"],
        ["an array", [liveSession.id], "ESESSIONINVALID"],
        ["no id", { type: "tcp" }, "ESESSIONINVALID"],
        ["numeric id", { type: "tcp", id: 42 }, "ESESSIONINVALID"],
        ["empty id", { type: "tcp", id: "" }, "ESESSIONINVALID"],
        ["object id", { type: "tcp", id: { id: liveSession.id } }, "ESESSIONINVALID"],
        ["unknown id", { type: "tcp", id: "0123456789abcdef" }, "ESESSIONUNKNOWN"],
        ["a websocket session", { type: "websocket", id: "3f2a9c0d.b81e4" }, "ESESSIONUNKNOWN"],
        ["closed session", goneSession, "ESESSIONCLOSED"],
      ];
      for (const [label, _session] of sessions) reply.receive({ payload: "x", topic: `session ${label}`, _session });
      const n = cases.length + sessions.length;
      await settle("reply", () => out.msgs.length + caughtFrom(caught, "reply").length, n, 30000);
      const errs = caughtFrom(caught, "reply");
      assertCoded(errs);
      let bytes = 0;
      for (const [label, , expect] of cases) {
        if (expect === "EPAYLOAD") {
          assert.strictEqual((errs.find((m) => m.topic === label) || {}).error?.code, "EPAYLOAD", label);
        } else {
          const m = out.msgs.find((x) => x.topic === label);
          assert.ok(m, `${label}: replied`);
          bytes += expect === "huge" ? HUGE : expect.length;
        }
      }
      for (const [label, , code] of sessions) {
        assert.strictEqual((errs.find((m) => m.topic === `session ${label}`) || {}).error?.code, code, `_session ${label}`);
      }
      await waitFor(() => got === bytes, `client got ${bytes} reply bytes (has ${got})`, 10000);
      live.destroy();
      this.test.title += ` (${n} cases)`;
    });

  for (const source of SOURCES)
    it(`send to connections: every payload type built in the ${source}, and odd msg._sessions, reach each client as msg.tcp says or end with a code`, async function () {
      const port = await freePort();
      await helper.load(
        NODES,
        onTab([
          { id: "trig", type: "tcp-server-trigger", host: HOST, port: String(port), event: "line", eol: "lf", x: 100, y: 100, wires: [[]] },
          { id: "bc", type: "send-to-tcp-port", mode: "broadcast", targets: "node", targetNode: "trig", x: 100, y: 200, wires: [["out"]] },
          { id: "out", type: "helper", x: 300, y: 200 },
          makerNode("maker", "bc"),
          ...catchFlow(),
        ]),
      );
      const out = recorder(helper.getNode("out"));
      const caught = recorder(helper.getNode("caught"));
      // Two clients that read everything.
      const clients = [await connect(port), await connect(port)];
      const got = clients.map(() => 0);
      clients.forEach((c, i) => c.on("data", (d) => (got[i] += d.length)));
      await waitFor(() => DEFAULT_MANAGER.registry.size === 2, "two sessions");
      const ids = [...DEFAULT_MANAGER.registry.sessions()].map((s) => s.id);
      const cases = payloadCases();
      feed(source, "bc", cases);
      const sessionsCases = [
        ["a string", "x", "ESESSIONINVALID"],
        ["an object", { id: ids[0] }, "ESESSIONINVALID"],
        ["numbers", [1, 2], "ESESSIONINVALID"],
        ["an empty id", [""], "ESESSIONINVALID"],
        ["an id-less object", [{}], "ESESSIONINVALID"],
        ["an unknown id", ["0123456789abcdef"], "EBROADCAST"],
        ["none", [], ""],
        ["the first client", [ids[0]], ""],
      ];
      for (const [label, _sessions] of sessionsCases)
        helper.getNode("bc").receive({ payload: "s\n", topic: `_sessions ${label}`, _sessions });
      // Every input ends once: on the output (a partial failure also reaches Catch as EBROADCAST), or at Catch alone.
      const alone = () => caughtFrom(caught, "bc").filter((m) => m.error.code !== "EBROADCAST");
      const n = cases.length + sessionsCases.length;
      await settle("broadcast", () => out.msgs.length + alone().length, n, 30000);
      assertCoded(caughtFrom(caught, "bc"));
      const want = clients.map(() => 0);
      let full = 0;
      /** What each client should get: the message's bytes, unless msg.tcp lists it as failed. */
      const count = (m, to = ids) =>
        ids.forEach((id, i) => {
          if (!to.includes(id)) return;
          if (!m.tcp.failed.some((f) => f.session === id)) want[i] += m.tcp.bytes;
          else full++;
        });
      for (const [label, , expect] of cases) {
        if (expect === "EPAYLOAD") {
          assert.strictEqual((alone().find((m) => m.topic === label) || {}).error?.code, "EPAYLOAD", label);
          continue;
        }
        const m = out.msgs.find((x) => x.topic === label);
        assert.ok(m, `${label}: broadcast`);
        assert.strictEqual(m.tcp.bytes, expect === "huge" ? HUGE : expect.length, `${label}: bytes`);
        assert.strictEqual(m.tcp.matched, 2, `${label}: both clients matched`);
        assert.strictEqual(m.tcp.written + m.tcp.failed.length, 2, `${label}: each client written or failed`);
        // The 8 MiB payload, and what follows it before the clients read it, may find a pending bound full.
        for (const f of m.tcp.failed) assert.strictEqual(f.code, "EBUFFERFULL", label);
        count(m);
      }
      for (const [label, , code] of sessionsCases) {
        const topic = `_sessions ${label}`;
        const e = caughtFrom(caught, "bc").find((m) => m.topic === topic);
        if (code === "ESESSIONINVALID") {
          assert.strictEqual(e?.error.code, code, topic);
          continue;
        }
        const m = out.msgs.find((x) => x.topic === topic);
        assert.ok(m, `${topic}: on the output`);
        const codes = m.tcp.failed.map((f) => f.code).filter((c) => c !== "EBUFFERFULL");
        assert.deepStrictEqual(codes, label === "an unknown id" ? ["ESESSIONUNKNOWN"] : [], topic);
        assert.strictEqual(e ? e.error.code : "", m.tcp.failed.length > 0 ? "EBROADCAST" : "", topic);
        count(m, m._sessions);
      }
      assert.ok(full < want.length * cases.length, "most went out");
      await waitFor(() => got.every((g, i) => g === want[i]), `clients got ${want} bytes (have ${got})`, 15000);
      for (const c of clients) c.destroy();
      this.test.title += ` (${n} cases)`;
    });

  for (const source of SOURCES)
    it(`tcp bridge: every payload type built in the ${source} is written to the peer as the table says, buffered or refused with a code`, async function () {
      const sink = await startSink();
      sinks.push(sink);
      const port = await freePort();
      await helper.load(
        NODES,
        onTab([
          {
            id: "br",
            type: "tcp-server-client-bridge",
            host: HOST,
            port: String(port),
            peerHost: HOST,
            peerPort: String(sink.port),
            holdOff: "0.2",
            x: 100,
            y: 100,
            wires: [["out"]],
          },
          { id: "out", type: "helper", x: 300, y: 100 },
          { id: "complete", type: "complete", scope: ["br"], uncaught: false, x: 100, y: 200, wires: [["completed"]] },
          { id: "completed", type: "helper", x: 300, y: 200 },
          makerNode("maker", "br"),
          ...catchFlow(),
        ]),
      );
      const caught = recorder(helper.getNode("caught"));
      const completed = recorder(helper.getNode("completed"));
      const ended = () => completed.msgs.length + caughtFrom(caught, "br").length;
      await waitFor(() => sink.conns.length === 1, "the bridge dialled its peer");
      const cases = payloadCases();
      feed(source, "br", cases);
      // The bridge ends each input at once: done() (a Complete node sees it) for bytes taken, done(err) for bytes refused.
      await settle("bridge", ended, cases.length);
      const errs = caughtFrom(caught, "br");
      assertCoded(errs);
      let bytes = 0;
      for (const [label, , expect] of cases) {
        const e = errs.find((m) => m.topic === label);
        if (expect === "EPAYLOAD") assert.strictEqual(e?.error.code, "EPAYLOAD", label);
        else if (expect === "huge") assert.strictEqual(e?.error.code, "EBUFFERFULL", `${label}: more than the 64 KiB input buffer`);
        else {
          assert.ok(!e, `${label}: taken (${e && e.error.message})`);
          bytes += expect.length;
        }
      }
      await waitFor(() => sink.total() === bytes, `peer got ${bytes} bytes (has ${sink.total()})`);
      this.test.title += ` (${cases.length} cases)`;
    });

  /** A tcp client "cl" to port, with a Function node "maker" in front, and its Catch and Complete nodes. */
  const clientUnderFuzz = (port, props) =>
    loadClient(NODES, Object.assign({ port: String(port), x: 100, y: 100 }, props), [makerNode("maker", "cl")]);

  for (const source of SOURCES)
    it(`tcp client, stream: every payload type built in the ${source} is written as the table says or fails with EPAYLOAD; in = done + caught`, async function () {
      const sink = await startSink();
      sinks.push(sink);
      const t = await clientUnderFuzz(sink.port, {});
      await waitFor(() => sink.conns.length === 1, "the client dialled the sink");
      const cases = payloadCases();
      feed(source, "cl", cases);
      await settle("client stream", () => t.completed.msgs.length + t.caught.msgs.length, cases.length, 30000);
      assertCoded(t.caught.msgs);
      const written = [];
      for (const [label, , expect] of cases) {
        const e = t.caught.msgs.find((m) => m.topic === label);
        if (expect === "EPAYLOAD") assert.strictEqual(e?.error.code, "EPAYLOAD", label);
        else {
          assert.ok(!e, `${label}: written (${e && e.error.message})`);
          assert.ok(
            t.completed.msgs.some((m) => m.topic === label),
            `${label}: done`,
          );
          written.push(expect === "huge" ? Buffer.alloc(HUGE, "x") : /** @type {Buffer} */ (expect));
        }
      }
      // One link, in input order: the sink's bytes are the table's, one after the other.
      const bytes = Buffer.concat(written);
      await waitFor(() => sink.total() === bytes.length, `sink got ${bytes.length} bytes (has ${sink.total()})`);
      assert.strictEqual(sink.conns.length, 1, "one link throughout");
      assert.ok(Buffer.concat(sink.conns[0].chunks).equals(bytes), "the bytes on the wire, in order");
      this.test.title += ` (${cases.length} cases)`;
    });

  for (const source of SOURCES)
    it(`tcp client, request/reply: every payload type built in the ${source} is answered on its own msg or ends with a code; in = out + caught`, async function () {
      const cases = payloadCases();
      // The device knows how long each request is (the table's lengths, in order) and answers "ACK <n>" for
      // the n-th once all its bytes are in, so a reply on another request's msg shows. An empty request would put
      // nothing on the wire (the device could never answer it): it ends at once with EPAYLOAD. The huge one has to
      // wait behind the request in flight, and is more than the queue's 1 MiB: refused (EQUEUEFULL).
      const lengths = cases.filter(([, , e]) => e !== "EPAYLOAD" && e !== "huge").map(([, , e]) => e.length);
      let next = 0;
      let got = 0;
      const skipEmpty = () => {
        while (next < lengths.length && lengths[next] === 0) next++;
      };
      const d = await device({
        onData: (c, chunk) => {
          c.data = Buffer.alloc(0); // only counted here
          got += chunk.length;
          skipEmpty();
          while (next < lengths.length && got >= lengths[next]) {
            got -= lengths[next];
            c.socket.write(`ACK ${next++}\n`);
            skipEmpty();
          }
        },
      });
      sinks.push(d);
      const t = await clientUnderFuzz(d.port, { mode: "request", replyProperty: "reply", replyTimeout: "2000" });
      await waitFor(() => d.conns.length === 1, "the client dialled the device");
      feed(source, "cl", cases);
      await settle("client request", () => t.out.msgs.length + t.caught.msgs.length, cases.length, 40000);
      assertCoded(t.caught.msgs);
      let n = 0;
      for (const [label, , expect] of cases) {
        const e = t.caught.msgs.find((m) => m.topic === label);
        if (expect === "EPAYLOAD") {
          assert.strictEqual(e?.error.code, "EPAYLOAD", label);
          continue;
        }
        if (expect === "huge") {
          assert.strictEqual(e?.error.code, "EQUEUEFULL", `${label}: more than the queue holds`);
          continue;
        }
        const i = n++;
        if (expect.length === 0) {
          assert.strictEqual(e?.error.code, "EPAYLOAD", `${label}: nothing to send, so no reply to wait for`);
          continue;
        }
        const m = t.out.msgs.find((x) => x.topic === label);
        assert.ok(m, `${label}: answered (${e && e.error.message})`);
        assert.strictEqual(m.reply, `ACK ${i}`, `${label}: its own reply`);
      }
      this.test.title += ` (${cases.length} cases)`;
    });

  it("tcp client: odd msg fields (destination overrides, a foreign _session, a reply property that cannot be set) are ignored or end with a code", async function () {
    const d = await device({ onData: (c, chunk) => c.socket.write(chunk) }); // an echo: each line is its own reply
    sinks.push(d);
    await helper.load(
      NODES,
      onTab([
        { id: "st", type: "tcp-client-link", host: HOST, port: String(d.port), event: "line", eol: "lf", x: 100, y: 100, wires: [[]] },
        {
          id: "rq",
          type: "tcp-client-link",
          host: HOST,
          port: String(d.port),
          event: "line",
          eol: "lf",
          mode: "request",
          replyProperty: "reply.text",
          x: 100,
          y: 200,
          wires: [["out"]],
        },
        { id: "out", type: "helper", x: 300, y: 200 },
        { id: "complete", type: "complete", scope: ["st"], uncaught: false, x: 100, y: 300, wires: [["completed"]] },
        { id: "completed", type: "helper", x: 300, y: 300 },
        ...catchFlow(),
      ]),
    );
    const out = recorder(helper.getNode("out"));
    const completed = recorder(helper.getNode("completed"));
    const caught = recorder(helper.getNode("caught"));
    await waitFor(() => d.conns.length === 2, "both clients dialled");
    // Stream: fields other nodes read are not the client's; every line goes to its own device.
    const odd = [
      { host: "10.0.0.1", port: 9 },
      { destination: "example.invalid:1" },
      { _session: { type: "tcp", id: "0123456789abcdef" } },
      { _session: "nonsense" },
      { tcp: 42 },
      { topic: { an: "object" } },
      { error: { message: "an older error", code: "EOLD" } },
      { reset: true, close: true },
    ];
    odd.forEach((o, i) => helper.getNode("st").receive(Object.assign({ payload: `odd ${i}\n`, n: i }, o)));
    await settle("stream odd fields", () => completed.msgs.length + caughtFrom(caught, "st").length, odd.length);
    assert.deepStrictEqual(caughtFrom(caught, "st"), []);
    // Request: msg.reply of a type the reply cannot be put into ends with a code; an object or nothing takes it.
    const replyTo = [
      ["missing", undefined, "ok"],
      ["object", { keep: 1 }, "ok"],
      ["string", "text", "EREPLYPROPERTY"],
      ["number", 5, "EREPLYPROPERTY"],
      ["null", null, "EREPLYPROPERTY"],
      ["true", true, "EREPLYPROPERTY"],
    ];
    for (const [label, reply] of replyTo)
      helper.getNode("rq").receive(Object.assign({ payload: `${label}\n`, topic: label }, label === "missing" ? {} : { reply }));
    await settle("request reply property", () => out.msgs.length + caughtFrom(caught, "rq").length, replyTo.length);
    assertCoded(caught.msgs);
    for (const [label, , want] of replyTo) {
      if (want === "ok") {
        const m = out.msgs.find((x) => x.topic === label);
        assert.strictEqual(m?.reply.text, label, `msg.reply ${label}: the reply in msg.reply.text`);
      } else {
        assert.strictEqual(caughtFrom(caught, "rq").find((m) => m.topic === label)?.error.code, want, `msg.reply ${label}`);
      }
    }
    assert.strictEqual(out.msgs.find((x) => x.topic === "object").reply.keep, 1, "the rest of msg.reply kept");
    const stream = d.conns.find((c) => c.lines().some((l) => l.startsWith("odd")));
    await waitFor(() => stream.lines().length === odd.length, "every line at the configured device");
    assert.deepStrictEqual(
      stream.lines(),
      odd.map((_, i) => `odd ${i}`),
    );
    this.test.title += ` (${odd.length + replyTo.length} cases)`;
  });

  it("node properties of the wrong type: a config error, a red status, no listener; inputs end with a coded error", async function () {
    const port = await freePort();
    const trig = (props) => Object.assign({ type: "tcp-server-trigger", host: HOST, port: String(port), wires: [[]] }, props);
    const send = (props) => Object.assign({ type: "send-to-tcp-port", host: HOST, port: "9", wires: [[]] }, props);
    const bridge = (props) =>
      Object.assign(
        { type: "tcp-server-client-bridge", host: HOST, port: String(port), peerHost: HOST, peerPort: "9", wires: [[]] },
        props,
      );
    const client = (props) => Object.assign({ type: "tcp-client-link", host: HOST, port: "9", wires: [[]] }, props);
    const bad = [
      trig({ port: {} }),
      trig({ port: "abc" }),
      trig({ port: -1 }),
      trig({ port: 70000 }),
      trig({ port: [] }),
      trig({ port: true }),
      trig({ host: "not a host!" }),
      trig({ host: 42 }),
      trig({ maxFrame: "big" }),
      trig({ maxFrame: -5 }),
      trig({ maxConnections: {} }),
      trig({ readTimeout: "soon" }),
      trig({ event: 42 }),
      trig({ event: "bogus" }),
      trig({ eol: [] }),
      trig({ encoding: "klingon" }),
      trig({ output: 7 }),
      trig({ event: "length", headerBytes: 3 }),
      trig({ event: "length", endian: {} }),
      trig({ event: "count", count: "many" }),
      trig({ event: "idle", idleMs: -1 }),
      trig({ manager: "no-such-manager" }),
      trig({ keepAlive: -1 }),
      trig({ greeting: "\\q" }),
      trig({ readTimeout: 100, probe: "\\q" }),
      trig({ readTimeout: 100, probe: "PING", probeAnswer: 0 }),
      send({ mode: 42 }),
      send({ mode: "multicast" }),
      send({ mode: "broadcast", targets: "everyone" }),
      send({ mode: "broadcast", targets: "node", targetNode: "" }),
      send({ mode: "broadcast", targets: "address", targetAddresses: "10.0.0.0/33" }),
      send({ mode: "broadcast", targets: "port", targetPort: {} }),
      send({ mode: "broadcast", slowClients: 3 }),
      send({ writeTimeout: {} }),
      send({ connectTimeout: -1 }),
      send({ attempts: "lots" }),
      send({ port: "abc" }),
      send({ host: "bad host!" }),
      send({ hostType: "nonsense" }),
      send({ dataType: "nonsense" }),
      send({ data: "", dataType: "msg" }),
      send({ data: "{not json", dataType: "json" }),
      send({ data: "$$$(", dataType: "jsonata" }),
      send({ after: {} }),
      send({ encoding: "klingon" }),
      send({ concurrency: 0 }),
      send({ maxQueue: {} }),
      send({ drainTimeout: 99999 }),
      send({ saveReply: true, replyProperty: "not a path!" }),
      send({ mode: "reply", manager: "no-such-manager" }),
      bridge({ peerHost: 42 }),
      bridge({ peerHost: "" }),
      bridge({ peerPort: "x" }),
      bridge({ port: {} }),
      bridge({ maxBuffer: 0 }),
      bridge({ bufferPolicy: "keep-all" }),
      bridge({ timeout: "later" }),
      bridge({ holdOff: 0 }),
      bridge({ eventBytes: -1 }),
      bridge({ inputEncoding: "klingon" }),
      bridge({ manager: "no-such-manager" }),
      client({ host: 42 }),
      client({ host: "" }),
      client({ host: "a:1", port: "2" }),
      client({ port: {} }),
      client({ mode: "broadcast" }),
      client({ connect: [] }),
      client({ backoffFirst: 0 }),
      client({ backoffFirst: "500", backoffLongest: "100" }),
      client({ mode: "request", pipeline: 0 }),
      client({ mode: "request", replyProperty: "not a path!" }),
      client({ maxQueue: "lots" }),
      client({ queuePolicy: "keep-all" }),
      client({ heartbeat: "\\q" }),
      client({ inputEncoding: "klingon" }),
      client({ event: "bogus" }),
      client({ manager: "no-such-manager" }),
      client({ host: ["127.0.0.1"] }),
      client({ host: "127.0.0.1:99999", port: "" }),
      client({ port: 0 }),
      client({ port: "65536" }),
      client({ localAddress: 42 }),
      client({ localAddress: "not an address!" }),
      client({ connectTimeout: 0 }),
      client({ connectTimeout: "soon" }),
      client({ connect: "per-write", idleClose: 0 }),
      client({ backoffLongest: {} }),
      client({ retryWithin: -1 }),
      client({ mode: "request", pipeline: "abc" }),
      client({ mode: "request", pipeline: 1001 }),
      client({ mode: "request", replyTimeout: {} }),
      client({ mode: "request", replyTimeout: 0 }),
      client({ mode: "request", replyProperty: "" }),
      client({ maxQueue: 0 }),
      client({ maxQueueBytes: -1 }),
      client({ maxAge: "old" }),
      client({ keepAlive: {} }),
      client({ readTimeout: -1 }),
      client({ writeTimeout: "x" }),
      client({ heartbeat: "PING", heartbeatIdle: 0 }),
      client({ heartbeat: "PING", heartbeatAnswer: "never" }),
      client({ greeting: "\\q" }),
      client({ greeting: "HI", greetingWait: true, greetingTimeout: 0 }),
      client({ event: "length", headerBytes: 3 }),
      client({ event: "line", maxFrame: "big" }),
      client({ tls: "no-such-tls-config" }),
    ].map((n, i) => Object.assign(n, { id: `bad${i}`, x: 100, y: 40 * i + 20 }));
    await helper.load(NODES, onTab([...bad, ...catchFlow()]));
    const caught = recorder(helper.getNode("caught"));
    // Config errors are reported while the flow starts: look at the calls the helper's spies saw.
    const calls = (method, id) => helper._NodePrototype[method].getCalls().filter((c) => c.thisValue && c.thisValue.id === id);
    for (const n of bad) {
      assert.ok(calls("error", n.id).length > 0, `${JSON.stringify(n)}: a config error`);
      const st = calls("status", n.id).pop();
      assert.strictEqual(st && st.args[0].fill, "red", `${JSON.stringify(n)}: red status`);
    }
    // No listener came up on the port.
    await new Promise((resolve, reject) => {
      const s = net.createServer();
      s.once("error", reject);
      s.listen(port, HOST, () => s.close(resolve));
    });
    // Inputs to a node that cannot run still end, each with a coded error (the trigger has no input).
    const withInput = bad.filter((n) => n.type !== "tcp-server-trigger");
    for (const n of withInput) helper.getNode(n.id).receive({ payload: "x", topic: n.id });
    await settle("unconfigured", () => caught.msgs.length, withInput.length);
    assertCoded(caught.msgs);
    for (const m of caught.msgs) assert.ok(["ECONFIG", "ENOMANAGER", "ENOTRUNNING"].includes(m.error.code), `${m.topic}: ${m.error.code}`);
    this.test.title += ` (${bad.length} cases)`;
  });

  it("tcp connections (manager): odd manager and session ids on its admin API answer 404 with a reason, never throw", async function () {
    const port = await freePort();
    await helper.load(
      NODES,
      onTab([
        { id: "mgr", type: "tcp-connection-manager", name: 42 },
        { id: "trig", type: "tcp-server-trigger", manager: "mgr", host: HOST, port: String(port), x: 100, y: 100, wires: [[]] },
        ...catchFlow(),
      ]),
    );
    const c = await connect(port);
    await waitFor(
      async () => (await helper.request().get("/tcp-connection-manager/mgr/connections")).body.connections.length === 1,
      "one connection listed",
    );
    const ids = [
      "nonexistent",
      "__proto__",
      "constructor",
      "prototype",
      "trig",
      "catcher",
      "%00",
      "x".repeat(2000),
      "%F0%9F%92%A9",
      "..%2F..%2Fsettings",
    ];
    const sessions = ["__proto__", "constructor", "0123456789abcdef", "%00", "x".repeat(2000)];
    let cases = 0;
    for (const id of ids) {
      const r = await helper.request().get(`/tcp-connection-manager/${id}/connections`);
      assert.strictEqual(r.status, 404, `GET manager ${id.slice(0, 20)}`);
      assert.strictEqual(typeof r.body.error, "string");
      const p = await helper.request().post(`/tcp-connection-manager/${id}/connections/x/close`);
      assert.strictEqual(p.status, 404, `POST manager ${id.slice(0, 20)}`);
      cases += 2;
    }
    for (const mgr of ["mgr", "default"]) {
      for (const sid of sessions) {
        const p = await helper.request().post(`/tcp-connection-manager/${mgr}/connections/${sid}/close`);
        assert.strictEqual(p.status, 404, `POST ${mgr} session ${sid.slice(0, 20)}`);
        assert.strictEqual(typeof p.body.error, "string");
        cases++;
      }
    }
    // The real one still works, and its socket is the only thing closed.
    const [live] = (await helper.request().get("/tcp-connection-manager/mgr/connections")).body.connections;
    const closed = new Promise((r) => c.on("close", r));
    assert.strictEqual((await helper.request().post(`/tcp-connection-manager/mgr/connections/${live.id}/close`)).status, 200);
    await closed;
    this.test.title += ` (${cases + 1} cases)`;
  });

  it("tcp trigger: random bytes in every framing mode frame, report or close; never throw; frames add up", async function () {
    const rnd = prng(20261121);
    const modes = [
      { event: "line", eol: "lf", output: "buffer", maxFrame: 512 },
      { event: "line", eol: "any", encoding: "auto" },
      { event: "delimiter", delimiter: "\\x00\\xff", keepDelimiter: true, output: "buffer" },
      { event: "count", count: 7, output: "buffer" },
      { event: "chunk", output: "buffer" },
      { event: "chunk", encoding: "utf8" },
      { event: "idle", idleMs: 20, output: "buffer" },
      { event: "close", output: "buffer", maxFrame: 1024 * 1024 },
      { event: "length", headerBytes: 1, keepHeader: true, output: "buffer" },
      { event: "length", headerBytes: 2, endian: "le", output: "buffer", maxFrame: 300 },
      { event: "length", headerBytes: 4, output: "buffer", maxFrame: 1000 },
      // The two modes that skip bytes (they warn with a count instead of framing garbage).
      { event: "startend", startBytes: "\\x00", endBytes: "\\xff", escapeByte: "\\n", output: "buffer", maxFrame: 400 },
      { event: "startend", startBytes: "\\r\\n", endBytes: "\\n\\r", keepStartEnd: true, encoding: "auto" },
      { event: "field", fieldOffset: 4, headerBytes: 2, fieldCounts: "payload", output: "buffer", maxFrame: 70000 },
      { event: "field", fieldStart: "\\x0a", fieldOffset: 1, headerBytes: 1, output: "buffer", maxFrame: 260 },
      {
        event: "field",
        fieldOffset: 0,
        headerBytes: 4,
        endian: "le",
        fieldCounts: "plus",
        fieldAdjust: -3,
        output: "buffer",
        maxFrame: 5000,
      },
    ];
    const ports = [];
    const flow = [];
    for (let i = 0; i < modes.length; i++) {
      ports.push(await freePort());
      flow.push(
        Object.assign(
          {
            id: `t${i}`,
            type: "tcp-server-trigger",
            host: HOST,
            port: String(ports[i]),
            events: true,
            x: 100,
            y: 40 * i + 20,
            wires: [[`o${i}`], [`e${i}`]],
          },
          modes[i],
        ),
      );
      flow.push({ id: `o${i}`, type: "helper", x: 300, y: 40 * i + 20 }, { id: `e${i}`, type: "helper", x: 400, y: 40 * i + 20 });
    }
    await helper.load(NODES, onTab([...flow, ...catchFlow()]));
    // Every trigger listening before any client dials, so no connect has to retry.
    await waitFor(async () => (await Promise.all(ports.map((p) => portTaken(p)))).every(Boolean), "every trigger listening");
    const logged = helper
      .log()
      .args.filter((a) => a[0].level <= 20)
      .map((a) => `${a[0].id}: ${a[0].msg}`);
    assert.deepStrictEqual(logged, [], "every trigger configured");
    const outs = modes.map((_, i) => recorder(helper.getNode(`o${i}`)));
    const evs = modes.map((_, i) => recorder(helper.getNode(`e${i}`)));
    const caught = recorder(helper.getNode("caught"));
    const sent = [];
    await Promise.all(
      modes.map(async (_, i) => {
        const c = await connect(ports[i]);
        c.on("error", () => undefined);
        let n = 0;
        const total = 20000 + Math.floor(rnd() * 20000);
        while (n < total && !c.destroyed) {
          const len = 1 + Math.floor(rnd() * 1500);
          const chunk = Buffer.alloc(len);
          for (let k = 0; k < len; k++) chunk[k] = rnd() < 0.02 ? [0, 10, 13, 255][Math.floor(rnd() * 4)] : Math.floor(rnd() * 256);
          c.write(chunk);
          n += len;
          if (rnd() < 0.1) await sleep(1);
        }
        sent[i] = n;
        c.end();
      }),
    );
    const open = () => modes.map((m, i) => (evs[i].msgs.some((e) => e.event === "closed") ? null : JSON.stringify(m))).filter(Boolean);
    await waitFor(() => open().length === 0, "every connection closed").catch((err) => {
      throw new Error(`${err.message}; still open: ${open().join(" ")}; sessions: ${JSON.stringify(DEFAULT_MANAGER.registry.list())}`);
    });
    await sleep(100);
    assert.strictEqual(DEFAULT_MANAGER.registry.size, 0);
    assertCoded(caught.msgs);
    for (const m of caught.msgs) assert.ok(["EFRAMETOOLARGE", "EINCOMPLETEFRAME"].includes(m.error.code), m.error.code);
    // Modes that keep every byte in some frame: what came out is what went in.
    for (const i of [0, 2, 3, 4, 6, 7]) {
      const out = outs[i].msgs.reduce((k, m) => k + m.payload.length, 0);
      const tooLarge = caughtFrom(caught, `t${i}`).some((m) => m.error.code === "EFRAMETOOLARGE");
      if (i === 0) {
        // LF stripped from each line; a line over 512 bytes closes the connection with an error.
        const lf = outs[i].msgs.length;
        assert.ok(tooLarge || out + lf >= sent[i] - 1, `line: ${out}+${lf} of ${sent[i]}`);
      } else {
        assert.strictEqual(out, sent[i], `${JSON.stringify(modes[i])}: ${out} of ${sent[i]} bytes framed`);
      }
    }
    this.test.title += ` (${modes.length} modes)`;
  });
});
