"use strict";
// The test plumbing's own promises, where a test elsewhere depends on them to mean what it says.
const assert = require("assert");
const net = require("net");
const { refusedPort, connect, freePort } = require("./helpers");
const { FREE_PORT_RANGE } = require("../scripts/lib/free-port");

describe("test helpers", function () {
  it("refusedPort(): every connection is refused, and no listener can be given the port", async function () {
    const port = await refusedPort();
    for (let i = 0; i < 3; i++) {
      const err = await new Promise((resolve) => {
        const s = net.connect({ port, host: "127.0.0.1" }, () => (s.destroy(), resolve(undefined)));
        s.once("error", resolve);
      });
      assert.strictEqual(err && err.code, "ECONNREFUSED");
    }
    const bindErr = await new Promise((resolve) => {
      const s = net.createServer();
      s.once("error", resolve);
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(undefined)));
    });
    assert.strictEqual(bindErr && bindErr.code, "EADDRINUSE");
    // Many listeners on port 0 afterwards: none is given it.
    const servers = [];
    for (let i = 0; i < 200; i++) {
      const s = net.createServer();
      await new Promise((r) => s.listen(0, "127.0.0.1", () => r(undefined)));
      servers.push(s);
    }
    try {
      assert.ok(!servers.some((s) => /** @type {net.AddressInfo} */ (s.address()).port === port));
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
    await assert.rejects(connect(port, "127.0.0.1", 100), { code: "ECONNREFUSED" });
  });

  it("freePort(): below the ports the system hands out itself, never the same one twice, and free", async function () {
    const [low, high] = FREE_PORT_RANGE;
    const ports = [];
    for (let i = 0; i < 300; i++) ports.push(await freePort());
    assert.strictEqual(new Set(ports).size, ports.length, "no port twice");
    assert.ok(
      ports.every((p) => p >= low && p <= high),
      `all in ${low}-${high}`,
    );
    // The system's own choices (listen on port 0) are never below the range's end.
    const s = net.createServer();
    await new Promise((r) => s.listen(0, "127.0.0.1", () => r(undefined)));
    const own = /** @type {net.AddressInfo} */ (s.address()).port;
    await new Promise((r) => s.close(r));
    assert.ok(own > high, `the system chose ${own}`);
  });
});
