"use strict";
const assert = require("assert");
const net = require("net");
const { lib, connect, waitFor, readAll } = require("../../helpers");
const { SessionRegistry } = lib("sessions/registry.js");
const { replyToSession } = lib("outbound/reply.js");

describe("reply to a session", function () {
  let server;
  let accepted;
  let reg;
  beforeEach(async function () {
    reg = new SessionRegistry();
    accepted = [];
    server = net.createServer((s) => {
      s.resume();
      accepted.push(reg.add(s, { remoteAddress: "127.0.0.1", remotePort: s.remotePort, localPort: s.localPort, owner: { id: "t", type: "test" }, direction: "in" }));
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
  });
  afterEach(function () {
    accepted.forEach((s) => s.socket.destroy());
    server.close();
  });

  it("writes to the live session, in call order, and closes it when asked", async function () {
    const client = await connect(/** @type {import("net").AddressInfo} */ (server.address()).port);
    const got = readAll(client);
    await waitFor(() => accepted.length === 1, "accept");
    const id = accepted[0].id;
    const results = await Promise.all([
      replyToSession(reg, id, Buffer.from("one "), false, 1000),
      replyToSession(reg, id, Buffer.from("two "), false, 1000),
      replyToSession(reg, id, Buffer.from("three"), true, 1000),
    ]);
    assert.deepStrictEqual(results.map((r) => [r.bytesSent, r.closed]), [[4, false], [4, false], [5, true]]);
    assert.strictEqual(results[0].peer, `127.0.0.1:${client.localPort}`);
    assert.strictEqual((await got).toString(), "one two three");
    await waitFor(() => reg.size === 0, "session removed");
    await assert.rejects(replyToSession(reg, id, Buffer.from("late"), false, 1000), (/** @type {any} */ err) => err.code === "ESESSIONCLOSED" && err.detail.reason === "reply");
  });

  it("no session, or an unknown one, is a SessionError", async function () {
    await assert.rejects(replyToSession(reg, undefined, Buffer.from("x"), false, 1000), { code: "ESESSIONINVALID" });
    await assert.rejects(replyToSession(reg, "0123456789abcdef", Buffer.from("x"), false, 1000), { code: "ESESSIONUNKNOWN" });
  });
});
