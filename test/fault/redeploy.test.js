// Fault suite, redeploy: a flow with every node type (the tcp client included), with traffic through each,
// started and stopped again and again leaves no port, socket, timer or listener
// behind (counted with process.getActiveResourcesInfo()). The long version
// (200 full deploys through the admin API) is in scripts/soak.js.
"use strict";
const assert = require("assert");
const net = require("net");
const catchNode = require("@node-red/nodes/core/common/25-catch.js");
const { onTab, helper, nodes, lib, freePort, sleep, waitFor, connect, recorder } = require("../helpers");

const NODES = [nodes.manager, nodes.trigger, nodes.send, nodes.bridge, nodes.client, catchNode];
const HOST = "127.0.0.1";
const { DEFAULT_MANAGER } = lib("sessions/manager.js");

function resources() {
  const by = {};
  for (const r of process.getActiveResourcesInfo()) by[r] = (by[r] || 0) + 1;
  return by;
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
          event: "line",
          eol: "lf",
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
      c.write(`client ${i}\n`);
      helper.getNode("br").receive({ payload: `bridge ${i}\n` });
      helper.getNode("send").receive({ payload: `job ${i}` });
      helper.getNode("cl").receive({ payload: `link ${i}` });
      await ack;
      totals.acks++;
      c.destroy();
      await waitFor(
        () => r.bridged.msgs.length === 1 && r.sent.msgs.length === 1 && r.replied.msgs.length === 2,
        `round ${i}: traffic through every node`,
      );
      for (const k of Object.keys(r)) totals[k] += r[k].msgs.length;
      await helper.unload();
      await waitFor(() => DEFAULT_MANAGER.registry.size === 0, "sessions released");
    };
    await round(0); // warm-up: what the runtime itself keeps after its first flow
    await sleep(100);
    const base = resources();
    const baseListeners = process.eventNames().reduce((n, e) => n + process.listenerCount(e), 0);
    for (let i = 1; i <= 20; i++) await round(i);
    await sleep(300);
    const after = resources();
    const leaked = Object.fromEntries(
      Object.keys(after)
        .filter((k) => after[k] > (base[k] || 0))
        .map((k) => [k, after[k] - (base[k] || 0)]),
    );
    sink.close();
    assert.deepStrictEqual(leaked, {}, `left behind after 20 deploys: ${JSON.stringify(leaked)}`);
    assert.ok(process.eventNames().reduce((n, e) => n + process.listenerCount(e), 0) <= baseListeners, "process listeners");
    assert.ok((await portFree(trig)) && (await portFree(bridge)), "ports released");
    // 21 rounds: 2 lines in (client, bridge) and 1 job per round; each came out, none was reported.
    assert.deepStrictEqual(totals, { frames: 42, replied: 42, bridged: 21, sent: 21, caught: 0, acks: 21 });
    // The sink records a connection's text when it ends: 21 send jobs, and 21 links of the tcp client closed by the redeploys.
    await waitFor(() => sinkJobs.length === 42, `42 connections ended at the sink (have ${sinkJobs.length})`);
    assert.strictEqual(sinkJobs.filter((j) => /^link \d+$/.test(j)).length, 21, "each client link carried its message");
  });
});
