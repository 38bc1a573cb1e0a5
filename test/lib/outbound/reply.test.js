"use strict";
const assert = require("assert");
const net = require("net");
const { lib, connect, waitFor, readAll } = require("../../helpers");
const { SessionRegistry } = lib("sessions/registry.js");
const { writeReplyFast, PendingReply, replyResult } = lib("outbound/reply.js");

/**
 * One reply through the API the send node uses: writeReplyFast, and PendingReply.wait when the reply queued
 * behind a slow peer. Resolves with what msg.tcp says (ReplyResult), rejects with the error the node reports.
 */
function reply(reg, id, data, closeAfter, timeoutMs) {
  return new Promise((resolve, reject) => {
    const r = writeReplyFast(reg, id, data, closeAfter);
    if (r instanceof PendingReply) r.wait(timeoutMs, (err, res) => (err ? reject(err) : resolve(res)));
    else if (r instanceof Error) reject(r);
    else resolve(replyResult(r, data.length, closeAfter));
  });
}

describe("reply to a session", function () {
  let server;
  let accepted;
  let reg;
  beforeEach(async function () {
    reg = new SessionRegistry();
    accepted = [];
    server = net.createServer((s) => {
      s.resume();
      accepted.push(
        reg.add(s, {
          remoteAddress: "127.0.0.1",
          remotePort: s.remotePort,
          localPort: s.localPort,
          owner: { id: "t", type: "test" },
          direction: "in",
        }),
      );
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
      reply(reg, id, Buffer.from("one "), false, 1000),
      reply(reg, id, Buffer.from("two "), false, 1000),
      reply(reg, id, Buffer.from("three"), true, 1000),
    ]);
    assert.deepStrictEqual(
      results.map((r) => [r.bytesSent, r.closed]),
      [
        [4, false],
        [4, false],
        [5, true],
      ],
    );
    assert.strictEqual(results[0].peer, `127.0.0.1:${client.localPort}`);
    assert.strictEqual((await got).toString(), "one two three");
    await waitFor(() => reg.size === 0, "session removed");
    await assert.rejects(
      reply(reg, id, Buffer.from("late"), false, 1000),
      (/** @type {any} */ err) => err.code === "ESESSIONCLOSED" && err.detail.reason === "reply",
    );
  });

  it("no session, or an unknown one, is a SessionError", async function () {
    await assert.rejects(reply(reg, undefined, Buffer.from("x"), false, 1000), { code: "ESESSIONINVALID" });
    await assert.rejects(reply(reg, "0123456789abcdef", Buffer.from("x"), false, 1000), { code: "ESESSIONUNKNOWN" });
  });
});
