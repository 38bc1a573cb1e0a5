"use strict";
const assert = require("assert");
const { lib } = require("../../helpers");
const { parseSendConfig, replyPath } = lib("outbound/send-config.js");

function configKey(props) {
  try {
    parseSendConfig(props);
    return "ok";
  } catch (err) {
    assert.strictEqual(err.name, "ConfigError");
    return err.key;
  }
}

describe("send-to-tcp-port configuration", function () {
  it("defaults: send msg.payload, close at once, one connection per destination, retries bounded", function () {
    const c = parseSendConfig({ host: "10.0.0.5", port: "9100" });
    assert.strictEqual(c.mode, "send");
    assert.deepStrictEqual(c.host, { type: "str", value: "10.0.0.5" });
    assert.deepStrictEqual(c.port, { type: "num", value: "9100" });
    assert.deepStrictEqual(c.data, { type: "msg", value: "payload" });
    assert.strictEqual(c.encoding, "auto");
    assert.strictEqual(c.job.after, "close");
    assert.strictEqual(c.job.captureReply, false);
    assert.strictEqual(c.reply, undefined);
    assert.strictEqual(c.concurrency, 1);
    assert.strictEqual(c.maxQueue, 10000);
    assert.strictEqual(c.job.attempts, 10);
    assert.strictEqual(c.job.retryWithinMs, 30000);
    assert.ok(c.drainMs < 15000);
  });

  it("an empty Host means: from the message", function () {
    const c = parseSendConfig({ host: "", port: "" });
    assert.strictEqual(c.host, undefined);
    assert.strictEqual(c.port, undefined);
    assert.deepStrictEqual(parseSendConfig({ host: "printer", hostType: "msg" }).host, { type: "msg", value: "printer" });
  });

  it("a fixed host needs a port: in the host text or in Port (a trigger's msg.port is the client's)", function () {
    assert.strictEqual(configKey({ host: "10.0.0.5" }), "port");
    assert.strictEqual(configKey({ host: "10.0.0.5:9100" }), "ok");
    assert.strictEqual(configKey({ host: "[::1]:9100" }), "ok");
    assert.strictEqual(configKey({ host: "printer", hostType: "msg" }), "ok");
  });

  it("rejects what cannot work, naming the property", function () {
    assert.strictEqual(configKey({ host: "bad host", port: 1 }), "host");
    assert.strictEqual(configKey({ host: "h", port: 70000 }), "port");
    assert.strictEqual(configKey({ host: "h", port: 1, portType: "jsonata" }), "port");
    assert.strictEqual(configKey({ host: "h:1", mode: "multicast" }), "mode");
    assert.strictEqual(configKey({ mode: "broadcast", targets: "node", targetNode: " " }), "targetNode");
    assert.strictEqual(configKey({ mode: "broadcast", targets: "address", targetAddresses: "" }), "targetAddresses");
    assert.strictEqual(configKey({ mode: "broadcast", targets: "address", targetAddresses: "10.0.0.0/33" }), "targetAddresses");
    assert.strictEqual(configKey({ mode: "broadcast", targets: "port", targetPort: "0" }), "targetPort");
    assert.strictEqual(configKey({ mode: "broadcast", targets: "everyone" }), "targets");
    assert.strictEqual(configKey({ mode: "broadcast", slowClients: "wait" }), "slowClients");
    assert.strictEqual(configKey({ mode: "broadcast" }), "ok");
    assert.strictEqual(configKey({ host: "h:1", after: "never" }), "after");
    assert.strictEqual(configKey({ host: "h:1", encoding: "klingon" }), "encoding");
    assert.strictEqual(configKey({ host: "h:1", dataType: "re" }), "data");
    assert.strictEqual(configKey({ host: "h:1", attempts: 0 }), "attempts");
    assert.strictEqual(configKey({ host: "h:1", concurrency: "1.5" }), "concurrency");
    assert.strictEqual(configKey({ host: "h:1", drainTimeout: 15000 }), "drainTimeout");
    assert.strictEqual(configKey({ host: "h:1", saveReply: true, replyProperty: "a..b" }), "replyProperty");
  });

  it("reply to sender ignores the destination fields", function () {
    const c = parseSendConfig({ mode: "reply", host: "bad host", port: 70000, closeAfterReply: "true" });
    assert.strictEqual(c.mode, "reply");
    assert.strictEqual(c.host, undefined);
    assert.strictEqual(c.closeAfterReply, true);
  });

  it("reply ends with: escapes become bytes for the waiting modes; a bad escape is named; close at once ignores it", function () {
    assert.deepStrictEqual(parseSendConfig({ host: "h:1", after: "delay", replyEnd: "\\r\\n" }).job.replyEnd, Buffer.from("\r\n"));
    assert.deepStrictEqual(parseSendConfig({ host: "h:1", after: "eof", replyEnd: "\\x03" }).job.replyEnd, Buffer.from([3]));
    assert.strictEqual(parseSendConfig({ host: "h:1", after: "delay", replyEnd: "" }).job.replyEnd, undefined);
    assert.strictEqual(parseSendConfig({ host: "h:1", after: "close", replyEnd: "\\q" }).job.replyEnd, undefined);
    assert.strictEqual(configKey({ host: "h:1", after: "delay", replyEnd: "\\q" }), "replyEnd");
  });

  it("save reply: a msg property path, with or without msg.", function () {
    const c = parseSendConfig({ host: "h:1", saveReply: true, replyProperty: "msg.printer.status", replyOutput: "buffer" });
    assert.deepStrictEqual(c.reply, { property: "printer.status", output: "buffer" });
    assert.strictEqual(c.job.captureReply, true);
    assert.strictEqual(replyPath("items[0].reply"), "items[0].reply");
  });
});
