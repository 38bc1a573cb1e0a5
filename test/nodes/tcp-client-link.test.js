"use strict";
// The tcp client over real sockets in the real runtime: a device made of a
// TCP server (helpers/device), the node's messages, done() seen by a Complete
// node and errors by a Catch node.
const assert = require("assert");
const catchNode = require("@node-red/nodes/core/common/25-catch.js");
const completeNode = require("@node-red/nodes/core/common/24-complete.js");
const { onTab, helper, nodes, lib, sleep, waitFor, refusedPort } = require("../helpers");
const { device } = require("../helpers/device");
const { keyed } = require("../helpers/catalog");
const { loadClient } = require("../helpers/client");

const NODES = [nodes.manager, keyed(nodes.client), catchNode, completeNode];
const T = "tcp-client-link";
const { DEFAULT_MANAGER } = lib("sessions/manager.js");
/** The calls of a node method on "cl", from the test helper's spies (they outlive the node's close). */
const calls = (method) => helper._NodePrototype[method].getCalls().filter((x) => x.thisValue && x.thisValue.id === "cl");

/** One client "cl" (data to "out", events to "ev"), a Catch node ("caught") and a Complete node ("completed") for it. */
const start = (props) => loadClient(NODES, props);

describe("tcp-client-link", function () {
  this.timeout(30000);
  const devices = [];
  const use = (d) => (devices.push(d), d);
  afterEach(async function () {
    await helper.unload();
    while (devices.length) await devices.pop().close();
  });

  it("stream: every line from the device is a message shaped like a trigger's; every input is written and ends with done()", async function () {
    const dev = use(await device());
    const t = await start({ port: String(dev.port), events: true });
    await waitFor(() => dev.conns.length === 1, "the client dialled the device");
    dev.conns[0].socket.write("12.5 kg\n13.0 kg\n");
    const got = await t.out.until(2);
    assert.deepStrictEqual(
      got.map((m) => m.payload),
      ["12.5 kg", "13.0 kg"],
    );
    assert.strictEqual(got[0].port, dev.port);
    assert.strictEqual(got[0].ip, "127.0.0.1");
    assert.ok(Number.isInteger(got[0].localPort) && got[0].localPort > 0);
    assert.ok(got[0]._session && got[0]._session.id, "the session a reply to sender can use");
    assert.ok(DEFAULT_MANAGER.registry.get(got[0]._session.id), "the link is a session of the manager");
    for (let i = 0; i < 5; i++) t.cl.receive({ payload: `cmd ${i}\n` });
    await t.completed.until(5);
    await waitFor(() => dev.conns[0].lines().length === 5, "the device got 5 lines");
    assert.deepStrictEqual(dev.conns[0].lines(), ["cmd 0", "cmd 1", "cmd 2", "cmd 3", "cmd 4"]);
    assert.strictEqual(t.caught.msgs.length, 0);
    assert.ok(t.ev.msgs.some((m) => m.event === "connected"));
    await waitFor(() => t.statuses.some((s) => s.fill === "green"), "a green status");
  });

  it("request/reply: 200 pipelined requests with random 0-20 ms device delays, each reply on its own message", async function () {
    let chain = Promise.resolve();
    const dev = use(
      await device({
        onData: (c, chunk) => {
          // In order, each answered after a random delay (a device that queues requests).
          for (const line of chunk.toString("latin1").split("\n").filter(Boolean))
            chain = chain.then(() => sleep(Math.floor(Math.random() * 21)).then(() => void c.socket.write(`ECHO ${line}\n`)));
        },
      }),
    );
    const t = await start({ port: String(dev.port), mode: "request", pipeline: "4", replyProperty: "reply", replyTimeout: "5000" });
    await waitFor(() => dev.conns.length === 1, "dialled");
    for (let i = 0; i < 200; i++) t.cl.receive({ payload: `q${i}\n`, id: i, keep: { n: i } });
    const got = await t.out.until(200, 20000);
    let wrong = 0;
    for (const m of got) if (m.reply !== `ECHO q${m.id}` || m.keep.n !== m.id || m.payload !== `q${m.id}\n`) wrong++;
    assert.strictEqual(wrong, 0, "replies on the wrong message");
    assert.strictEqual(new Set(got.map((m) => m.id)).size, 200);
    assert.ok(got.every((m) => typeof m.tcp.ms === "number"));
    await t.completed.until(200);
    assert.strictEqual(t.caught.msgs.length, 0);
  });

  it("device restart: every input ends sent (done) or with a code, none silent", async function () {
    const dev = use(await device());
    const t = await start({ port: String(dev.port), events: true });
    await waitFor(() => dev.conns.length === 1, "dialled");
    const N = 300;
    for (let i = 0; i < N; i++) {
      t.cl.receive({ payload: `m${i}\n`, i });
      if (i === 100) await dev.restart(true);
      if (i === 200) await dev.restart(false);
      if (i % 10 === 0) await sleep(5);
    }
    await waitFor(() => t.completed.msgs.length + t.caught.msgs.length === N, "every message ended", 20000);
    for (const m of t.caught.msgs) assert.ok(typeof m.error.code === "string" && m.error.code !== "", `coded: ${m.error.message}`);
    const ended = new Set([...t.completed.msgs, ...t.caught.msgs].map((m) => m.i));
    assert.strictEqual(ended.size, N, "each message ended exactly once");
    assert.ok(t.ev.msgs.some((m) => m.event === "reconnecting" && m.attempt >= 1 && m.wait >= 0));
    assert.ok(t.ev.msgs.filter((m) => m.event === "connected").length >= 2, "connected again after the restart");
  });

  it("a reply timeout ends the request with ETIMEDOUT for a Catch node, on the request's own message", async function () {
    const dev = use(await device());
    const t = await start({ port: String(dev.port), mode: "request", replyTimeout: "200" });
    await waitFor(() => dev.conns.length === 1, "dialled");
    t.cl.receive({ payload: "hello?\n", mine: "yes" });
    const [c] = await t.caught.until(1);
    assert.strictEqual(c.error.code, "ETIMEDOUT");
    assert.strictEqual(c.mine, "yes");
    assert.strictEqual(t.out.msgs.length, 0);
    await waitFor(() => dev.conns.length === 2, "the link was reset and dialled again");
  });

  it("request mode: data the device sends with no request in flight is an unsolicited event, never a reply", async function () {
    const dev = use(await device({ onData: (c) => c.socket.write("ANSWER\n") }));
    const t = await start({ port: String(dev.port), mode: "request", events: true });
    await waitFor(() => dev.conns.length === 1, "dialled");
    dev.conns[0].socket.write("ALARM 7\n");
    const ev = await waitFor(() => t.ev.msgs.find((m) => m.event === "unsolicited"), "an unsolicited event");
    assert.strictEqual(ev.data, "ALARM 7");
    t.cl.receive({ payload: "Q\n", n: 1 });
    const [m] = await t.out.until(1);
    assert.strictEqual(m.payload, "ANSWER", "the reply, not the alarm");
    assert.strictEqual(m.n, 1);
  });

  it("request mode: data the device sends on its own while a request is in flight is taken as its reply (TCP has no request ids); the real reply is then unsolicited", async function () {
    // The limit the README and the help state: the device answers after it has sent an alarm of its own.
    const dev = use(await device({ onData: (c) => c.socket.write("ALARM 7\nANSWER\n") }));
    const t = await start({ port: String(dev.port), mode: "request", events: true });
    await waitFor(() => dev.conns.length === 1, "dialled");
    t.cl.receive({ payload: "Q\n", n: 1 });
    const [m] = await t.out.until(1);
    assert.strictEqual(m.payload, "ALARM 7", "the first frame after the request is its reply");
    const ev = await waitFor(() => t.ev.msgs.find((x) => x.event === "unsolicited"), "an unsolicited event");
    assert.strictEqual(ev.data, "ANSWER");
  });

  it("queue full: refused with EQUEUEFULL while the device is down", async function () {
    const port = await refusedPort();
    const t = await start({ port: String(port), maxQueue: "3", events: true });
    for (let i = 0; i < 5; i++) t.cl.receive({ payload: `x${i}`, i });
    const caught = await t.caught.until(2);
    assert.deepStrictEqual(
      caught.map((m) => [m.error.code, m.i]),
      [
        ["EQUEUEFULL", 3],
        ["EQUEUEFULL", 4],
      ],
    );
    assert.ok(t.ev.msgs.some((m) => m.event === "queue-full"));
  });

  it("redeploy: queued messages end with ESTOPPED, the socket and timers are gone", async function () {
    helper.settings({ tcpAutomation: { closeTimeout: 1000 } });
    try {
      const dev = use(await device());
      const t = await start({ port: String(dev.port), mode: "request", replyTimeout: "60000" });
      await waitFor(() => dev.conns.length === 1, "dialled");
      for (let i = 0; i < 3; i++) t.cl.receive({ payload: `q${i}\n` });
      await waitFor(() => dev.conns[0].lines().length === 1, "the first request is in flight");
      const seen = [];
      const error = t.cl.error;
      t.cl.error = function (err, msg) {
        seen.push(err);
        return error.call(this, err, msg);
      };
      const before = Date.now();
      await helper.unload();
      assert.ok(Date.now() - before < 1500, "within the close bound");
      const codes = seen.map((e) => e.code).sort();
      assert.deepStrictEqual(codes, ["ESTOPPED", "ESTOPPED", "ESTOPPED"]);
      assert.ok(dev.conns[0].socket.destroyed || (await waitFor(() => dev.conns[0].closed, "closed")));
    } finally {
      helper.settings({});
    }
  });

  it("heartbeat: a device that stops answering is found within the heartbeat bound and dialled again", async function () {
    let answer = true;
    const dev = use(await device({ onData: (c, chunk) => answer && chunk.includes("PING") && c.socket.write("PONG\n") }));
    const t = await start({ port: String(dev.port), events: true, heartbeat: "PING\\n", heartbeatIdle: "100", heartbeatAnswer: "100" });
    await waitFor(() => dev.conns.length === 1 && dev.conns[0].lines().length >= 2, "two heartbeats answered");
    assert.strictEqual(t.out.msgs.length, 0, "the answers are not data");
    answer = false; // the process hangs; its kernel still ACKs
    const lost = await waitFor(() => t.ev.msgs.find((m) => m.event === "heartbeat-lost"), "heartbeat-lost", 3000);
    assert.strictEqual(lost.error.code, "ETIMEDOUT");
    await waitFor(() => dev.conns.length === 2, "dialled again");
  });

  it("greeting: sent first on every connection, before queued input; waits for the expected answer", async function () {
    const dev = use(await device({ onData: (c, chunk) => chunk.includes("LOGIN") && c.socket.write("OK welcome\n") }));
    const t = await start({
      port: String(dev.port),
      connect: "on-first-write",
      greeting: "LOGIN admin\\n",
      greetingWait: true,
      greetingExpect: "OK",
    });
    t.cl.receive({ payload: "first\n" });
    t.cl.receive({ payload: "second\n" });
    await t.completed.until(2);
    await waitFor(() => dev.conns[0].lines().length === 3, "three lines at the device");
    assert.deepStrictEqual(dev.conns[0].lines(), ["LOGIN admin", "first", "second"]);
    assert.strictEqual(t.out.msgs.length, 0, "the greeting's answer is not data");
  });

  it("while it waits to dial again, the status counts the seconds down to the next attempt", async function () {
    const port = await refusedPort(); // nothing listens there: every attempt is refused
    // Equal jitter: the first wait is 3 to 6 s, so the countdown shows at least 3, 2 and 1.
    const t = await start({ port: String(port), backoffFirst: 6000, backoffLongest: 6000 });
    const secondsOf = (s) => /^tcp-client-link\.status\.waiting .*"seconds":(\d+)/.exec(s.text || "");
    await waitFor(() => t.statuses.some((s) => secondsOf(s) && secondsOf(s)[1] === "1"), "the countdown reached 1 s", 9000);
    const seconds = t.statuses
      .map(secondsOf)
      .filter(Boolean)
      .map((m) => Number(m[1]));
    const firstRound = seconds.slice(0, seconds.indexOf(1) + 1);
    assert.ok(
      new Set(firstRound).size >= 3, // distinct values; a busy machine may show a second late, never one counted up
      `counted down: ${JSON.stringify(seconds)}`,
    );
    for (let i = 1; i < firstRound.length; i++)
      assert.ok(firstRound[i] <= firstRound[i - 1], `never up within a wait: ${JSON.stringify(seconds)}`);
    assert.ok(t.statuses.every((s) => s.fill !== "green"));
  });

  it("greeting from a message: msg.greeting is the login from the next connection on; alone it writes nothing", async function () {
    const dev = use(await device());
    const t = await start({ port: String(dev.port), greeting: "LOGIN old\\n" });
    await waitFor(() => dev.conns.length === 1 && dev.conns[0].lines().length === 1, "the first connection, greeted");
    t.cl.receive({ greeting: "LOGIN new\n" });
    await t.completed.until(1);
    t.cl.receive({ payload: "data\n" });
    await t.completed.until(2);
    dev.conns[0].socket.destroy();
    await waitFor(() => dev.conns.length === 2 && dev.conns[1].lines().length === 1, "the link dialled again and greeted");
    assert.deepStrictEqual(
      dev.conns[0].lines(),
      ["LOGIN old", "data"],
      "the live link was not greeted again; the greeting alone wrote nothing",
    );
    assert.deepStrictEqual(dev.conns[1].lines(), ["LOGIN new"]);
    assert.strictEqual(t.caught.msgs.length, 0);
  });

  it("host from the environment: a host field of exactly ${NAME} (with the port in it) dials the variable's device", async function () {
    const dev = use(await device());
    process.env.TCPA_TEST_DEVICE = `127.0.0.1:${dev.port}`;
    try {
      await start({ host: "${TCPA_TEST_DEVICE}", port: "" });
      await waitFor(() => dev.conns.length === 1, "the client dialled the device named by the variable");
      assert.deepStrictEqual(
        calls("error").map((c) => String(c.args[0])),
        [],
      );
    } finally {
      delete process.env.TCPA_TEST_DEVICE;
    }
  });

  it("reply to sender: a send-to-tcp-port node in reply mode writes into the link a message came from", async function () {
    const dev = use(await device());
    await helper.load(
      [...NODES, nodes.send],
      onTab([
        { id: "cl", type: T, host: "127.0.0.1", port: String(dev.port), event: "line", eol: "lf", x: 100, y: 100, wires: [["reply"]] },
        { id: "reply", type: "send-to-tcp-port", mode: "reply", data: "ACK\n", dataType: "str", x: 300, y: 100, wires: [[]] },
      ]),
    );
    await waitFor(() => dev.conns.length === 1, "dialled");
    dev.conns[0].socket.write("hello\n");
    await waitFor(() => dev.conns[0].lines().includes("ACK"), "the device got the ACK through the link");
  });

  it("a wrong property type is a configuration error: red status, every input refused with ECONFIG", async function () {
    const t = await start({ port: "x" });
    assert.ok(calls("status").some((c) => c.args[0].fill === "red"));
    t.cl.receive({ payload: "a" });
    const [c] = await t.caught.until(1);
    assert.strictEqual(c.error.code, "ECONFIG");
  });
});
