"use strict";
// Allow/deny lists and the per-address limit on listening nodes, with real
// peers from different loopback addresses (127.0.0.1, 127.0.0.2, ... and ::1).
const assert = require("assert");
const net = require("net");
const { onTab, helper, nodes, freePort, waitFor, recorder, portTaken } = require("../helpers");

const { keyed } = require("../helpers/catalog");
const { skipBecause } = require("../helpers/skips");

const NODES = [nodes.manager, keyed(nodes.trigger), keyed(nodes.bridge)];

/** Connects from a given local address; resolves with the socket and a promise of its close (with what it received). */
function connectFrom(port, localAddress, host = "127.0.0.1") {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host, localAddress }, () => {
      s.removeListener("error", reject);
      const chunks = [];
      s.on("data", (d) => chunks.push(d));
      s.on("error", () => undefined);
      /** @type {any} */ (s).ended = new Promise((r) => s.on("close", () => r(Buffer.concat(chunks))));
      resolve(s);
    });
    s.once("error", reject);
  });
}

const ipv6 = (() => {
  try {
    return (
      require("os")
        .networkInterfaces()
        .lo?.some((a) => a.family === "IPv6" || /** @type {unknown} */ (a.family) === 6 /* Node 18 */) ?? false
    );
  } catch {
    return false;
  }
})();

async function startTrigger(props) {
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
          wires: [["out"], ["ev"]],
        },
        props,
      ),
      { id: "out", type: "helper" },
      { id: "ev", type: "helper" },
    ]),
  );
  const trig = helper.getNode("trig");
  const st = [];
  trig.on("call:status", (c) => st.push(c.args[0]));
  await waitFor(() => portTaken(port, props.host || "127.0.0.1"), `trigger on ${port}`);
  return { port, trig, st, out: recorder(helper.getNode("out")), ev: recorder(helper.getNode("ev")) };
}

const refusals = (ev) => ev.msgs.filter((e) => e.event === "refused").map((e) => `${e.ip} ${e.reason}`);

describe("security: access control", function () {
  afterEach(async function () {
    await helper.unload();
  });

  it("allow list: a peer not on it is refused at once, as an event and in the status; its bytes never become messages", async function () {
    const { port, out, ev, st } = await startTrigger({ allow: "127.0.0.1\n10.0.0.0/8" });
    const bad = await connectFrom(port, "127.0.0.2");
    const badPort = bad.localPort;
    bad.write("let me in\n");
    const received = await bad.ended; // closed by the trigger without a word
    assert.strictEqual(received.length, 0);
    await waitFor(() => refusals(ev).length === 1, "a refused event");
    const r = ev.msgs.find((e) => e.event === "refused");
    assert.deepStrictEqual([r.ip, r.port, r.localPort, r.reason], ["127.0.0.2", badPort, port, "denied"]);
    const good = await connectFrom(port, "127.0.0.1");
    good.write("hello\n");
    const [m] = await out.until(1);
    assert.strictEqual(m.payload, "hello");
    assert.strictEqual(out.msgs.length, 1, "nothing from the refused peer");
    await waitFor(() => st.some((s) => /listening-refused.*"refused":1.*127\.0\.0\.2 denied/.test(s.text)), "the status names the refusal");
    good.destroy();
  });

  it("refuses before reading: a denied peer that sends nothing is closed at once", async function () {
    const { port, ev } = await startTrigger({ deny: "127.0.0.3" });
    const t0 = Date.now();
    const s = await connectFrom(port, "127.0.0.3");
    await s.ended;
    // Without the refusal it would stay open for good (no read timeout): any bound proves it; 5 s survives load.
    assert.ok(Date.now() - t0 < 5000);
    await waitFor(() => refusals(ev).includes("127.0.0.3 denied"), "denied");
  });

  it("deny wins over allow (CIDR ranges)", async function () {
    const { port, out, ev } = await startTrigger({ allow: "127.0.0.0/8", deny: "127.0.0.0/30" });
    const denied = await connectFrom(port, "127.0.0.2");
    await denied.ended;
    const ok = await connectFrom(port, "127.0.0.9");
    ok.write("from .9\n");
    const [m] = await out.until(1);
    assert.strictEqual(m.ip, "127.0.0.9");
    assert.deepStrictEqual(refusals(ev), ["127.0.0.2 denied"]);
    ok.destroy();
  });

  it("per-address limit: a third connection from one address is refused, other addresses still get in, a slot frees on close", async function () {
    const { port, out, ev } = await startTrigger({ maxPerIp: "2" });
    const a1 = await connectFrom(port, "127.0.0.1");
    const a2 = await connectFrom(port, "127.0.0.1");
    await waitFor(() => ev.msgs.filter((e) => e.event === "connected").length === 2, "two connected");
    const a3 = await connectFrom(port, "127.0.0.1");
    await a3.ended;
    await waitFor(() => refusals(ev).includes("127.0.0.1 per-ip-limit"), "per-ip-limit refusal");
    const b = await connectFrom(port, "127.0.0.4");
    b.write("b\n");
    await out.until(1);
    a1.destroy();
    await waitFor(() => ev.msgs.some((e) => e.event === "closed"), "a1 closed");
    const a4 = await connectFrom(port, "127.0.0.1");
    a4.write("a4\n");
    await out.until(2);
    assert.deepStrictEqual(
      out.msgs.map((m) => `${m.ip} ${m.payload}`),
      ["127.0.0.4 b", "127.0.0.1 a4"],
    );
    for (const s of [a2, b, a4]) s.destroy();
  });

  it("IPv6 and IPv4-mapped peers on a dual-stack listener", async function () {
    if (!ipv6) skipBecause(this, "IPv6 access lists", "this machine has no IPv6 loopback (::1)");
    const { port, out, ev } = await startTrigger({ host: "::", allow: "::1\n127.0.0.1" });
    const v6 = await connectFrom(port, "::1", "::1");
    v6.write("six\n");
    const v4 = await connectFrom(port, "127.0.0.1", "127.0.0.1");
    v4.write("four\n");
    await out.until(2);
    assert.deepStrictEqual(out.msgs.map((m) => m.ip).sort(), ["127.0.0.1", "::1"]);
    const no = await connectFrom(port, "127.0.0.2", "127.0.0.1");
    await no.ended;
    await waitFor(() => refusals(ev).includes("127.0.0.2 denied"), "mapped 127.0.0.2 denied");
    v6.destroy();
    v4.destroy();
  });

  it("the bridge honours its lists too", async function () {
    const port = await freePort();
    await helper.load(
      NODES,
      onTab([
        {
          id: "br",
          type: "tcp-server-client-bridge",
          host: "127.0.0.1",
          port,
          peerHost: "127.0.0.1",
          peerPort: 9,
          eventBytes: "100",
          deny: "127.0.0.5",
          events: true,
          event: "line",
          eol: "lf",
          wires: [["out"], ["ev"]],
        },
        { id: "out", type: "helper" },
        { id: "ev", type: "helper" },
      ]),
    );
    await waitFor(() => portTaken(port), "bridge listening");
    const ev = recorder(helper.getNode("ev"));
    const out = recorder(helper.getNode("out"));
    const no = await connectFrom(port, "127.0.0.5");
    no.write("x\n");
    await no.ended;
    await waitFor(() => refusals(ev).includes("127.0.0.5 denied"), "denied");
    const yes = await connectFrom(port, "127.0.0.6");
    yes.write("linked\n");
    const [m] = await out.until(1);
    assert.strictEqual(m.ip, "127.0.0.6");
    yes.destroy();
  });

  it("a bad entry is a configuration error naming it; nothing listens", async function () {
    const port = await freePort();
    await helper.load(
      NODES,
      onTab([{ id: "trig", type: "tcp-server-trigger", host: "127.0.0.1", port, allow: "10.0.0.0/8\n10.0.0.300", wires: [[]] }]),
    );
    const trig = helper.getNode("trig");
    assert.ok(trig.error.calledOn(trig), "an error");
    assert.strictEqual(await portTaken(port), false);
  });
});
