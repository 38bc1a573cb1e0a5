// Fault suite, redeploy: a flow with every node type (the tcp client included), with traffic through each,
// started and stopped again and again leaves no port, socket, timer or listener
// behind (counted with process.getActiveResourcesInfo()); the tcp client's queued and
// in-flight messages end within the close bound, done or ESTOPPED. The long version
// (200 full deploys through the admin API) is in scripts/soak.js.
"use strict";
const assert = require("assert");
const net = require("net");
const catchNode = require("@node-red/nodes/core/common/25-catch.js");
const { onTab, helper, nodes, lib, freePort, sleep, waitFor, connect, recorder, refusedPort } = require("../helpers");
const { endings } = require("../helpers/client");
const { device } = require("../helpers/device");

const NODES = [nodes.manager, nodes.trigger, nodes.send, nodes.bridge, nodes.client, catchNode];
const HOST = "127.0.0.1";
const { DEFAULT_MANAGER } = lib("sessions/manager.js");

function resources() {
  const by = {};
  for (const r of process.getActiveResourcesInfo()) by[r] = (by[r] || 0) + 1;
  return by;
}

/** Runs round() once to warm up, then n times; what the n rounds left behind (resource counts above the warm-up's). */
async function leftBehind(round, n) {
  await round(); // warm-up: what the runtime itself keeps after its first flow
  await sleep(100);
  const base = resources();
  for (let i = 0; i < n; i++) await round();
  await sleep(300);
  return grown(base, resources());
}

/** The resource kinds that grew from base to after, by how much. */
function grown(base, after) {
  return Object.fromEntries(
    Object.keys(after)
      .filter((k) => after[k] > (base[k] || 0))
      .map((k) => [k, after[k] - (base[k] || 0)]),
  );
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, HOST, () => s.close(() => resolve(true)));
  });
}

describe("fault: redeploy", function () {
  this.timeout(60000);

  it("20 deploys of every node type with traffic: no port, socket, timer or listener left; every message accounted for", async function () {
    const trig = await freePort();
    const bridge = await freePort();
    const sinkJobs = [];
    const sink = net.createServer((s) => {
      let text = "";
      s.on("data", (d) => (text += d));
      s.on("end", () => sinkJobs.push(text));
      s.on("error", () => undefined);
    });
    await new Promise((r) => sink.listen(0, HOST, () => r(undefined)));
    const flow = (i) =>
      onTab([
        { id: "mgr", type: "tcp-connection-manager", name: `m${i}` },
        {
          id: "trig",
          type: "tcp-server-trigger",
          manager: "mgr",
          host: HOST,
          port: String(trig),
          // The framing, greeting and keep-alive of issue 13, so their timers and buffers are counted too.
          event: "startend",
          greeting: "HI\\n",
          keepAlive: "5000",
          readTimeout: "60000",
          probe: "?",
          x: 100,
          y: 100,
          wires: [["reply", "frames"]],
        },
        {
          id: "reply",
          type: "send-to-tcp-port",
          mode: "reply",
          manager: "mgr",
          data: "ACK;",
          dataType: "str",
          x: 300,
          y: 100,
          wires: [["replied"]],
        },
        {
          id: "br",
          type: "tcp-server-client-bridge",
          host: HOST,
          port: String(bridge),
          peerHost: HOST,
          peerPort: String(trig),
          eventBytes: "1",
          holdOff: "1",
          event: "chunk",
          x: 100,
          y: 200,
          wires: [["bridged"]],
        },
        {
          id: "send",
          type: "send-to-tcp-port",
          host: HOST,
          port: String(/** @type {import("net").AddressInfo} */ (sink.address()).port),
          x: 100,
          y: 300,
          wires: [["sent"]],
        },
        {
          id: "cl",
          type: "tcp-client-link",
          host: HOST,
          port: String(/** @type {import("net").AddressInfo} */ (sink.address()).port),
          heartbeat: "PING\\n",
          x: 100,
          y: 350,
          wires: [[]],
        },
        { id: "frames", type: "helper", x: 500, y: 100 },
        { id: "replied", type: "helper", x: 500, y: 150 },
        { id: "bridged", type: "helper", x: 500, y: 200 },
        { id: "sent", type: "helper", x: 500, y: 300 },
        { id: "catcher", type: "catch", scope: null, uncaught: false, x: 100, y: 400, wires: [["caught"]] },
        { id: "caught", type: "helper", x: 300, y: 400 },
      ]);
    const totals = { frames: 0, replied: 0, bridged: 0, sent: 0, caught: 0, acks: 0 };
    const round = async (i) => {
      await helper.load(NODES, flow(i));
      const r = Object.fromEntries(["frames", "replied", "bridged", "sent", "caught"].map((k) => [k, recorder(helper.getNode(k))]));
      const c = await connect(trig);
      const ack = new Promise((resolve) => c.on("data", (d) => d.includes(0x3b) && resolve()));
      c.write(`noise\x02client ${i}\x03`);
      helper.getNode("br").receive({ payload: `\x02bridge ${i}\x03` });
      helper.getNode("send").receive({ payload: `job ${i}` });
      helper.getNode("cl").receive({ payload: `link ${i}` });
      await ack;
      totals.acks++;
      c.destroy();
      // The bridge's peer is the trigger: it gets the greeting, then the reply to its frame.
      const bridgedText = () => r.bridged.msgs.map((m) => String(m.payload)).join("");
      await waitFor(
        () => bridgedText() === "HI\nACK;" && r.sent.msgs.length === 1 && r.replied.msgs.length === 2,
        () => `round ${i}: traffic through every node (${Object.entries(r).map(([k, v]) => `${k} ${v.msgs.length}`)})`,
      );
      for (const k of Object.keys(r)) totals[k] += k === "bridged" ? 1 : r[k].msgs.length;
      await helper.unload();
      await waitFor(() => DEFAULT_MANAGER.registry.size === 0, "sessions released");
    };
    await round(0); // warm-up: what the runtime itself keeps after its first flow
    await sleep(100);
    const base = resources();
    const baseListeners = process.eventNames().reduce((n, e) => n + process.listenerCount(e), 0);
    for (let i = 1; i <= 20; i++) await round(i);
    await sleep(300);
    const leaked = grown(base, resources());
    sink.close();
    assert.deepStrictEqual(leaked, {}, `left behind after 20 deploys: ${JSON.stringify(leaked)}`);
    assert.ok(process.eventNames().reduce((n, e) => n + process.listenerCount(e), 0) <= baseListeners, "process listeners");
    assert.ok((await portFree(trig)) && (await portFree(bridge)), "ports released");
    // 21 rounds: 2 frames in (client, bridge), the greeting and reply back through the bridge, and 1 job per
    // round; each came out, none was reported.
    assert.deepStrictEqual(totals, { frames: 42, replied: 42, bridged: 21, sent: 21, caught: 0, acks: 21 });
    // The sink records a connection's text when it ends: 21 send jobs, and 21 links of the tcp client closed by the redeploys.
    await waitFor(() => sinkJobs.length === 42, `42 connections ended at the sink (have ${sinkJobs.length})`);
    assert.strictEqual(sinkJobs.filter((j) => /^link \d+$/.test(j)).length, 21, "each client link carried its message");
  });

  it("tcp client: queued and in-flight messages at a redeploy end within the close bound, done or ESTOPPED, each once; nothing left behind", async function () {
    helper.settings({ tcpAutomation: { closeTimeout: 1000 } });
    const refused = await refusedPort();
    const totals = { done: 0, ESTOPPED: 0, other: [] };
    /** One deploy: a request client to a device that answers after 100 ms, a stream client to one that never reads, one to a port refused. */
    const round = async () => {
      const slow = await device({
        onData: (c, chunk) => {
          for (const line of chunk.toString("latin1").split("\n").filter(Boolean))
            setTimeout(() => c.socket.write(`ANSWER ${line}\n`), 100);
        },
      });
      const stalled = [];
      const deaf = net.createServer({ pauseOnConnect: true }, (s) => {
        s.on("error", () => undefined);
        stalled.push(s);
      });
      await new Promise((r) => deaf.listen(0, HOST, () => r(undefined)));
      const client = (id, port, props, y) =>
        Object.assign(
          {
            id,
            type: "tcp-client-link",
            host: HOST,
            port: String(port),
            event: "line",
            eol: "lf",
            backoffFirst: 50,
            x: 100,
            y,
            wires: [[]],
          },
          props,
        );
      await helper.load(
        NODES,
        onTab([
          client("rq", slow.port, { mode: "request" }, 100),
          client("st", /** @type {import("net").AddressInfo} */ (deaf.address()).port, { maxQueueBytes: String(64 * 1024 * 1024) }, 200),
          client("dn", refused, {}, 300),
        ]),
      );
      const ends = Object.fromEntries(["rq", "st", "dn"].map((id) => [id, endings(helper.getNode(id))]));
      await waitFor(() => slow.conns.length === 1 && stalled.length === 1, "both devices dialled");
      const inputs = { rq: 6, st: 3, dn: 4 };
      for (let i = 0; i < inputs.rq; i++) helper.getNode("rq").receive({ payload: `q${i}\n` });
      for (let i = 0; i < inputs.st; i++) helper.getNode("st").receive({ payload: Buffer.alloc(16 * 1024 * 1024, 0x41) });
      for (let i = 0; i < inputs.dn; i++) helper.getNode("dn").receive({ payload: `m${i}\n` });
      await waitFor(() => slow.conns[0].lines().length === 1, "a request in flight");
      const t0 = Date.now();
      await helper.unload();
      const took = Date.now() - t0;
      assert.ok(took < 1000 + 500, `stopped within the close bound (${took} ms)`);
      await sleep(50);
      for (const [id, n] of Object.entries(inputs)) {
        const e = ends[id];
        assert.strictEqual(
          e.count(),
          n,
          `${id}: each of ${n} inputs ended exactly once (${e.done.length} done, ${e.failed.length} failed)`,
        );
        totals.done += e.done.length;
        for (const f of e.failed) {
          if (f.err.code === "ESTOPPED") totals.ESTOPPED++;
          else totals.other.push(`${id}: ${f.err.code} ${f.err.message}`);
        }
      }
      // The request in flight was answered within the bound; what the deaf device never took, and the port refused, could not be.
      assert.ok(ends.rq.done.length >= 1, "an in-flight request finished during the close");
      assert.strictEqual(ends.dn.done.length, 0);
      assert.ok(ends.st.failed.length >= 1, "the deaf device's input ended with ESTOPPED");
      stalled.forEach((s) => s.destroy());
      await Promise.all([slow.close(), new Promise((r) => deaf.close(() => r(undefined)))]);
      await waitFor(() => DEFAULT_MANAGER.registry.size === 0, "sessions released");
    };
    try {
      const leaked = await leftBehind(round, 5);
      assert.deepStrictEqual(leaked, {}, `left behind after 5 deploys: ${JSON.stringify(leaked)}`);
      assert.deepStrictEqual(totals.other, [], "no end but done or ESTOPPED");
      assert.strictEqual(totals.done + totals.ESTOPPED, 6 * 13);
      this.test.title += ` (6 deploys, 78 inputs: ${totals.done} done, ${totals.ESTOPPED} ESTOPPED)`;
    } finally {
      helper.settings({});
    }
  });
  it("send to connections: broadcasts waiting behind a client that never reads end at a redeploy within the close bound, each once; nothing left behind", async function () {
    helper.settings({ tcpAutomation: { closeTimeout: 1000 } });
    const totals = { done: 0, ESTOPPED: 0, EBROADCAST: 0, open: 0, other: [] };
    const round = async () => {
      const port = await freePort();
      await helper.load(
        NODES,
        onTab([
          { id: "tg", type: "tcp-server-trigger", host: HOST, port: String(port), event: "line", eol: "lf", x: 100, y: 100, wires: [[]] },
          {
            id: "bc",
            type: "send-to-tcp-port",
            mode: "broadcast",
            targets: "node",
            targetNode: "tg",
            writeTimeout: "30000",
            x: 100,
            y: 200,
            wires: [[]],
          },
        ]),
      );
      const ends = endings(helper.getNode("bc"));
      const reader = await connect(port);
      let got = 0;
      reader.on("data", (d) => (got += d.length));
      const stalled = await connect(port);
      stalled.pause();
      await waitFor(() => DEFAULT_MANAGER.registry.size === 2, "two clients");
      // 256 KiB a message, in separate turns: the stalled client's kernel buffers fill, then its pending bound.
      const n = 40;
      for (let i = 0; i < n; i++) {
        helper.getNode("bc").receive({ payload: Buffer.alloc(256 * 1024, 0x42) });
        await sleep(2);
      }
      await waitFor(() => got > 0, "the reader is getting them");
      // Some still wait behind the stalled client (its send timeout is 30 s): the redeploy must end them.
      const open = n - ends.count();
      assert.ok(open > 0, "some broadcasts still waiting at the redeploy");
      totals.open += open;
      const t0 = Date.now();
      await helper.unload();
      const took = Date.now() - t0;
      assert.ok(took < 1000 + 500, `stopped within the close bound (${took} ms)`);
      await sleep(50);
      assert.strictEqual(
        ends.count(),
        n,
        `each of ${n} inputs ended exactly once (${ends.done.length} done, ${ends.failed.length} failed)`,
      );
      totals.done += ends.done.length;
      for (const f of ends.failed) {
        if (f.err.code === "ESTOPPED" || f.err.code === "EBROADCAST") totals[f.err.code]++;
        else totals.other.push(`${f.err.code} ${f.err.message}`);
      }
      reader.destroy();
      stalled.destroy();
      await waitFor(() => DEFAULT_MANAGER.registry.size === 0, "sessions released");
      assert.ok(await portFree(port), "port released");
    };
    try {
      const leaked = await leftBehind(round, 3);
      assert.deepStrictEqual(leaked, {}, `left behind after 3 deploys: ${JSON.stringify(leaked)}`);
      assert.deepStrictEqual(totals.other, [], "no end but done, EBROADCAST (the stalled client failed) or ESTOPPED");
      assert.ok(totals.EBROADCAST + totals.ESTOPPED > 0, "the stalled client made some fail");
      this.test.title += ` (4 deploys, 160 inputs, ${totals.open} waiting at the redeploy: ${totals.done} done, ${totals.EBROADCAST} EBROADCAST, ${totals.ESTOPPED} ESTOPPED)`;
    } finally {
      helper.settings({});
    }
  });
});
