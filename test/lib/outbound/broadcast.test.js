"use strict";
// Send to connections without Node-RED: real sockets in a registry, the
// filters that pick them, and the fan-out (a stalled client fails alone).
const assert = require("assert");
const net = require("net");
const { lib, connect, waitFor } = require("../../helpers");
const { SessionRegistry } = lib("sessions/registry.js");
const { selectSessions, sessionFilter, explicitIds } = lib("outbound/broadcast.js");
const { FanOut } = lib("outbound/fan-out.js");
const { parseAccessList } = lib("schema/access.js");

const FAN = { maxPending: 64 * 1024, writeTimeoutMs: 2000, slow: "skip" };
const run = (reg, targets, data, o = FAN) => new Promise((resolve) => new FanOut(reg, o).send(targets, Buffer.from(data), resolve));

describe("send to connections (lib/outbound/broadcast)", function () {
  this.timeout(20000);
  let servers;
  let reg;
  let clients;
  /** A listening socket whose connections join the registry as sessions of owner. */
  async function listen(owner, remoteAddress) {
    const server = net.createServer((s) => {
      s.on("error", () => undefined);
      reg.add(s, {
        remoteAddress: remoteAddress || s.remoteAddress || "",
        remotePort: s.remotePort || 0,
        localPort: s.localPort || 0,
        owner: { id: owner, type: "test" },
        direction: "in",
      });
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
    servers.push(server);
    return /** @type {import("net").AddressInfo} */ (server.address()).port;
  }
  /** A client that reads everything (or, paused, nothing) into .got. */
  async function client(port, { paused = false } = {}) {
    const c = await connect(port);
    c.got = "";
    if (paused) c.pause();
    else c.on("data", (d) => (c.got += d));
    clients.push(c);
    return c;
  }
  beforeEach(function () {
    reg = new SessionRegistry();
    servers = [];
    clients = [];
  });
  afterEach(function () {
    for (const c of clients) c.destroy();
    for (const s of reg.sessions()) s.socket.destroy();
    for (const s of servers) s.close();
  });

  it("filters: every session, one owner's, by client address (CIDR), by local port; the sender left out", async function () {
    const portA = await listen("trigger-a");
    const portB = await listen("trigger-b", "10.1.2.3");
    await client(portA);
    await client(portA);
    await client(portB);
    await waitFor(() => reg.size === 3, "three sessions");
    const ids = (filter) => selectSessions(reg, filter).map((s) => s.owner.id);
    assert.deepStrictEqual(ids(sessionFilter({ kind: "all" })), ["trigger-a", "trigger-a", "trigger-b"]);
    assert.deepStrictEqual(ids(sessionFilter({ kind: "node", nodeId: "trigger-a" })), ["trigger-a", "trigger-a"]);
    assert.deepStrictEqual(ids(sessionFilter({ kind: "address", entries: parseAccessList("10.0.0.0/8") })), ["trigger-b"]);
    assert.deepStrictEqual(ids(sessionFilter({ kind: "address", entries: parseAccessList("127.0.0.1") })), ["trigger-a", "trigger-a"]);
    assert.deepStrictEqual(ids(sessionFilter({ kind: "port", port: portB })), ["trigger-b"]);
    const first = [...reg.sessions()][0].id;
    assert.deepStrictEqual(
      selectSessions(reg, sessionFilter({ kind: "node", nodeId: "trigger-a" }), first).map((s) => s.owner.id),
      ["trigger-a"],
    );
  });

  it("writes to every target; a closed or unknown id in an explicit list fails with its session code", async function () {
    const port = await listen("t");
    const a = await client(port);
    const b = await client(port);
    await waitFor(() => reg.size === 2, "two sessions");
    const [sa, sb] = [...reg.sessions()];
    const r = await run(reg, [sa, sb], "price 1.99\n");
    assert.deepStrictEqual([r.matched, r.written, r.failed.length, r.bytes], [2, 2, 0, 11]);
    await waitFor(() => a.got === "price 1.99\n" && b.got === "price 1.99\n", "both got it");
    sb.socket.destroy();
    await waitFor(() => reg.size === 1, "b closed");
    const r2 = await run(reg, [sa.id, sb.id, "nope"], "x\n");
    assert.deepStrictEqual([r2.matched, r2.written], [3, 1]);
    assert.deepStrictEqual(
      r2.failed.map((f) => f.code),
      ["ESESSIONCLOSED", "ESESSIONUNKNOWN"],
    );
  });

  /** Sends n messages to every session, one per turn of the event loop (not waiting for slow ones); the failures. */
  async function stream(n, data, o) {
    const failed = [];
    const fan = new FanOut(reg, o);
    for (let i = 0; i < n; i++) {
      const targets = selectSessions(reg, sessionFilter({ kind: "all" }));
      fan.send(targets, Buffer.from(data), (r) => failed.push(...r.failed));
      await new Promise((res) => setTimeout(res, 1));
    }
    return failed;
  }

  it("a client that never reads is held to the pending bound and skipped, while the others get every message in order", async function () {
    const port = await listen("t");
    const readers = [await client(port), await client(port)];
    const stalled = await client(port, { paused: true });
    await waitFor(() => reg.size === 3, "three sessions");
    const stalledId = [...reg.sessions()][2].id;
    const o = { ...FAN, maxPending: 1024 * 1024 };
    const line = (i) => String(i).padStart(8, "0") + "x".repeat(16 * 1024 - 9) + "\n";
    let maxPendingSeen = 0;
    const sampler = setInterval(() => {
      for (const s of reg.sessions()) maxPendingSeen = Math.max(maxPendingSeen, s.socket.writableLength);
    }, 1);
    const failed = [];
    try {
      for (let i = 0; i < 800; i++) failed.push(...(await stream(1, line(i), o)));
    } finally {
      clearInterval(sampler);
    }
    const want = Array.from({ length: 800 }, (_, i) => line(i)).join("");
    await waitFor(() => readers.every((c) => c.got.length === want.length), "every reader got all 800 messages");
    for (const c of readers) assert.ok(c.got === want, "in order, nothing missing");
    assert.ok(failed.length > 0, "the stalled client was skipped");
    assert.deepStrictEqual([...new Set(failed.map((f) => `${f.session} ${f.code} ${f.closed}`))], [`${stalledId} EBUFFERFULL false`]);
    assert.ok(maxPendingSeen <= o.maxPending + 16 * 1024, `pending bytes held to the bound: ${maxPendingSeen}`);
    assert.ok(!stalled.destroyed, "skip keeps the connection");
  });

  it('slow clients "close": the stalled client is reset and reported closed; the reader is not touched', async function () {
    const port = await listen("t");
    const reader = await client(port);
    await client(port, { paused: true });
    await waitFor(() => reg.size === 2, "two sessions");
    const stalledId = [...reg.sessions()][1].id;
    const failed = await stream(800, "y".repeat(16 * 1024), { ...FAN, maxPending: 1024 * 1024, slow: "close" });
    assert.deepStrictEqual([...new Set(failed.map((f) => `${f.session} ${f.code} ${f.closed}`))], [`${stalledId} EBUFFERFULL true`]);
    await waitFor(() => reg.size === 1, "only the reader is left");
    await waitFor(() => reader.got.length === 800 * 16 * 1024, "the reader got everything");
  });

  it("a burst in one turn: each connection gets exactly its messages, in order; each message its own result", async function () {
    const port = await listen("t");
    const [a, b, c] = [await client(port), await client(port), await client(port)];
    await waitFor(() => reg.size === 3, "three sessions");
    const [sa, sb, sc] = [...reg.sessions()];
    const fan = new FanOut(reg, FAN);
    const results = [];
    const send = (targets, text) =>
      new Promise((resolve) => fan.send(targets, Buffer.from(text), resolve)).then((r) => results.push([text, r]));
    // One turn: all three, then a and c only (b left out: its share is no longer one run), then all, then b by id,
    // then an unknown id; every callback comes after the turn.
    const sent = [send([sa, sb, sc], "1;"), send([sa, sc], "2;"), send([sa, sb, sc], "3;"), send([sb.id, "nope"], "4;")];
    assert.strictEqual(results.length, 0, "nothing settles before the end of the turn");
    await Promise.all(sent);
    assert.deepStrictEqual(
      results.map(([text, r]) => [text, r.matched, r.written, r.failed.map((f) => f.code).join()]),
      [
        ["1;", 3, 3, ""],
        ["2;", 2, 2, ""],
        ["3;", 3, 3, ""],
        ["4;", 2, 1, "ESESSIONUNKNOWN"],
      ],
    );
    await waitFor(() => a.got === "1;2;3;" && b.got === "1;3;4;" && c.got === "1;2;3;", `each its own: ${a.got} ${b.got} ${c.got}`);
  });

  it("a message larger than the pending bound still goes to a client with nothing waiting, after the turn's smaller ones", async function () {
    const port = await listen("t");
    const a = await client(port);
    await waitFor(() => reg.size === 1, "one session");
    const fan = new FanOut(reg, { ...FAN, maxPending: 4096 });
    const big = "B".repeat(10000);
    const rs = await Promise.all(
      ["s1", big, "s2"].map((text) => new Promise((resolve) => fan.send([...reg.sessions()], Buffer.from(text), resolve))),
    );
    assert.deepStrictEqual(
      rs.map((r) => r.written),
      [1, 1, 1],
    );
    await waitFor(() => a.got === "s1" + big + "s2", "in order");
  });

  it("msg._sessions: ids or _session objects; anything else is not a list", function () {
    assert.deepStrictEqual(explicitIds(["a", { type: "tcp", id: "b" }]), ["a", "b"]);
    assert.deepStrictEqual(explicitIds([]), []);
    for (const bad of ["a", { id: "a" }, [1], [""], [{}], null]) assert.strictEqual(explicitIds(bad), undefined, JSON.stringify(bad));
  });
});
