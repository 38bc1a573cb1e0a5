"use strict";
const assert = require("assert");
const fs = require("fs");
const net = require("net");
const os = require("os");
const { spawnSync } = require("child_process");
const { lib, connect, waitFor, DIST } = require("../../helpers");
const path = require("path");
const { parseCapture, replayClient, serveReplay, sideOf } = lib("traffic/replay.js");
const { parseArgs } = require(path.join(DIST, "cli", "replay.js"));
const { loopbackTarget } = require(path.join(DIST, "red", "traffic-routes.js"));

/** @param {net.Server} s */
const portOf = (s) => /** @type {net.AddressInfo} */ (s.address()).port;

const chunk = (t, dir, text) => ({ t, dir, data: Buffer.from(text).toString("base64") });

/** A trigger's capture (the peer connected to it): the client sent "in", the node answered "out". */
const TRIGGER_CAPTURE = {
  direction: "in",
  chunks: [
    chunk(1000, "out", "HELLO\n"),
    chunk(1010, "in", "a\n"),
    chunk(1020, "out", "A\n"),
    chunk(1250, "in", "b\n"),
    chunk(1260, "out", "B\n"),
  ],
};

describe("traffic replay", function () {
  let server;
  afterEach(function () {
    if (server) server.close();
    server = undefined;
  });

  it("client side against a real server: keeps order (waits for the greeting and each answer) and the recorded timing", async function () {
    const seen = [];
    server = net.createServer((s) => {
      s.write("HELLO\n");
      let buf = "";
      s.on("data", (b) => {
        buf += b.toString();
        let i;
        while ((i = buf.indexOf("\n")) !== -1) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          seen.push([line, Date.now()]);
          s.write(line.toUpperCase() + "\n");
        }
      });
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const capture = parseCapture(JSON.parse(JSON.stringify(TRIGGER_CAPTURE)));
    const r = await replayClient(capture, "127.0.0.1", portOf(server));
    assert.strictEqual(r.received.toString(), "HELLO\nA\nB\n");
    assert.strictEqual(r.sent, 4);
    assert.strictEqual(r.short, false);
    assert.deepStrictEqual(
      seen.map((s) => s[0]),
      ["a", "b"],
    );
    const gap = seen[1][1] - seen[0][1];
    assert.ok(gap >= 200, `recorded 240 ms between the lines, replayed ${gap} ms apart`);
  });

  it("server side to a client (a tcp client's capture: the device sent the 'in' chunks), as fast as order allows", async function () {
    const capture = parseCapture({
      direction: "out",
      chunks: [chunk(0, "out", "GET 1\n"), chunk(5000, "in", "VAL 1\n"), chunk(9000, "out", "GET 2\n"), chunk(9999, "in", "VAL 2\n")],
    });
    assert.strictEqual(sideOf(capture, "server"), "in");
    /** @type {{ received: Buffer } | undefined} */
    let done;
    server = serveReplay(capture, { fast: true, onDone: (r) => (done = r) });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const c = await connect(portOf(server));
    let read = "";
    c.on("data", (b) => (read += b.toString()));
    const t0 = Date.now();
    c.write("GET 1\n");
    await waitFor(() => read === "VAL 1\n", "first answer");
    await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(read, "VAL 1\n", "the second answer waits for the second request");
    c.write("GET 2\n");
    await waitFor(() => read === "VAL 1\nVAL 2\n", "second answer");
    assert.ok(Date.now() - t0 < 3000, "fast: the recorded 10 s are not waited");
    await waitFor(() => done !== undefined, "conversation done");
    assert.strictEqual(done?.received.toString(), "GET 1\nGET 2\n");
    c.destroy();
  });

  it("refuses what is no capture, with a reason", function () {
    assert.throws(() => parseCapture({}), /no chunks/);
    assert.throws(() => parseCapture({ chunks: [{ t: 1, dir: "up", data: "" }] }), /chunk 0/);
  });

  it("the CLI as a user runs it: --help, and a missing file or a file with no capture is one line and exit code 2, no stack trace", function () {
    const cli = path.join(DIST, "cli", "replay.js");
    const run = (...args) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
    const help = run("--help");
    assert.strictEqual(help.status, 0);
    assert.match(help.stdout, /^usage: tcp-automation-replay/);
    const missing = run(path.join(os.tmpdir(), "no-such-capture.json"), "--to", "127.0.0.1:9");
    assert.strictEqual(missing.status, 2);
    assert.match(missing.stderr, /ENOENT/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /, "no stack trace");
    const empty = path.join(os.tmpdir(), `tcpa-empty-capture-${process.pid}.json`);
    fs.writeFileSync(empty, "{}");
    try {
      const r = run(empty, "--to", "127.0.0.1:9");
      assert.strictEqual(r.status, 2);
      assert.match(r.stderr, /not a capture/);
    } finally {
      fs.unlinkSync(empty);
    }
  });

  it("CLI arguments: --to host:port or --serve port, never both", function () {
    assert.deepStrictEqual(parseArgs(["c.json", "--to", "10.0.0.5:7000", "--fast"]).to, { host: "10.0.0.5", port: 7000 });
    assert.deepStrictEqual(parseArgs(["c.json", "--to", "[::1]:7000"]).to, { host: "::1", port: 7000 });
    assert.strictEqual(parseArgs(["c.json", "--serve", "9100", "--once"]).serve, 9100);
    assert.throws(() => parseArgs(["c.json"]), /usage/);
    assert.throws(() => parseArgs(["c.json", "--to", "h:1", "--serve", "2"]), /usage/);
    assert.throws(() => parseArgs(["c.json", "--serve", "0"]), /not a port/);
  });

  it("the editor's replay goes to loopback targets only", function () {
    assert.deepStrictEqual(loopbackTarget("127.0.0.1:7000"), { host: "127.0.0.1", port: 7000 });
    assert.deepStrictEqual(loopbackTarget("127.1.2.3:1"), { host: "127.1.2.3", port: 1 });
    assert.deepStrictEqual(loopbackTarget("[::1]:7000"), { host: "::1", port: 7000 });
    assert.deepStrictEqual(loopbackTarget("localhost:7000"), { host: "127.0.0.1", port: 7000 });
    for (const bad of [
      "10.0.0.1:7000",
      "[::ffff:10.0.0.1]:1",
      "127.0.0.1",
      "127.0.0.1:0",
      "127.0.0.1:70000",
      "example.com:80",
      "127.0.0.1.evil.com:80",
      undefined,
      7000,
    ])
      assert.strictEqual(loopbackTarget(bad), null, String(bad));
  });
});
