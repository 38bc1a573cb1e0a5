"use strict";
// Every error a send-to-tcp-port job can end with has its text in the message
// catalog, with every placeholder filled; every configuration problem names a
// property the catalog has a label for.
const assert = require("assert");
const path = require("path");
const { lib } = require("../../helpers");
const { describeSendError } = lib("outbound/send-errors.js");
const { SessionError } = lib("sessions/registry.js");
const { ReplyWriteError } = lib("outbound/reply.js");
const { DestinationError } = lib("outbound/destination.js");
const { PayloadError } = lib("outbound/payload.js");
const { EncodingError } = lib("base/encoding.js");
const { QueueError } = lib("outbound/delivery.js");
const { JobError } = lib("outbound/job.js");
const { parseSendConfig } = lib("outbound/send-config.js");

const catalog = require(path.join(__dirname, "..", "..", "..", "locales", "en-US", "send-to-tcp-port.json"))["send-to-tcp-port"];
const lookup = (key) => key.split(".").reduce((o, k) => (o && typeof o === "object" ? o[k] : undefined), catalog);

describe("send-to-tcp-port error texts", function () {
  const cases = [
    new SessionError("ESESSIONINVALID", "x", { sessionId: "undefined" }),
    new SessionError("ESESSIONUNKNOWN", "x", { sessionId: "0123456789abcdef" }),
    new SessionError("ESESSIONCLOSED", "x", {
      sessionId: "0123456789abcdef",
      peer: "1.2.3.4:5",
      reason: "peer",
      ago: 1500,
      emitsOnClose: true,
    }),
    new SessionError("ESESSIONCLOSED", "x", { sessionId: "0123456789abcdef", peer: "1.2.3.4:5", reason: "peer", ago: 1500 }),
    new SessionError("ESESSIONCLOSED", "x", { sessionId: "0123456789abcdef", peer: "1.2.3.4:5", reason: "admin", ago: 1500 }),
    new ReplyWriteError("EPIPE", "0123456789abcdef", "1.2.3.4:5", new Error("broken pipe")),
    new ReplyWriteError("ETIMEDOUT", "0123456789abcdef", "1.2.3.4:5", new Error("not taken"), 30000),
    ...["no-host", "no-port", "bad-host", "bad-port", "bad-destination"].map((r) => new DestinationError(r, '"x"')),
    ...["undefined", "null", "not-finite", "type", "json"].map((p) => new PayloadError(p, "Map", "detail")),
    new EncodingError("klingon"),
    new QueueError("EQUEUEFULL", "h:1", 5),
    new QueueError("ESTOPPED", "h:1", 5),
    new JobError("ECONNREFUSED", "connect", 3, 120, 0, new Error("connect ECONNREFUSED")),
    new JobError("ECONNRESET", "send", 1, 10, 4096, new Error("read ECONNRESET")),
    new JobError("ESTOPPED", "stopped", 2, 10, 0),
  ];

  it("each error has a catalog text whose placeholders are all filled, and a code", function () {
    const keys = new Set();
    for (const err of cases) {
      const d = describeSendError(err, "10.0.0.5:9100");
      assert.ok(d, `${err.name} ${err.code} is described`);
      assert.strictEqual(d.code, err.code);
      const text = lookup(`errors.${d.key}`);
      assert.strictEqual(typeof text, "string", `errors.${d.key} is in the catalog`);
      for (const [, name] of text.matchAll(/__([a-z]+)__/g))
        assert.ok(name in d.subs && d.subs[name] !== undefined, `${d.key}: __${name}__ filled`);
      keys.add(d.key);
    }
    assert.ok(keys.has("session.ESESSIONCLOSED-peer") && keys.has("session.ESESSIONCLOSED"), "a peer close gets its own hint");
    const hint = (emitsOnClose) =>
      describeSendError(new SessionError("ESESSIONCLOSED", "x", { sessionId: "s", peer: "p", reason: "peer", ago: 1, emitsOnClose }), "")
        .key;
    assert.strictEqual(hint(true), "session.ESESSIONCLOSED-peer", "the disconnect hint for a trigger that emits on disconnect");
    assert.strictEqual(hint(undefined), "session.ESESSIONCLOSED", "no disconnect hint for one that emits per line");
    assert.ok(keys.has("reply-timeout"), "a reply that timed out says the connection was closed");
  });

  it("other errors keep their own text and code", function () {
    assert.strictEqual(describeSendError(new Error("x"), ""), undefined);
  });

  it("every configuration problem names a property with a label", function () {
    const bad = {
      mode: { mode: "x" },
      host: { host: "a b", port: 1 },
      port: { host: "h", port: 0 },
      data: { host: "h:1", dataType: "re" },
      encoding: { host: "h:1", encoding: "klingon" },
      after: { host: "h:1", after: "x" },
      eofTimeout: { host: "h:1", eofTimeout: -1 },
      disconnectDelay: { host: "h:1", disconnectDelay: "x" },
      replyProperty: { host: "h:1", saveReply: true, replyProperty: "1x" },
      replyOutput: { host: "h:1", saveReply: true, replyOutput: "x" },
      connectTimeout: { host: "h:1", connectTimeout: 0 },
      writeTimeout: { host: "h:1", writeTimeout: 0 },
      attempts: { host: "h:1", attempts: 0 },
      retryDelay: { host: "h:1", retryDelay: -1 },
      retryMaxDelay: { host: "h:1", retryMaxDelay: "x" },
      retryWithin: { host: "h:1", retryWithin: "x" },
      concurrency: { host: "h:1", concurrency: 0 },
      maxQueue: { host: "h:1", maxQueue: 0 },
      drainTimeout: { host: "h:1", drainTimeout: 20000 },
    };
    for (const [key, props] of Object.entries(bad)) {
      assert.throws(
        () => parseSendConfig(props),
        (/** @type {any} */ err) => err.key === key,
        `${key} is reported`,
      );
      assert.strictEqual(typeof lookup(`label.${key}`), "string", `label.${key} is in the catalog`);
    }
  });
});
