"use strict";
// The two framing modes that skip bytes, over real sockets in the real
// runtime: a trigger in Modbus/TCP (MBAP) mode whose flow answers a real
// Modbus/TCP client (modbus-serial), a barcode scanner simulator sending
// STX/ETX frames with noise between them, and the tcp client in request/reply
// MBAP mode against a small Modbus device.
const assert = require("assert");
const ModbusRTU = require("modbus-serial").default;
const functionNode = require("@node-red/nodes/core/function/10-function.js");
const { onTab, helper, nodes, freePort, sleep, waitFor, connect, recorder, portTaken } = require("../helpers");
const { keyed } = require("../helpers/catalog");
const { device } = require("../helpers/device");

const MBAP = { event: "field", fieldStart: "", fieldOffset: "4", headerBytes: "2", endian: "be", fieldCounts: "payload", fieldAdjust: "0" };

/** The Function node's answer to read holding registers: register n holds n * 10. */
const ANSWER_FC3 = `
const req = msg.payload;
if (req[7] !== 3) return null;
const addr = req.readUInt16BE(8), qty = req.readUInt16BE(10);
const res = Buffer.alloc(9 + qty * 2);
req.copy(res, 0, 0, 4);
res.writeUInt16BE(3 + qty * 2, 4);
res[6] = req[6];
res[7] = 3;
res[8] = qty * 2;
for (let i = 0; i < qty; i++) res.writeUInt16BE(((addr + i) * 10) & 0xffff, 9 + i * 2);
msg.payload = res;
return msg;`;

/** A read holding registers request (function 3), as a Modbus/TCP client sends it. */
function fc3(tid, addr, qty, unit = 1) {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(tid, 0);
  b.writeUInt16BE(6, 4);
  b[6] = unit;
  b[7] = 3;
  b.writeUInt16BE(addr, 8);
  b.writeUInt16BE(qty, 10);
  return b;
}

/** Warnings a node gave (the runtime's log, as node.warn writes it). */
function warnings(id) {
  return helper
    .log()
    .args.filter((a) => a[0] && a[0].level === helper.log().WARN && a[0].id === id)
    .map((a) => String(a[0].msg));
}

/** Writes each piece as its own TCP segment (Nagle off, a pause between). */
async function writeApart(socket, pieces) {
  socket.setNoDelay(true);
  for (const p of pieces) {
    socket.write(p);
    await sleep(5);
  }
}

describe("framing modes over real sockets (start/end bytes, length field at an offset)", function () {
  this.timeout(30000);
  const closers = [];
  afterEach(async function () {
    await helper.unload();
    while (closers.length) await closers.pop()();
  });

  it("a trigger in Modbus/TCP (MBAP) mode answers a real Modbus/TCP client, requests back to back", async function () {
    const port = await freePort();
    const flow = onTab([
      Object.assign(
        { id: "trig", type: "tcp-server-trigger", host: "127.0.0.1", port: String(port), output: "buffer", wires: [["fn", "out"]] },
        MBAP,
      ),
      { id: "fn", type: "function", func: ANSWER_FC3, outputs: 1, wires: [["answer"]] },
      { id: "answer", type: "send-to-tcp-port", mode: "reply", data: "payload", dataType: "msg", wires: [] },
      { id: "out", type: "helper" },
    ]);
    await helper.load([nodes.manager, nodes.trigger, nodes.send, functionNode], flow);
    await waitFor(() => portTaken(port), `listener on ${port}`);
    const out = recorder(helper.getNode("out"));

    const client = new ModbusRTU();
    closers.push(() => new Promise((r) => client.close(() => r(undefined))));
    await client.connectTCP("127.0.0.1", { port });
    client.setID(1);
    client.setTimeout(5000);
    const one = await client.readHoldingRegisters(0, 3);
    assert.deepStrictEqual(one.data, [0, 10, 20]);
    // Back to back: each request written as soon as the last reply came, 20 times.
    for (let i = 1; i <= 20; i++) {
      const r = await client.readHoldingRegisters(i * 5, 2);
      assert.deepStrictEqual(r.data, [i * 50, i * 50 + 10], `request ${i}`);
    }
    // Ten at once: the client writes them without waiting, the replies come back by transaction id.
    const many = await Promise.all(Array.from({ length: 10 }, (_, i) => client.readHoldingRegisters(200 + i, 1)));
    assert.deepStrictEqual(
      many.map((r) => r.data[0]),
      Array.from({ length: 10 }, (_, i) => (200 + i) * 10),
    );
    assert.strictEqual(out.msgs.length, 31, "one message per request");
    assert.ok(Buffer.isBuffer(out.msgs[0].payload) && out.msgs[0].payload.length === 12, "the whole MBAP frame, header included");

    // Three requests in one TCP segment, then one cut into three segments: the same four frames, each answered on its own.
    const raw = await connect(port);
    const got = [];
    raw.on("data", (c) => got.push(c));
    raw.write(Buffer.concat([fc3(0x101, 1, 1), fc3(0x102, 2, 2), fc3(0x103, 3, 3)]));
    const cut = fc3(0x104, 100, 1);
    await writeApart(raw, [cut.subarray(0, 3), cut.subarray(3, 7), cut.subarray(7)]);
    await waitFor(() => Buffer.concat(got).length >= 11 + 13 + 15 + 11, "four replies");
    const replies = Buffer.concat(got);
    assert.deepStrictEqual(
      replies.toString("hex"),
      ["010100000005010302000a", "01020000000701030400140" + "01e", "010300000009010306001e00280032", "010400000005010302" + "03e8"].join(
        "",
      ),
    );
    raw.destroy();
  });

  it("a barcode scanner simulator: STX/ETX frames with noise between them, cut anywhere, give the codes; the noise is one warning per read", async function () {
    const port = await freePort();
    const flow = onTab([
      {
        id: "trig",
        type: "tcp-server-trigger",
        host: "127.0.0.1",
        port: String(port),
        event: "startend",
        startBytes: "\\x02",
        endBytes: "\\x03",
        escapeByte: "",
        keepStartEnd: false,
        output: "string",
        wires: [["out"]],
      },
      { id: "out", type: "helper" },
    ]);
    await helper.load([nodes.manager, keyed(nodes.trigger)], flow);
    await waitFor(() => portTaken(port), `listener on ${port}`);
    const out = recorder(helper.getNode("out"));

    const codes = Array.from({ length: 30 }, (_, i) => `40012345${String(i).padStart(5, "0")}`);
    let stream = "";
    let noise = 0;
    for (const [i, code] of codes.entries()) {
      const junk = i % 3 === 0 ? "\r\n" : i % 3 === 1 ? "\x00\x00noise" : "";
      noise += junk.length;
      stream += `${junk}\x02${code}\x03`;
    }
    // A frame cut off by a new start (the scanner restarted mid-code): its bytes are skipped too.
    stream += "\x021234\x02LAST\x03";
    noise += 5;
    const bytes = Buffer.from(stream, "latin1");
    const scanner = await connect(port);
    const pieces = [];
    for (let at = 0; at < bytes.length;) {
      const n = 1 + ((at * 7) % 23);
      pieces.push(bytes.subarray(at, at + n));
      at += n;
    }
    await writeApart(scanner, pieces);
    const msgs = await out.until(31);
    assert.deepStrictEqual(
      msgs.map((m) => m.payload),
      [...codes, "LAST"],
    );
    await waitFor(() => warnings("trig").length > 0, "a warning about the skipped bytes");
    const counted = warnings("trig").map((w) => {
      const m = /^(?:[\w-]+\.)?warn\.skipped (\{.*\})$/.exec(w);
      assert.ok(m, `a skipped-bytes warning: ${w}`);
      return JSON.parse(m[1]).count;
    });
    assert.strictEqual(
      counted.reduce((a, b) => a + b, 0),
      noise,
      "every skipped byte is counted once",
    );
    assert.ok(counted.length < noise, "fewer warnings than skipped bytes");
    scanner.destroy();
  });

  it("the tcp client in request/reply MBAP mode against a small Modbus device that answers in pieces", async function () {
    let pending = Buffer.alloc(0);
    const dev = await device({
      onData: (c, chunk) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 6 && pending.length >= 6 + pending.readUInt16BE(4)) {
          const req = pending.subarray(0, 6 + pending.readUInt16BE(4));
          pending = pending.subarray(req.length);
          const qty = req.readUInt16BE(10);
          const res = Buffer.alloc(9 + qty * 2);
          req.copy(res, 0, 0, 4);
          res.writeUInt16BE(3 + qty * 2, 4);
          res[6] = req[6];
          res[7] = 3;
          res[8] = qty * 2;
          for (let i = 0; i < qty; i++) res.writeUInt16BE(1000 + req.readUInt16BE(8) + i, 9 + i * 2);
          // The header first, the rest a moment later: the reply is one frame all the same.
          c.socket.write(res.subarray(0, 5));
          setTimeout(() => c.socket.write(res.subarray(5)), 10);
        }
      },
    });
    closers.push(() => dev.close());
    const flow = onTab([
      Object.assign(
        {
          id: "cl",
          type: "tcp-client-link",
          host: "127.0.0.1",
          port: String(dev.port),
          mode: "request",
          replyTimeout: "5000",
          output: "buffer",
          backoffFirst: 50,
          backoffLongest: 200,
          wires: [["out"]],
        },
        MBAP,
      ),
      { id: "out", type: "helper" },
    ]);
    await helper.load([nodes.manager, nodes.client], flow);
    const out = recorder(helper.getNode("out"));
    const cl = helper.getNode("cl");
    for (let i = 0; i < 10; i++) cl.receive({ payload: fc3(i + 1, i * 4, 2), n: i });
    const msgs = await out.until(10);
    for (const m of msgs) {
      const r = m.payload;
      assert.ok(Buffer.isBuffer(r), "the reply is a Buffer");
      assert.strictEqual(r.readUInt16BE(0), m.n + 1, "the reply carries its request's transaction id");
      assert.deepStrictEqual([r.readUInt16BE(9), r.readUInt16BE(11)], [1000 + m.n * 4, 1001 + m.n * 4]);
    }
  });

  it("a bridge frames what its peer sends between start and end bytes, DLE-escaped, and warns about the noise", async function () {
    const port = await freePort();
    const flow = onTab([
      {
        id: "br",
        type: "tcp-server-client-bridge",
        host: "127.0.0.1",
        port: String(port),
        peerHost: "127.0.0.1",
        peerPort: String(await freePort()),
        eventBytes: 100,
        holdOff: "0.2",
        event: "startend",
        startBytes: "\\x02",
        endBytes: "\\x03",
        escapeByte: "\\x10",
        keepStartEnd: false,
        output: "buffer",
        wires: [["out"]],
      },
      { id: "out", type: "helper" },
    ]);
    await helper.load([nodes.manager, keyed(nodes.bridge)], flow);
    await waitFor(() => portTaken(port), `bridge listening on ${port}`);
    const out = recorder(helper.getNode("out"));
    const peer = await connect(port);
    // Noise, a frame holding an escaped STX, ETX and DLE, noise, an empty frame.
    await writeApart(peer, [
      Buffer.from([0x55, 0x02, 0x41, 0x10]),
      Buffer.from([0x02, 0x10, 0x03, 0x10, 0x10, 0x03, 0x66, 0x67]),
      Buffer.from([0x02, 0x03]),
    ]);
    const msgs = await out.until(2);
    assert.deepStrictEqual(
      msgs.map((m) => m.payload.toString("hex")),
      ["41020310", ""],
    );
    // One warning per read that skipped bytes ([1, 2] when the three writes arrive as three reads).
    const counts = () => warnings("br").map((w) => JSON.parse(w.slice(w.indexOf("{"))).count);
    await waitFor(() => counts().reduce((a, b) => a + b, 0) === 3, "warnings counting the 3 skipped bytes");
    assert.ok(counts().length <= 2, `at most one warning per read: ${counts()}`);
    peer.destroy();
  });

  it("a trigger in IEC 104 mode skips bytes before 0x68 and keeps going", async function () {
    const port = await freePort();
    const flow = onTab([
      Object.assign(
        { id: "trig", type: "tcp-server-trigger", host: "127.0.0.1", port: String(port), output: "buffer", wires: [["out"]] },
        { event: "field", fieldStart: "\\x68", fieldOffset: "1", headerBytes: "1", endian: "be", fieldCounts: "payload", fieldAdjust: "0" },
      ),
      { id: "out", type: "helper" },
    ]);
    await helper.load([nodes.manager, keyed(nodes.trigger)], flow);
    await waitFor(() => portTaken(port), `listener on ${port}`);
    const out = recorder(helper.getNode("out"));
    const s = await connect(port);
    // STARTDT act, two bytes of noise, TESTFR act.
    s.write(Buffer.from([0x68, 4, 7, 0, 0, 0, 0xaa, 0xbb, 0x68, 4, 0x43, 0, 0, 0]));
    const msgs = await out.until(2);
    assert.deepStrictEqual(
      msgs.map((m) => m.payload.toString("hex")),
      ["680407000000", "680443000000"],
    );
    await waitFor(() => warnings("trig").length === 1, "one warning for the read that skipped bytes");
    assert.match(warnings("trig")[0], /"count":2/);
    s.destroy();
  });
});
