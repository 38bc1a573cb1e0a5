"use strict";
const assert = require("assert");
const net = require("net");
const { lib, connect, waitFor } = require("../../helpers");
const { SessionRegistry } = lib("sessions/registry.js");

describe("session registry", function () {
  let server;
  let accepted;
  beforeEach(async function () {
    accepted = [];
    // resume(): a paused socket never reads the FIN, so it would never close.
    server = net.createServer((s) => accepted.push(s.resume()));
    await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
  });
  afterEach(function () {
    accepted.forEach((s) => s.destroy());
    server.close();
  });

  const owner = { id: "n1", type: "test" };
  const meta = (s) => ({ remoteAddress: "127.0.0.1", remotePort: s.remotePort, localPort: s.localPort, owner, direction: "in" });

  it("an entry lives exactly as long as its socket", async function () {
    const reg = new SessionRegistry();
    const client = await connect(/** @type {import("net").AddressInfo} */ (server.address()).port);
    await waitFor(() => accepted.length === 1, "accept");
    const s = reg.add(accepted[0], meta(accepted[0]));
    assert.strictEqual(reg.size, 1);
    assert.strictEqual(reg.lookup(s.id), s);
    client.write("12345");
    await waitFor(() => reg.list()[0].bytesIn === 5, "bytes in counted");
    client.destroy();
    await waitFor(() => reg.size === 0, "removal on close");
    const gone = reg.lookup(s.id);
    assert.strictEqual(gone.code, "ESESSIONCLOSED");
    assert.strictEqual(gone.detail.reason, "peer");
    assert.match(gone.message, /closed .* s ago: peer/);
  });

  it("close() records the reason it was closed for", async function () {
    const reg = new SessionRegistry();
    await connect(/** @type {import("net").AddressInfo} */ (server.address()).port);
    await waitFor(() => accepted.length === 1, "accept");
    const s = reg.add(accepted[0], meta(accepted[0]));
    assert.strictEqual(reg.close(s.id, "admin"), true);
    await waitFor(() => reg.size === 0, "removal");
    assert.strictEqual(reg.lookup(s.id).detail.reason, "admin");
    assert.strictEqual(reg.close(s.id, "admin"), false);
  });

  it("unknown and malformed ids give distinct errors", function () {
    const reg = new SessionRegistry();
    assert.strictEqual(reg.lookup("0123456789abcdef").code, "ESESSIONUNKNOWN");
    assert.strictEqual(reg.lookup(undefined).code, "ESESSIONINVALID");
    assert.strictEqual(reg.lookup(42).code, "ESESSIONINVALID");
  });

  it("remembers only a bounded number of closed sessions", async function () {
    const reg = new SessionRegistry(3);
    const ids = [];
    for (let i = 0; i < 5; i++) {
      await connect(/** @type {import("net").AddressInfo} */ (server.address()).port);
      await waitFor(() => accepted.length === i + 1, "accept");
      ids.push(reg.add(accepted[i], meta(accepted[i])).id);
      reg.close(ids[i], "admin");
      await waitFor(() => reg.size === 0, "removal");
    }
    assert.strictEqual(reg.lookup(ids[0]).code, "ESESSIONUNKNOWN");
    assert.strictEqual(reg.lookup(ids[4]).code, "ESESSIONCLOSED");
  });
});
