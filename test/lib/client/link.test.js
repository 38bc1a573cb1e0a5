"use strict";
// The tcp client's link over real sockets: a node:net server on an ephemeral 127.0.0.1 port plays the device.
// Assertions are on what the link reported (its handler calls, in order) and what the device received.
const assert = require("assert");
const tls = require("tls");
const { freePort, sleep, waitFor, refusedPort } = require("../../helpers");
const { device } = require("../../helpers/device");
const { certs } = require("../../helpers/certs");
const { linkUnder, quietResources, nothingLeft } = require("../../helpers/client");

describe("client link (persistent connection)", function () {
  const cleanup = [];
  afterEach(async function () {
    while (cleanup.length) await cleanup.pop()();
  });
  const useDevice = (d) => (cleanup.push(() => d.close()), d);
  const useLink = (l) => (cleanup.push(() => l.link.stop(500)), l);

  it("dials at start, writes in order, confirms each write once, frames what the device sends", async function () {
    const d = useDevice(await device({ onData: (c, chunk) => c.socket.write(chunk.toString().toUpperCase()) }));
    const l = useLink(linkUnder(d.port));
    await waitFor(() => l.link.state === "connected", "connected");
    for (let i = 0; i < 50; i++) l.link.write(Buffer.from(`m${i}\n`), i);
    await waitFor(() => l.calls("sent").length === 50, "50 confirmed");
    assert.deepStrictEqual(
      l.calls("sent").map(([ctx]) => ctx),
      [...Array(50).keys()],
    );
    await waitFor(() => l.frames().length === 50, "50 frames back");
    assert.deepStrictEqual(
      l.frames(),
      [...Array(50).keys()].map((i) => `M${i}`),
    );
    assert.deepStrictEqual(l.states(), ["idle", "connecting", "connected"]);
    assert.strictEqual(l.calls("failed").length, 0);
    const [session] = l.registry.list();
    assert.strictEqual(session.direction, "out", "the link is a session of the manager's registry");
    assert.strictEqual(session.ownerType, "tcp-client-link");
    assert.strictEqual(l.calls("connected")[0][0].session.id, session.id);
  });

  it("device down: writes wait, dials back off as configured, and the queue goes out in order once it is up", async function () {
    const port = await freePort();
    const l = useLink(linkUnder(port, { backoff: { firstMs: 40, longestMs: 160, jitter: "none", withinMs: 0 } }));
    for (let i = 0; i < 5; i++) l.link.write(Buffer.from(`q${i}\n`), i);
    await waitFor(() => l.calls("reconnecting").length >= 4, "four waits");
    assert.deepStrictEqual(l.calls("reconnecting").slice(0, 4), [
      [1, 40],
      [2, 80],
      [3, 160],
      [4, 160],
    ]);
    assert.strictEqual(l.calls("dialFailed")[0][0].code, "ECONNREFUSED");
    assert.strictEqual(l.calls("dialFailed")[0][0].kind, "connect");
    const waiting = l.calls("status").find(([s]) => s.state === "waiting")[0];
    assert.strictEqual(waiting.attempt, 2, "the status names the attempt to come");
    assert.ok(waiting.nextAttemptAt > 0 && waiting.lastError.code === "ECONNREFUSED");
    assert.strictEqual(waiting.queued, 5);
    // The attempts themselves are that far apart (lower bounds only: a loaded machine can only make them later).
    const dialAt = l.log.filter((e) => e.name === "status" && e.args[0].state === "connecting").map((e) => e.t);
    assert.ok(dialAt[2] - dialAt[1] >= 75 && dialAt[3] - dialAt[2] >= 150, `attempts at ${dialAt.map((t) => t - dialAt[0])}`);
    const d = useDevice(await device({ port }));
    await waitFor(() => l.calls("sent").length === 5, "the queue sent");
    // Sent means the kernel took the bytes; the device reads them a moment later.
    await waitFor(() => d.conns[0].lines().length === 5, "five lines at the device");
    assert.deepStrictEqual(d.conns[0].lines(), ["q0", "q1", "q2", "q3", "q4"]);
    assert.strictEqual(l.calls("failed").length, 0);
  });

  it("device restarts during a stream of writes: every write is confirmed or reported, none twice, none silent", async function () {
    const d = useDevice(await device());
    const l = useLink(linkUnder(d.port, { backoff: { firstMs: 10, longestMs: 50, jitter: "full", withinMs: 0 } }));
    await waitFor(() => l.link.state === "connected", "connected");
    const N = 3000;
    let writing = true;
    const restarts = (async () => {
      for (const reset of [true, false, true]) {
        await sleep(120);
        await d.restart(reset);
        await waitFor(() => l.link.state === "connected" || !writing, "connected again");
      }
    })();
    for (let i = 0; i < N; i++) {
      l.link.write(Buffer.from(`${i}\n`), i);
      if (i % 5 === 4) await sleep(1);
    }
    writing = false;
    await restarts;
    await waitFor(() => l.outcomes().size === N, `an outcome for each of ${N} writes`, 20000);
    const outcomes = l.outcomes();
    const twice = [...outcomes].filter(([, o]) => o.length !== 1);
    assert.deepStrictEqual(twice, [], "exactly one outcome per write");
    const codes = new Set([...outcomes.values()].map(([o]) => o).filter((o) => o !== "sent"));
    for (const c of codes) assert.strictEqual(c, "failed:ESENDFAILED", "the only failure is a write into a link that broke");
    assert.ok(d.conns.length >= 4, `${d.conns.length} connections for 3 restarts`);
    // What the device got: each write at most once, in write order, nothing else.
    await l.link.stop(2000);
    await waitFor(() => d.conns.every((c) => c.closed), "the device sees every connection closed");
    const got = d.conns.flatMap((c) => c.lines()).map(Number);
    for (let i = 1; i < got.length; i++) assert.ok(got[i] > got[i - 1], `line ${got[i]} after ${got[i - 1]}`);
    assert.ok(got.every((n) => Number.isInteger(n) && n >= 0 && n < N));
    // Written after the last restart's reconnect: all sent and all at the device.
    const lastConnect = l.log.filter((e) => e.name === "connected").pop().t;
    const late = l.log.filter((e) => e.name === "sent" && e.t > lastConnect + 50).map((e) => e.args[0]);
    const gotSet = new Set(got);
    assert.ok(late.length > 0, "writes went on after the last restart");
    assert.deepStrictEqual(
      late.filter((i) => !gotSet.has(i)),
      [],
    );
    const sent = [...outcomes].filter(([, [o]]) => o === "sent").length;
    this.test.title += ` (${sent} sent, ${N - sent} ESENDFAILED, ${got.length} at the device)`;
  });

  it("greeting: sent first on every connection, before the writes that waited", async function () {
    const port = await freePort();
    const l = useLink(linkUnder(port, { greeting: { bytes: Buffer.from("LOGIN admin\n") } }));
    l.link.write(Buffer.from("a\n"), "a");
    l.link.write(Buffer.from("b\n"), "b");
    await waitFor(() => l.calls("dialFailed").length >= 1, "a failed dial");
    const d = useDevice(await device({ port }));
    await waitFor(() => l.calls("sent").length === 2, "a and b sent");
    for (const [i, reset] of [false, true].entries()) {
      l.link.write(Buffer.from(`c${i}\n`), `c${i}`);
      await waitFor(() => l.outcomes().has(`c${i}`), `c${i} sent`);
      await d.restart(reset);
      await waitFor(() => l.calls("connected").length === i + 2, "connected again");
    }
    l.link.write(Buffer.from("d\n"), "d");
    await waitFor(() => d.conns.some((c) => c.lines().includes("d")), "d at the device");
    for (const c of d.conns) assert.strictEqual(c.lines()[0], "LOGIN admin", `connection ${d.conns.indexOf(c)} starts with the greeting`);
    assert.deepStrictEqual(d.conns[0].lines().slice(0, 3), ["LOGIN admin", "a", "b"]);
    assert.strictEqual(d.conns.length, 3);
    assert.strictEqual(l.outcomes().size, 5, "greetings are not writes of the flow");
  });

  it("greeting with an expected answer: connected only once it came; the answer is not data", async function () {
    let answered = false;
    /** What the device had received when it answered. */
    let beforeAnswer = "";
    const d = useDevice(
      await device({
        onData: (c) => {
          if (c.data.toString() !== "HELLO\n") return;
          setTimeout(() => {
            beforeAnswer = c.data.toString();
            answered = true;
            c.socket.write("WELCOME operator\nfirst data\n");
          }, 150);
        },
      }),
    );
    const l = useLink(
      linkUnder(d.port, { greeting: { bytes: Buffer.from("HELLO\n"), answer: { timeoutMs: 5000, expect: "WELCOME" } } }, { start: false }),
    );
    l.link.write(Buffer.from("x\n"), "x");
    l.link.start();
    await waitFor(() => d.conns.length === 1, "dialled");
    assert.strictEqual(l.link.state, "connecting", "not connected before the answer");
    await waitFor(() => l.calls("sent").length === 1, "x sent");
    assert.ok(answered);
    assert.strictEqual(beforeAnswer, "HELLO\n", "nothing queued was written before the answer");
    await waitFor(() => d.conns[0].data.toString() === "HELLO\nx\n", "x after the greeting");
    await waitFor(() => l.frames().length === 1, "a frame");
    assert.deepStrictEqual(l.frames(), ["first data"], "the answer frame is the greeting's, not the flow's");
  });

  it("greeting answered wrongly (EGREETING) or not at all (ETIMEDOUT): closed and dialled again, nothing queued sent", async function () {
    for (const [answer, code] of [
      ["DENIED\n", "EGREETING"],
      [null, "ETIMEDOUT"],
    ]) {
      const d = useDevice(await device({ onData: (c) => answer && c.socket.write(answer) }));
      const l = useLink(linkUnder(d.port, { greeting: { bytes: Buffer.from("HELLO\n"), answer: { timeoutMs: 150, expect: "WELCOME" } } }));
      l.link.write(Buffer.from("secret\n"), "s");
      await waitFor(() => l.calls("closed").length >= 2, `${code}: two closed attempts`);
      const [, reason, cause] = l.calls("closed")[0];
      assert.strictEqual(cause.code, code);
      assert.strictEqual(cause.kind, answer ? "greeting-mismatch" : "greeting-timeout");
      assert.strictEqual(reason, answer ? "error" : "timeout");
      assert.strictEqual(l.calls("connected").length, 0);
      assert.ok(d.conns.length >= 2);
      for (const c of d.conns) assert.strictEqual(c.data.toString(), "HELLO\n", "only the greeting went out");
      assert.strictEqual(l.link.status().queued, 1, "the write still waits");
      await l.link.stop(100);
      assert.deepStrictEqual(l.outcomes().get("s"), ["failed:ESTOPPED"]);
    }
  });

  it("heartbeat: a device that answers keeps its link; the answers are not data", async function () {
    const d = useDevice(await device({ onData: (c, chunk) => chunk.toString().includes("PING") && c.socket.write("PONG\n") }));
    const l = useLink(linkUnder(d.port, { heartbeat: { bytes: Buffer.from("PING\n"), idleMs: 60, answerMs: 300, consumeAnswer: true } }));
    await waitFor(() => d.conns.length === 1 && d.conns[0].lines().length >= 5, "five heartbeats", 10000);
    assert.strictEqual(d.conns.length, 1, "still the first connection");
    assert.strictEqual(l.calls("closed").length, 0);
    assert.deepStrictEqual(l.frames(), [], "PONGs were taken as the heartbeat's answers");
    assert.ok(d.conns[0].lines().every((x) => x === "PING"));
  });

  it("heartbeat: a half-open link (device process hung, its kernel still ACKs) is closed and dialled again", async function () {
    // The device accepts and never reads or answers: TCP stays up, only the missing answer tells.
    const d = useDevice(await device({ onConnection: (c) => c.socket.pause() }));
    const l = useLink(linkUnder(d.port, { heartbeat: { bytes: Buffer.from("PING\n"), idleMs: 100, answerMs: 150, consumeAnswer: false } }));
    await waitFor(() => l.calls("closed").length >= 1, "the link given up on");
    const connectedAt = l.log.find((e) => e.name === "connected").t;
    const closedAt = l.log.find((e) => e.name === "closed").t;
    const [, reason, cause] = l.calls("closed")[0];
    assert.strictEqual(cause.code, "ETIMEDOUT");
    assert.strictEqual(cause.kind, "heartbeat-lost");
    assert.strictEqual(reason, "timeout");
    assert.ok(closedAt - connectedAt >= 240, `noticed after ${closedAt - connectedAt} ms: not before idle + answer`);
    // The bound the issue asks for (found within the heartbeat bound, not the OS's 2 hours); wide for a loaded machine.
    assert.ok(closedAt - connectedAt < 5000, `noticed after ${closedAt - connectedAt} ms`);
    await waitFor(() => d.conns.length >= 2, "dialled again");
  });

  it("read timeout: nothing received for that long closes the link with ETIMEDOUT and it is dialled again", async function () {
    const d = useDevice(await device());
    const l = useLink(
      linkUnder(d.port, { inbound: Object.assign({}, linkUnder(0, {}, { start: false }).opts.inbound, { readTimeoutMs: 150 }) }),
    );
    await waitFor(() => d.conns.length >= 2, "dialled again");
    const [, reason, cause] = l.calls("closed")[0];
    assert.strictEqual(reason, "timeout");
    assert.strictEqual(cause.kind, "read-timeout");
    assert.strictEqual(cause.code, "ETIMEDOUT");
  });

  it("write timeout: a device that stops reading; the bytes the kernel did not take fail, the link is reset", async function () {
    const d = useDevice(await device({ onConnection: (c) => c.socket.pause() }));
    const l = useLink(linkUnder(d.port, { writeTimeoutMs: 300 }));
    await waitFor(() => l.link.state === "connected", "connected");
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    for (let i = 0; i < 32; i++) l.link.write(chunk, i);
    await waitFor(() => l.outcomes().size === 32, "an outcome for every write", 20000);
    const fails = l.calls("failed");
    assert.ok(fails.length > 0, "32 MiB do not fit into the kernel buffers of a device that does not read");
    for (const [, err] of fails) {
      assert.strictEqual(err.code, "ESENDFAILED");
      assert.strictEqual(err.kind, "write-timeout");
    }
    // Each connection takes what its kernel buffers hold; the write stuck behind them fails, the queue goes on after a redial.
    const sent = l.calls("sent").map(([i]) => i);
    assert.ok(sent.length > 0 && sent.every((n, i) => i === 0 || n > sent[i - 1]), `sent in order: ${sent}`);
    assert.strictEqual(l.calls("closed")[0][2].kind, "write-timeout");
    assert.strictEqual(l.calls("closed").length, fails.length, "one stuck write per connection");
  });

  it("queue full, refuse (default): the write over the limit fails with EQUEUEFULL, the others wait", async function () {
    const port = await freePort();
    const l = useLink(linkUnder(port, { queue: { maxMessages: 3, maxBytes: 1000, policy: "refuse", maxAgeMs: 0 } }));
    for (const n of ["a", "b", "c", "d"]) l.link.write(Buffer.from(`${n}\n`), n);
    const [[ctx, err]] = l.calls("failed");
    assert.strictEqual(ctx, "d");
    assert.strictEqual(err.code, "EQUEUEFULL");
    assert.deepStrictEqual([err.detail.policy, err.detail.dropped, err.detail.limit], ["refuse", "this", 3]);
    const d = useDevice(await device({ port }));
    await waitFor(() => l.calls("sent").length === 3, "a, b, c sent");
    await waitFor(() => d.conns[0].lines().length === 3, "three lines at the device");
    assert.deepStrictEqual(d.conns[0].lines(), ["a", "b", "c"]);
  });

  it("queue full, drop oldest / drop newest: each drop reported with its policy", async function () {
    for (const [policy, dropped, kept] of [
      ["drop-oldest", ["a", "b"], ["c", "d", "e"]],
      ["drop-newest", ["d", "e"], ["a", "b", "c"]],
    ]) {
      const port = await freePort();
      const l = useLink(linkUnder(port, { queue: { maxMessages: 3, maxBytes: 1000, policy, maxAgeMs: 0 } }));
      for (const n of ["a", "b", "c", "d", "e"]) l.link.write(Buffer.from(`${n}\n`), n);
      assert.deepStrictEqual(
        l.calls("failed").map(([ctx]) => ctx),
        dropped,
      );
      for (const [, err] of l.calls("failed")) {
        assert.strictEqual(err.code, "EQUEUEFULL");
        assert.strictEqual(err.detail.policy, policy);
        assert.strictEqual(err.detail.dropped, policy === "drop-oldest" ? "oldest" : "this");
      }
      const d = useDevice(await device({ port }));
      await waitFor(() => l.calls("sent").length === 3, `${policy}: three sent`);
      await waitFor(() => d.conns[0].lines().length === 3, "three lines at the device");
      assert.deepStrictEqual(d.conns[0].lines(), kept);
    }
  });

  it("maximum age: a write that waited too long fails with ESTALE and is never sent late", async function () {
    const port = await freePort();
    const l = useLink(linkUnder(port, { queue: { maxMessages: 10, maxBytes: 1000, policy: "refuse", maxAgeMs: 200 } }));
    l.link.write(Buffer.from("old\n"), "old");
    await waitFor(() => l.calls("failed").length === 1, "ESTALE");
    const [[ctx, err]] = l.calls("failed");
    assert.strictEqual(ctx, "old");
    assert.strictEqual(err.code, "ESTALE");
    assert.ok(err.detail.ms >= 200 && err.detail.limit === 200, `waited ${err.detail.ms} ms`);
    l.link.write(Buffer.from("new\n"), "new");
    const d = useDevice(await device({ port }));
    await waitFor(() => l.calls("sent").length === 1, "new sent");
    await waitFor(() => d.conns[0].lines().length >= 1, "a line at the device");
    await sleep(50); // "old" would be right behind it
    assert.deepStrictEqual(d.conns[0].lines(), ["new"]);
    assert.deepStrictEqual(l.outcomes().get("old"), ["failed:ESTALE"]);
  });

  it("connect on the first write, and keep the link", async function () {
    const d = useDevice(await device());
    const l = useLink(linkUnder(d.port, { connect: "on-first-write" }));
    await sleep(100);
    assert.strictEqual(d.conns.length, 0, "no dial before a write");
    assert.strictEqual(l.link.state, "idle");
    l.link.write(Buffer.from("1\n"), 1);
    await waitFor(() => l.calls("sent").length === 1, "sent");
    await d.restart();
    await waitFor(() => d.conns.length === 2, "dialled again after the loss, without a write");
  });

  it("connect per write: dial when a write waits, close after the idle time, dial again for the next", async function () {
    const d = useDevice(await device());
    const l = useLink(linkUnder(d.port, { connect: "per-write", idleCloseMs: 150 }));
    await sleep(100);
    assert.strictEqual(d.conns.length, 0);
    l.link.write(Buffer.from("1\n"), 1);
    await waitFor(() => l.calls("closed").length === 1, "closed when idle");
    assert.strictEqual(l.calls("closed")[0][1], "idle");
    assert.strictEqual(l.link.state, "idle");
    assert.deepStrictEqual(d.conns[0].lines(), ["1"]);
    await waitFor(() => d.conns[0].closed, "closed at the device");
    l.link.write(Buffer.from("2\n"), 2);
    await waitFor(() => d.conns.length === 2 && d.conns[1].lines().length === 1, "a new connection for the next write");
    assert.deepStrictEqual(l.outcomes().get(2), ["sent"]);
  });

  it("a bounded round gives up: queued writes fail with the dial's code; the next write starts a new round", async function () {
    const port = await freePort();
    const l = useLink(linkUnder(port, { backoff: { firstMs: 30, longestMs: 60, jitter: "none", withinMs: 250 } }));
    l.link.write(Buffer.from("x\n"), "x");
    await waitFor(() => l.calls("gaveUp").length === 1, "gave up");
    const [[err]] = l.calls("gaveUp");
    assert.strictEqual(err.code, "ECONNREFUSED");
    assert.strictEqual(err.kind, "gave-up");
    assert.ok(err.detail.attempts >= 3, `${err.detail.attempts} attempts`);
    assert.deepStrictEqual(l.outcomes().get("x"), ["failed:ECONNREFUSED"]);
    assert.strictEqual(l.link.state, "idle");
    // The status the link reported last (the node shows it) counts no write as queued: they all failed.
    const [last] = l.calls("status").pop();
    assert.deepStrictEqual([last.state, last.queued, last.lastError.code], ["idle", 0, "ECONNREFUSED"]);
    const d = useDevice(await device({ port }));
    l.link.write(Buffer.from("y\n"), "y");
    await waitFor(() => l.calls("sent").length === 1, "y sent on a new round");
    await waitFor(() => d.conns[0].lines().length === 1, "y at the device");
    assert.deepStrictEqual(d.conns[0].lines(), ["y"]);
  });

  it("a device that accepts and closes at once is not dialled in a tight loop (the backoff goes on)", async function () {
    const d = useDevice(await device({ onConnection: (c) => c.socket.destroy() }));
    const l = useLink(linkUnder(d.port, { backoff: { firstMs: 20, longestMs: 320, jitter: "none", withinMs: 0 }, stableMs: 1000 }));
    await waitFor(() => l.calls("reconnecting").length >= 5, "five waits");
    assert.deepStrictEqual(
      l
        .calls("reconnecting")
        .slice(0, 5)
        .map(([, ms]) => ms),
      [20, 40, 80, 160, 320],
    );
  });

  it("a link that stayed up for stableMs starts the next round from the first wait", async function () {
    const d = useDevice(await device());
    const l = useLink(linkUnder(d.port, { backoff: { firstMs: 30, longestMs: 1000, jitter: "none", withinMs: 0 }, stableMs: 100 }));
    for (let i = 0; i < 3; i++) {
      await waitFor(() => l.link.state === "connected", "connected");
      await sleep(150);
      await d.restart();
      await waitFor(() => l.calls("reconnecting").length === i + 1, "a wait");
    }
    assert.deepStrictEqual(
      l.calls("reconnecting").map(([retry, ms]) => [retry, ms]),
      [
        [1, 30],
        [1, 30],
        [1, 30],
      ],
    );
  });

  it("over TLS: verified, framed, reset and dialled again like plain TCP", async function () {
    const c = certs();
    const conns = [];
    const server = tls.createServer({ cert: c.read(c.server.cert), key: c.read(c.server.key) }, (s) => {
      conns.push(s);
      s.on("error", () => undefined);
      s.on("data", (d) => s.write(d.toString().toUpperCase()));
    });
    server.on("tlsClientError", () => undefined);
    await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
    cleanup.push(() => new Promise((r) => (conns.forEach((s) => s.destroy()), server.close(() => r(undefined)))));
    const port = /** @type {import("net").AddressInfo} */ (server.address()).port;
    const l = useLink(linkUnder(port, { tls: { ca: c.read(c.ca), rejectUnauthorized: true }, greeting: { bytes: Buffer.from("hi\n") } }));
    l.link.write(Buffer.from("one\n"), 1);
    await waitFor(() => l.frames().length === 2, "two frames back");
    assert.deepStrictEqual(l.frames(), ["HI", "ONE"]);
    assert.strictEqual(l.calls("connected")[0][0].socket.authorized, true);
    // A reset (as after a reply timeout): a TLS socket has no TCP handle of its own to reset; it is destroyed.
    l.link.reset(new Error("test"));
    await waitFor(() => l.calls("connected").length === 2, "dialled again");
    l.link.write(Buffer.from("two\n"), 2);
    await waitFor(() => l.frames().length === 4, "four frames");
    assert.deepStrictEqual(l.frames().slice(2), ["HI", "TWO"]);
    assert.strictEqual(l.calls("closed")[0][1], "timeout");
  });

  it("takes an injected dialer (the shared one, later)", async function () {
    const d = useDevice(await device());
    const { defaultDial } = require("../../helpers").lib("client/dial.js");
    const seen = [];
    const dial = (opts, signal) => (seen.push(opts), defaultDial(opts, signal));
    const l = useLink(linkUnder(d.port, { dial, localAddress: "127.0.0.1", connectTimeoutMs: 1234 }));
    l.link.write(Buffer.from("via\n"), 1);
    await waitFor(() => l.calls("sent").length === 1, "sent");
    assert.strictEqual(seen.length, 1);
    assert.deepStrictEqual(
      [seen[0].host, seen[0].port, seen[0].localAddress, seen[0].connectTimeoutMs],
      ["127.0.0.1", d.port, "127.0.0.1", 1234],
    );
  });

  it("stop: what is queued finishes within the bound; then socket, timers and listeners are gone", async function () {
    const d = useDevice(await device({ onData: (c, chunk) => chunk.includes("PING") && c.socket.write("PONG\n") }));
    const before = await quietResources();
    const listeners = process.listenerCount("uncaughtException") + process.listenerCount("exit");
    const l = linkUnder(d.port, {
      heartbeat: { bytes: Buffer.from("PING\n"), idleMs: 50, answerMs: 1000, consumeAnswer: true },
      queue: { maxMessages: 1000, maxBytes: 1 << 20, policy: "refuse", maxAgeMs: 60000 },
      writeTimeoutMs: 60000,
      keepAliveMs: 1000,
    });
    for (let i = 0; i < 100; i++) l.link.write(Buffer.from(`${i}\n`), i);
    await l.link.stop(10000);
    assert.strictEqual(l.calls("sent").length, 100, "all queued writes went out before the link closed");
    assert.strictEqual(l.link.state, "stopped");
    assert.strictEqual(l.calls("closed")[0][1], "stopped");
    l.link.write(Buffer.from("late\n"), "late");
    assert.deepStrictEqual(l.outcomes().get("late"), ["failed:ESTOPPED"]);
    await waitFor(() => d.conns[0].closed, "closed at the device");
    await nothingLeft(before);
    assert.strictEqual(process.listenerCount("uncaughtException") + process.listenerCount("exit"), listeners);
    assert.strictEqual(l.registry.size, 0, "the session is gone from the registry");
  });

  it("stop with the device gone: queued writes end with ESTOPPED within the bound, written ones say so", async function () {
    const port = await refusedPort();
    const before = await quietResources();
    const l = linkUnder(port, { backoff: { firstMs: 20, longestMs: 40, jitter: "none", withinMs: 0 } });
    for (let i = 0; i < 3; i++) l.link.write(Buffer.from(`${i}\n`), i);
    await waitFor(() => l.calls("reconnecting").length >= 1, "waiting to reconnect");
    await l.link.stop(300);
    for (let i = 0; i < 3; i++) assert.deepStrictEqual(l.outcomes().get(i), ["failed:ESTOPPED"]);
    assert.strictEqual(l.calls("failed")[0][1].detail.written, false);
    await nothingLeft(before);

    // Written into a device that does not read: the bound cuts them, reported as written (they may have arrived in part).
    const d = useDevice(await device({ onConnection: (c) => c.socket.pause() }));
    const l2 = linkUnder(d.port);
    await waitFor(() => l2.link.state === "connected", "connected");
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 32; i++) l2.link.write(chunk, i);
    await l2.link.stop(300);
    assert.strictEqual(l2.outcomes().size, 32, "every write ended");
    const written = l2.calls("failed").filter(([, e]) => e.detail.written === true);
    assert.ok(written.length >= 1, "some were written and cut");
    for (const [, e] of l2.calls("failed")) assert.strictEqual(e.code, "ESTOPPED");
  });
});
