"use strict";
const assert = require("assert");
const path = require("path");
const { onTab, helper, nodes, lib, freePort, sleep, waitFor, connect, readAll, recorder, errors, refusedPort } = require("../helpers");
const { startPrinter, PJL_STATUS } = require("../helpers/printer");

const CORE = path.dirname(require.resolve("@node-red/nodes/package.json"));
const core = (p) => require(path.join(CORE, "core", p));
const linkNode = core("common/60-link.js");
const catchNode = core("common/25-catch.js");
const delayNode = core("function/89-delay.js");

const NODES = [nodes.manager, nodes.trigger, nodes.send];
const HOST = "127.0.0.1";

/** A flow with the node under test ("send") wired to a helper ("out"). */
async function start(props, extra = [], more = []) {
  await helper.load(
    NODES.concat(more),
    onTab([Object.assign({ id: "send", type: "send-to-tcp-port", wires: [["out"]] }, props), { id: "out", type: "helper" }, ...extra]),
  );
  const send = helper.getNode("send");
  return { send, out: recorder(helper.getNode("out")), errs: errors(send) };
}

/** The codes of reported errors, in order. */
const codes = (errs) => errs.map((e) => e.err.code);

describe("send-to-tcp-port", function () {
  const printers = [];
  const printer = async (o) => {
    const p = await startPrinter(o);
    printers.push(p);
    return p;
  };
  afterEach(async function () {
    await helper.unload();
    await Promise.all(printers.splice(0).map((p) => p.close()));
  });

  describe("after sending", function () {
    it("close at once: the printer gets the payload; one result message with the timings", async function () {
      const p = await printer();
      const { send, out } = await start({ host: HOST, port: p.port, after: "close" });
      send.receive({ payload: "^XA^FDlabel^FS^XZ", topic: "job-1" });
      const [m] = await out.until(1);
      assert.deepStrictEqual(
        (await p.until(1)).map((j) => j.data.toString()),
        ["^XA^FDlabel^FS^XZ"],
      );
      assert.strictEqual(m.topic, "job-1", "the original message goes on");
      assert.strictEqual(m.payload, "^XA^FDlabel^FS^XZ");
      assert.strictEqual(m.tcp.host, HOST);
      assert.strictEqual(m.tcp.port, p.port);
      assert.strictEqual(m.tcp.attempts, 1);
      assert.strictEqual(m.tcp.bytesSent, 17);
      assert.strictEqual(m.tcp.closedBy, "us");
      for (const k of ["connectMs", "totalMs", "queuedMs"]) assert.ok(Number.isInteger(m.tcp[k]) && m.tcp[k] >= 0, k);
      assert.strictEqual(m.reply, undefined, "save reply is off by default");
    });

    it("half-close: waits for the printer's EOF; its PJL status is saved in msg.reply", async function () {
      const p = await printer({ pjl: true });
      const { send, out } = await start({ host: `${HOST}:${p.port}`, after: "eof", saveReply: true });
      send.receive({ payload: "@PJL INFO STATUS\r\n" });
      const [m] = await out.until(1);
      assert.strictEqual(m.reply, PJL_STATUS);
      assert.strictEqual(m.tcp.closedBy, "peer");
      assert.strictEqual(m.tcp.bytesReceived, PJL_STATUS.length);
    });

    it("half-close: a printer that never closes ends the job at the EOF timeout; the reply is empty", async function () {
      const p = await printer({ silent: true });
      const { send, out } = await start({
        host: HOST,
        port: p.port,
        after: "eof",
        eofTimeout: 150,
        saveReply: true,
        replyOutput: "buffer",
      });
      send.receive({ payload: "job" });
      const [m] = await out.until(1);
      assert.strictEqual(m.tcp.closedBy, "timeout");
      assert.ok(m.tcp.totalMs >= 140, `${m.tcp.totalMs} ms`);
      assert.ok(Buffer.isBuffer(m.reply) && m.reply.length === 0);
    });

    it("disconnect delay: keeps the connection open that long and saves what came back in the chosen property", async function () {
      const p = await printer({ pjl: true });
      const { send, out } = await start({
        host: HOST,
        port: p.port,
        after: "delay",
        disconnectDelay: 200,
        saveReply: true,
        replyProperty: "msg.printer.status",
        replyOutput: "buffer",
      });
      send.receive({ payload: "@PJL INFO STATUS\n" });
      const [m] = await out.until(1);
      assert.ok(m.tcp.totalMs >= 190, `${m.tcp.totalMs} ms`);
      assert.ok(Buffer.isBuffer(m.printer.status));
      assert.strictEqual(m.printer.status.toString("latin1"), PJL_STATUS);
    });

    it("a reply property the message cannot hold (msg.printer is a string): EREPLYPROPERTY for a Catch node, not a silent loss", async function () {
      const p = await printer({ pjl: true });
      const { send, out, errs } = await start({ host: HOST, port: p.port, after: "eof", saveReply: true, replyProperty: "printer.status" });
      send.receive({ payload: "@PJL INFO STATUS\n", printer: "zebra-1" });
      await waitFor(() => errs.length === 1, "the error");
      assert.deepStrictEqual(codes(errs), ["EREPLYPROPERTY"]);
      assert.match(errs[0].err.message, /errors\.reply-property/, "the catalog's text (the helper shows keys)");
      assert.strictEqual(errs[0].msg.printer, "zebra-1", "on the message itself");
      await sleep(50);
      assert.strictEqual(out.msgs.length, 0, "no output without its reply");
    });

    it("a reply decodes with the node's encoding", async function () {
      const p = await printer({ pjl: true });
      const { send, out } = await start({ host: HOST, port: p.port, after: "eof", saveReply: true, encoding: "utf16le" });
      send.receive({ payload: Buffer.from("@PJL INFO STATUS\n") });
      const [m] = await out.until(1);
      assert.strictEqual(m.reply, Buffer.from(PJL_STATUS, "latin1").toString("utf16le"));
    });
  });

  describe("data", function () {
    it("strings encode with the chosen encoding; Buffers go as they are; numbers and objects as text and JSON", async function () {
      const p = await printer();
      const { send, out } = await start({ host: HOST, port: p.port, encoding: "windows-1252" });
      send.receive({ payload: "€ü" });
      send.receive({ payload: Buffer.from([0xe2, 0x82, 0xac]) });
      send.receive({ payload: 42.5 });
      send.receive({ payload: { sku: "A-1", qty: 2 } });
      await out.until(4);
      const jobs = (await p.until(4)).map((j) => [...j.data]);
      assert.deepStrictEqual(jobs, [[0x80, 0xfc], [0xe2, 0x82, 0xac], [...Buffer.from("42.5")], [...Buffer.from('{"sku":"A-1","qty":2}')]]);
    });

    it("a JSONata expression mixes fixed and variable content, in message order", async function () {
      const p = await printer();
      const { send, out } = await start({ host: HOST, port: p.port, data: '"^XA^FD" & payload.name & "^FS^XZ"', dataType: "jsonata" });
      for (let i = 0; i < 20; i++) send.receive({ payload: { name: `n${i}` } });
      await out.until(20);
      await p.until(20); // "close at once" ends before the printer has read the last job
      assert.deepStrictEqual(
        p.texts(),
        [...Array(20).keys()].map((i) => `^XA^FDn${i}^FS^XZ`),
      );
    });

    it("fixed text and another msg property", async function () {
      const p = await printer();
      const a = await start({ host: HOST, port: p.port, data: "~HS", dataType: "str" });
      a.send.receive({ payload: "ignored" });
      await a.out.until(1);
      await helper.unload();
      const b = await start({ host: HOST, port: p.port, data: "label.zpl", dataType: "msg" });
      b.send.receive({ payload: "ignored", label: { zpl: "^XA^XZ" } });
      await b.out.until(1);
      assert.deepStrictEqual(p.texts(), ["~HS", "^XA^XZ"]);
    });

    it("garbage payloads are catchable EPAYLOAD errors with their message; nothing is sent and the node goes on", async function () {
      const p = await printer();
      const { send, out, errs } = await start({ host: HOST, port: p.port });
      const circular = { a: 1 };
      circular.self = circular;
      const bad = [undefined, null, NaN, Infinity, 10n, () => 1, Symbol("s"), new Map(), circular];
      bad.forEach((payload, i) => send.receive({ payload, n: i }));
      send.receive({ payload: "good", n: "ok" });
      const [m] = await out.until(1);
      assert.strictEqual(m.n, "ok");
      await waitFor(() => errs.length === bad.length, "an error per bad message");
      assert.deepStrictEqual(
        codes(errs),
        bad.map(() => "EPAYLOAD"),
      );
      assert.deepStrictEqual(
        errs.map((e) => e.msg.n),
        [...bad.keys()],
      );
      assert.match(errs[0].err.message, /errors\.payload\.undefined/);
      assert.match(errs[4].err.message, /errors\.payload\.type/);
      await p.until(1);
      assert.strictEqual(p.stats.connections, 1, "only the good message opened a connection");
    });

    it("an error reaches a Catch node with msg.error.message and msg.error.code", async function () {
      const { send } = await start(
        { host: HOST, port: 9 },
        [
          { id: "catcher", type: "catch", scope: null, uncaught: false, x: 100, y: 100, wires: [["caught"]] },
          { id: "caught", type: "helper" },
        ],
        [catchNode],
      );
      const caught = recorder(helper.getNode("caught"));
      send.receive({ payload: null, topic: "t" });
      const [m] = await caught.until(1);
      assert.strictEqual(m.topic, "t");
      assert.strictEqual(m.error.code, "EPAYLOAD");
      assert.match(m.error.message, /^send-to-tcp-port\.errors\.payload\.null/);
      assert.strictEqual(m.error.source.id, "send");
    });
  });

  describe("destination", function () {
    it('with no host in the node: msg.destination "host:port", else msg.host and msg.port', async function () {
      const a = await printer();
      const b = await printer();
      const { send, out } = await start({ host: "", port: "" });
      send.receive({ payload: "A", destination: `${HOST}:${a.port}` });
      send.receive({ payload: "B", host: HOST, port: b.port });
      const msgs = await out.until(2);
      const where = Object.fromEntries(msgs.map((m) => [m.payload, [m.tcp.host, m.tcp.port]]));
      assert.deepStrictEqual(where, { A: [HOST, a.port], B: [HOST, b.port] });
      assert.deepStrictEqual(
        (await a.until(1)).map((j) => j.data.toString()),
        ["A"],
      );
      assert.deepStrictEqual(
        (await b.until(1)).map((j) => j.data.toString()),
        ["B"],
      );
    });

    it("the node's host:port wins over the message's", async function () {
      const mine = await printer();
      const other = await printer();
      const { send, out } = await start({ host: `${HOST}:${mine.port}`, port: "" });
      send.receive({ payload: "x", destination: `${HOST}:${other.port}`, host: HOST, port: other.port });
      await out.until(1);
      assert.deepStrictEqual(
        (await mine.until(1)).map((j) => j.data.toString()),
        ["x"],
      );
      await sleep(30);
      assert.strictEqual(other.stats.connections, 0);
    });

    it("host and port from msg, flow context and env typed inputs; IPv6 in brackets", async function () {
      const p = await printer({ host: "::1" });
      process.env.TCPA_TEST_PORT = String(p.port);
      try {
        const { send, out } = await start({ host: "printer", hostType: "flow", port: "TCPA_TEST_PORT", portType: "env" });
        send.context().flow.set("printer", "[::1]");
        send.receive({ payload: "six" });
        const [m] = await out.until(1);
        assert.strictEqual(m.tcp.host, "::1");
        assert.strictEqual(m.tcp.port, p.port);
        await helper.unload();
        const b = await start({ host: "printer.address", hostType: "msg", port: "", portType: "num" });
        b.send.receive({ payload: "both", printer: { address: `[::1]:${p.port}` } });
        await b.out.until(1);
        assert.deepStrictEqual(p.texts(), ["six", "both"]);
      } finally {
        delete process.env.TCPA_TEST_PORT;
      }
    });

    it("a typed host that is empty for a message is an EDESTINATION error, never another destination", async function () {
      const p = await printer();
      const { send, errs } = await start({ host: "printer", hostType: "msg", port: p.port });
      send.receive({ payload: "x", destination: `${HOST}:${p.port}`, n: 1 });
      send.receive({ payload: "y", printer: "not a host!", n: 2 });
      send.receive({ payload: "z", printer: `${HOST}:0`, n: 3 });
      await waitFor(() => errs.length === 3, "three errors");
      assert.deepStrictEqual(codes(errs), ["EDESTINATION", "EDESTINATION", "EDESTINATION"]);
      assert.deepStrictEqual(
        errs.map((e) => e.err.message.replace(/:.*/, "")),
        [
          "send-to-tcp-port.errors.destination.no-host",
          "send-to-tcp-port.errors.destination.bad-host",
          "send-to-tcp-port.errors.destination.bad-port",
        ],
      );
      assert.deepStrictEqual(
        errs.map((e) => e.msg.n),
        [1, 2, 3],
      );
      assert.strictEqual(p.stats.connections, 0);
    });

    it("a configuration error makes every message fail with ECONFIG instead of vanishing", async function () {
      const { send, errs } = await start({ host: HOST, port: 70000 });
      send.receive({ payload: "x", n: 1 });
      const refused = await waitFor(() => errs.find((e) => e.msg), "the message's error");
      assert.strictEqual(refused.err.code, "ECONFIG");
      assert.strictEqual(refused.msg.n, 1);
      const logged = helper.log().args.filter((a) => a[0] && a[0].level === helper.log().ERROR);
      assert.ok(
        logged.some((a) => /errors\.config/.test(String(a[0].msg))),
        "the config error is logged",
      );
    });
  });

  describe("retries, queue and order", function () {
    it("keeps arrival order while a busy printer refuses; each job its own connection", async function () {
      const p = await printer({ busyMs: 30 });
      const { send, out } = await start({ host: HOST, port: p.port, after: "eof", retryDelay: 5, retryMaxDelay: 20 });
      for (let i = 0; i < 10; i++) send.receive({ payload: `label ${i}\n`, n: i });
      const msgs = await out.until(10, 10000);
      assert.deepStrictEqual(
        msgs.map((m) => m.n),
        [...Array(10).keys()],
      );
      assert.deepStrictEqual(
        p.texts(),
        [...Array(10).keys()].map((i) => `label ${i}\n`),
      );
      assert.strictEqual(p.stats.connections, 10);
      assert.strictEqual(p.stats.maxConcurrent, 1);
      assert.ok(
        msgs.slice(1).every((m) => m.tcp.attempts > 1),
        "every job after the first met a busy printer and retried",
      );
    });

    it("refused until the attempts run out: ECONNREFUSED with the message, red status", async function () {
      const port = await freePort();
      const { send, errs } = await start({ host: HOST, port, attempts: 3, retryDelay: 5 });
      const statuses = [];
      send.on("call:status", (c) => statuses.push(c.args[0]));
      send.receive({ payload: "x", n: 7 });
      await waitFor(() => errs.length === 1, "the error");
      assert.strictEqual(errs[0].err.code, "ECONNREFUSED");
      assert.strictEqual(errs[0].msg.n, 7);
      assert.match(errs[0].err.message, /^send-to-tcp-port\.errors\.connect/);
      await waitFor(() => statuses.some((s) => s.fill === "red" && s.shape === "ring" && /status\.error/.test(s.text)), "red status");
    });

    it("a printer that resets mid-job: ECONNRESET/EPIPE, not retried, the next job still goes", async function () {
      const p = await printer({ resetAfter: 100 });
      const { send, out, errs } = await start({ host: HOST, port: p.port, after: "eof" });
      send.receive({ payload: Buffer.alloc(100000, 66), n: 1 });
      send.receive({ payload: "short", n: 2 });
      await waitFor(() => errs.length === 1, "the reset reported");
      assert.ok(["ECONNRESET", "EPIPE"].includes(errs[0].err.code), errs[0].err.code);
      assert.strictEqual(errs[0].msg.n, 1);
      const [m] = await out.until(1);
      assert.strictEqual(m.n, 2);
      assert.strictEqual(p.stats.connections, 2, "one connection per job, no retry of the reset one");
    });

    it("a full queue refuses with EQUEUEFULL; the queued jobs are delivered in order", async function () {
      const p = await printer({ silent: true });
      const { send, out, errs } = await start({ host: HOST, port: p.port, after: "eof", eofTimeout: 100, maxQueue: 2 });
      const statuses = [];
      send.on("call:status", (c) => statuses.push(c.args[0]));
      for (let i = 0; i < 5; i++) send.receive({ payload: `j${i}`, n: i });
      await waitFor(() => errs.length === 2, "two refusals");
      assert.deepStrictEqual(codes(errs), ["EQUEUEFULL", "EQUEUEFULL"]);
      assert.deepStrictEqual(
        errs.map((e) => e.msg.n),
        [3, 4],
      );
      const msgs = await out.until(3);
      assert.deepStrictEqual(
        msgs.map((m) => m.n),
        [0, 1, 2],
      );
      assert.deepStrictEqual(p.texts(), ["j0", "j1", "j2"]);
      assert.ok(
        statuses.some((st) => st.fill === "blue" && /status\.sending/.test(st.text)),
        "the status showed the jobs sending and queued",
      );
      await waitFor(() => statuses.length && statuses[statuses.length - 1].fill === "green", "a green status once all went out");
    });

    it("2000 labels to a printer that refuses while printing: all delivered, in order, each on its own connection", async function () {
      this.timeout(30000);
      const p = await printer({ busyMs: 1 });
      const { send, out, errs } = await start({ host: HOST, port: p.port, after: "eof", retryDelay: 1, retryMaxDelay: 4, attempts: 1000 });
      const N = 2000;
      const label = (i) => `^XA^FO50,50^FD${i}^FS^XZ`;
      for (let i = 0; i < N; i++) send.receive({ payload: label(i), n: i });
      const msgs = await out.until(N, 25000);
      assert.deepStrictEqual(errs, []);
      assert.ok(
        msgs.every((m, i) => m.n === i),
        "results in order",
      );
      const texts = p.texts();
      assert.strictEqual(texts.length, N);
      assert.ok(
        texts.every((t, i) => t === label(i)),
        "printed in order, one label per job, nothing merged or lost",
      );
      assert.strictEqual(p.stats.connections, N);
      assert.strictEqual(new Set(p.jobs.map((j) => j.remotePort)).size > 1, true);
      assert.ok(msgs.reduce((s, m) => s + m.tcp.attempts, 0) > N, "the printer's refusals were retried");
    });
  });

  describe("redeploy", function () {
    it("queued jobs finish within the bound; those that cannot fail with ESTOPPED and their message", async function () {
      const p = await printer();
      const refusing = await refusedPort();
      const flow = onTab([
        {
          id: "ok",
          type: "send-to-tcp-port",
          host: HOST,
          port: p.port,
          after: "delay",
          disconnectDelay: 50,
          drainTimeout: 1500,
          wires: [["out"]],
        },
        {
          id: "stuck",
          type: "send-to-tcp-port",
          host: HOST,
          port: refusing,
          attempts: 1000,
          retryDelay: 20,
          retryWithin: 60000,
          drainTimeout: 200,
          wires: [["out"]],
        },
        { id: "out", type: "helper" },
      ]);
      await helper.load(NODES, flow);
      const out = recorder(helper.getNode("out"));
      const ok = helper.getNode("ok");
      const stuck = helper.getNode("stuck");
      const stuckErrs = errors(stuck);
      for (let i = 0; i < 3; i++) ok.receive({ payload: `ok${i}`, n: i });
      for (let i = 0; i < 3; i++) stuck.receive({ payload: `s${i}`, n: i });
      await sleep(20);
      const t0 = Date.now();
      const changed = flow.map((n) => (n.id === "ok" || n.id === "stuck" ? Object.assign({}, n, { name: "changed" }) : n));
      await helper.setFlows(changed, "nodes");
      const took = Date.now() - t0;
      // Within the stuck node's 200 ms and the ok node's 1.5 s drain bounds, plus a loaded machine's slack: far
      // below the 60 s the stuck jobs would retry and Node-RED's 15 s limit for a node's close.
      assert.ok(took < 10000, `redeploy took ${took} ms`);
      assert.deepStrictEqual(p.texts(), ["ok0", "ok1", "ok2"]);
      assert.deepStrictEqual(
        out.msgs.map((m) => m.payload),
        ["ok0", "ok1", "ok2"],
      );
      assert.deepStrictEqual(codes(stuckErrs), ["ESTOPPED", "ESTOPPED", "ESTOPPED"]);
      assert.deepStrictEqual(
        stuckErrs.map((e) => e.msg.n),
        [0, 1, 2],
      );
    });
  });

  describe("reply to sender", function () {
    const reply = (extra) =>
      Object.assign({ type: "send-to-tcp-port", mode: "reply", data: '"ACK " & payload & "\\r\\n"', dataType: "jsonata" }, extra);
    const trigger = (port, extra) => Object.assign({ type: "tcp-server-trigger", host: HOST, port, event: "line" }, extra);

    it("answers the client on its own connection, in order, and reports each reply", async function () {
      const port = await freePort();
      await helper.load(
        NODES,
        onTab([trigger(port, { id: "trig", wires: [["send"]] }), reply({ id: "send", wires: [["out"]] }), { id: "out", type: "helper" }]),
      );
      const out = recorder(helper.getNode("out"));
      const c = await connect(port);
      const other = await connect(port);
      const got = [];
      c.on("data", (d) => got.push(d));
      for (let i = 0; i < 200; i++) c.write(`${i}\n`);
      other.write("other\n");
      const msgs = await out.until(201);
      const expected = [...Array(200).keys()].map((i) => `ACK ${i}\r\n`).join("");
      await waitFor(() => Buffer.concat(got).length >= expected.length, "all replies");
      const lines = Buffer.concat(got).toString().split("\r\n").filter(Boolean);
      assert.deepStrictEqual(
        lines,
        [...Array(200).keys()].map((i) => `ACK ${i}`),
      );
      const mine = msgs.filter((m) => m.payload !== "other");
      assert.ok(mine.every((m) => m.tcp.sessionId === m._session.id && m.tcp.closed === false));
      assert.strictEqual(mine[0].tcp.peer, `${HOST}:${c.localPort}`);
      const otherGot = await new Promise((r) => other.once("data", r));
      assert.strictEqual(otherGot.toString(), "ACK other\r\n");
      c.destroy();
      other.destroy();
    });

    it("across two tabs through link nodes", async function () {
      const port = await freePort();
      const flow = [
        { id: "tab1", type: "tab", label: "in" },
        { id: "tab2", type: "tab", label: "out" },
        Object.assign(trigger(port, { id: "trig", z: "tab1", wires: [["lo"]] })),
        { id: "lo", type: "link out", z: "tab1", mode: "link", links: ["li"], wires: [] },
        { id: "li", type: "link in", z: "tab2", links: ["lo"], wires: [["send"]] },
        reply({ id: "send", z: "tab2", wires: [["out"]] }),
        { id: "out", type: "helper", z: "tab2" },
      ];
      await helper.load(NODES.concat([linkNode]), flow);
      const c = await connect(port);
      const got = readAll(c);
      c.write("from tab 1\n");
      await recorder(helper.getNode("out")).until(1);
      c.end();
      assert.strictEqual((await got).toString(), "ACK from tab 1\r\n");
    });

    it("inside a subflow, after a delay node, and closing the connection after the reply", async function () {
      const port = await freePort();
      const flow = onTab([
        {
          id: "sf",
          type: "subflow",
          name: "answer",
          env: [],
          in: [{ x: 50, y: 30, wires: [{ id: "sfdelay" }] }],
          out: [{ x: 400, y: 30, wires: [{ id: "sfsend", port: 0 }] }],
        },
        {
          id: "sfdelay",
          type: "delay",
          z: "sf",
          x: 100,
          y: 30,
          pauseType: "delay",
          timeout: "100",
          timeoutUnits: "milliseconds",
          rate: "1",
          nbRateUnits: "1",
          rateUnits: "second",
          randomFirst: "1",
          randomLast: "5",
          randomUnits: "seconds",
          drop: false,
          wires: [["sfsend"]],
        },
        reply({ id: "sfsend", z: "sf", x: 250, y: 30, closeAfterReply: true, wires: [[]] }),
        trigger(port, { id: "trig", wires: [["inst"]] }),
        { id: "inst", type: "subflow:sf", x: 200, y: 100, wires: [["out"]] }, // x/y: without them Node-RED takes a node for a config node
        { id: "out", type: "helper" },
      ]);
      delete flow.find((n) => n.id === "sf").z; // a subflow definition belongs to no tab
      await helper.load(NODES.concat([delayNode]), flow);
      const out = recorder(helper.getNode("out"));
      const c = await connect(port);
      const t0 = Date.now();
      const got = readAll(c);
      c.write("delayed\n");
      const data = await got; // the node closes the connection after the reply
      assert.strictEqual(data.toString(), "ACK delayed\r\n");
      assert.ok(Date.now() - t0 >= 90, "the reply came after the delay");
      const [m] = await out.until(1);
      assert.strictEqual(m.tcp.closed, true);
      assert.strictEqual(m.payload, "delayed");
    });

    it("to a connection that closed: ESESSIONCLOSED with the message", async function () {
      const port = await freePort();
      await helper.load(
        NODES.concat([delayNode]),
        onTab([
          trigger(port, { id: "trig", wires: [["wait"]] }),
          { id: "wait", type: "delay", pauseType: "delay", timeout: "150", timeoutUnits: "milliseconds", wires: [["send"]] },
          reply({ id: "send", wires: [["out"]] }),
          { id: "out", type: "helper" },
        ]),
      );
      const errs = errors(helper.getNode("send"));
      const c = await connect(port);
      c.end("gone soon\n");
      await waitFor(() => errs.length === 1, "the error", 10000);
      assert.strictEqual(errs[0].err.code, "ESESSIONCLOSED");
      assert.doesNotMatch(errs[0].err.message, /ESESSIONCLOSED-peer/, "no hint about 'on client disconnect' for a line trigger");
      assert.strictEqual(errs[0].msg.payload, "gone soon");
      assert.strictEqual(recorder(helper.getNode("out")).msgs.length, 0);
    });

    it("from a trigger set to 'on client disconnect': a clear ESESSIONCLOSED that says why", async function () {
      const port = await freePort();
      await helper.load(
        NODES,
        onTab([
          trigger(port, { id: "trig", event: "close", wires: [["send"]] }),
          reply({ id: "send", wires: [["out"]] }),
          { id: "out", type: "helper" },
        ]),
      );
      const errs = errors(helper.getNode("send"));
      const c = await connect(port);
      c.end("whole job");
      await waitFor(() => errs.length === 1, "the error");
      assert.strictEqual(errs[0].err.code, "ESESSIONCLOSED");
      assert.match(errs[0].err.message, /errors\.session\.ESESSIONCLOSED-peer/);
      assert.strictEqual(errs[0].msg.payload, "whole job");
    });

    it("without a session, or with another manager's session: ESESSIONINVALID / ESESSIONUNKNOWN", async function () {
      const port = await freePort();
      await helper.load(
        NODES,
        onTab([
          { id: "mgr", type: "tcp-connection-manager", name: "own" },
          trigger(port, { id: "trig", manager: "mgr", wires: [["send"]] }),
          reply({ id: "send", wires: [["out"]] }),
          { id: "out", type: "helper" },
        ]),
      );
      const send = helper.getNode("send");
      const errs = errors(send);
      send.receive({ payload: "no session" });
      const c = await connect(port);
      c.write("other manager\n");
      await waitFor(() => errs.length === 2, "two errors");
      assert.deepStrictEqual(codes(errs), ["ESESSIONINVALID", "ESESSIONUNKNOWN"]);
      assert.strictEqual(errs[1].msg.payload, "other manager");
      c.destroy();
    });
  });

  describe("send to connections", function () {
    const functionNode = core("function/10-function.js");
    const trigger = (id, port, wires = [[]]) => ({ id, type: "tcp-server-trigger", host: HOST, port, event: "line", wires });
    /** A client that keeps everything it gets in .got (or, paused, reads nothing). */
    async function client(port, paused = false) {
      const c = await connect(port);
      c.got = "";
      if (paused) c.pause();
      else c.on("data", (d) => (c.got += d));
      return c;
    }
    const clients = [];
    afterEach(function () {
      for (const c of clients.splice(0)) c.destroy();
    });

    it("to one node's connections only; one output with the counts; a payload built in a Function node", async function () {
      const [pa, pb] = [await freePort(), await freePort()];
      await helper.load(
        [...NODES, functionNode],
        onTab([
          trigger("a", pa),
          trigger("b", pb),
          // The line is built in the sandbox (its own realm), as a user's flow would.
          { id: "fn", type: "function", func: 'msg.payload = "price " + msg.payload.toFixed(2) + "\\n"; return msg;', wires: [["send"]] },
          { id: "send", type: "send-to-tcp-port", mode: "broadcast", targets: "node", targetNode: "a", wires: [["out"]] },
          { id: "out", type: "helper" },
        ]),
      );
      const out = recorder(helper.getNode("out"));
      const onA = [await client(pa), await client(pa), await client(pa)];
      const onB = await client(pb);
      clients.push(...onA, onB);
      await waitFor(() => helper.getNode("send") && onA.length === 3, "connected");
      await sleep(100);
      helper.getNode("fn").receive({ payload: 1.5, topic: "prices" });
      const [m] = await out.until(1);
      assert.strictEqual(m.topic, "prices", "the message goes on");
      assert.deepStrictEqual([m.tcp.matched, m.tcp.written, m.tcp.failed.length, m.tcp.bytes], [3, 3, 0, 11]);
      await waitFor(() => onA.every((c) => c.got === "price 1.50\n"), "every client of a got it");
      await sleep(100);
      assert.strictEqual(onB.got, "", "b's client got nothing");
    });

    it("leave out the sender: a chat line goes to every other client", async function () {
      const port = await freePort();
      await helper.load(
        NODES,
        onTab([
          trigger("chat", port, [["send"]]),
          {
            id: "send",
            type: "send-to-tcp-port",
            mode: "broadcast",
            exceptSender: true,
            data: '"> " & payload & "\n"',
            dataType: "jsonata",
          },
        ]),
      );
      const [x, y, z] = [await client(port), await client(port), await client(port)];
      clients.push(x, y, z);
      await sleep(100);
      x.write("hello\n");
      await waitFor(() => y.got === "> hello\n" && z.got === "> hello\n", "the others got it");
      await sleep(100);
      assert.strictEqual(x.got, "", "not the sender");
    });

    it("a client that never reads fails alone (skipped, then reset at the send timeout): EBROADCAST to Catch; the others get every message", async function () {
      const port = await freePort();
      await helper.load(
        [...NODES, catchNode],
        onTab([
          trigger("t", port),
          { id: "send", type: "send-to-tcp-port", mode: "broadcast", writeTimeout: 1000, wires: [["out"]] },
          { id: "out", type: "helper" },
          { id: "catcher", type: "catch", scope: ["send"], uncaught: false, wires: [["caught"]] },
          { id: "caught", type: "helper" },
        ]),
      );
      const out = recorder(helper.getNode("out"));
      const caught = recorder(helper.getNode("caught"));
      const readers = [await client(port), await client(port)];
      const stalled = await client(port, true);
      clients.push(...readers, stalled);
      await sleep(100);
      const send = helper.getNode("send");
      const chunk = "z".repeat(64 * 1024 - 1) + "\n";
      const n = 160; // 10 MiB: past what loopback's buffers and the 1 MiB pending bound hold for the stalled client
      for (let i = 0; i < n; i++) {
        send.receive({ payload: chunk, seq: i });
        await sleep(2);
      }
      const msgs = await out.until(n);
      await waitFor(() => readers.every((c) => c.got.length === n * chunk.length), "the readers got every message");
      const failures = msgs.flatMap((m) => m.tcp.failed);
      assert.ok(
        failures.some((f) => f.code === "EBUFFERFULL" && !f.closed),
        "skipped while over the pending bound",
      );
      assert.ok(
        failures.some((f) => f.code === "ETIMEDOUT" && f.closed),
        "what it had queued timed out and reset it",
      );
      assert.deepStrictEqual([...new Set(failures.map((f) => f.peer))], [`${HOST}:${stalled.localPort}`], "only the stalled client failed");
      assert.ok(msgs.every((m) => m.tcp.written === 2 || (m.tcp.written === 3 && m.tcp.failed.length === 0)));
      const withFailures = msgs.filter((m) => m.tcp.failed.length > 0).length;
      await waitFor(() => caught.msgs.length === withFailures, "each failed broadcast at the Catch node");
      assert.ok(caught.msgs.every((m) => m.error.code === "EBROADCAST" && typeof m.seq === "number"));
      const { DEFAULT_MANAGER } = lib("sessions/manager.js");
      await waitFor(() => DEFAULT_MANAGER.registry.size === 2, "the stalled connection was reset; the readers' stay");
    });

    it("msg._sessions picks the connections; something else there is ESESSIONINVALID", async function () {
      const port = await freePort();
      await helper.load(
        NODES,
        onTab([
          trigger("t", port, [["keep"]]),
          { id: "keep", type: "helper" },
          { id: "send", type: "send-to-tcp-port", mode: "broadcast", wires: [["out"]] },
          { id: "out", type: "helper" },
        ]),
      );
      const keep = recorder(helper.getNode("keep"));
      const out = recorder(helper.getNode("out"));
      const [a, b, c] = [await client(port), await client(port), await client(port)];
      clients.push(a, b, c);
      a.write("a\n");
      c.write("c\n");
      const msgs = await keep.until(2);
      const send = helper.getNode("send");
      const errs = errors(send);
      send.receive({ payload: "to two\n", _sessions: msgs.map((m) => m._session) });
      const [m] = await out.until(1);
      assert.deepStrictEqual([m.tcp.matched, m.tcp.written], [2, 2]);
      await waitFor(() => a.got === "to two\n" && c.got === "to two\n", "a and c");
      assert.strictEqual(b.got, "");
      send.receive({ payload: "x", _sessions: "all" });
      await waitFor(() => errs.length === 1, "the error");
      assert.deepStrictEqual(codes(errs), ["ESESSIONINVALID"]);
    });
  });
});
