"use strict";
const assert = require("assert");
const { split } = require("../../helpers/split");
const { prng } = require("../../../scripts/lib/prng");
const fc = require("fast-check");
const { lib } = require("../../helpers");
const { Ring, CHUNK_COST, Capture, TrafficStore, CAPTURE_OVERHEAD, toText2pcap } = lib("traffic/index.js");
const { createFramer } = lib("inbound/framing.js");
const { SessionRegistry } = lib("sessions/registry.js");
const net = require("net");
const { connect, waitFor } = require("../../helpers");
const { parseText2pcap } = require("../../helpers/text2pcap");

const B = (s) => Buffer.from(s, "latin1");
const info = (session) => ({ session, peer: "127.0.0.1:5000", owner: { id: "n1", type: "t", name: "" }, localPort: 7000, direction: "in" });

/** Stream offsets just past each frame, as the framer's frameEnd says while it emits. */
function frameEnds(mode, chunks) {
  const f = createFramer(mode, 1 << 20);
  const ends = [];
  let base = 0;
  for (const c of chunks) {
    f.push(B(c), () => ends.push(base + f.frameEnd));
    base += c.length;
  }
  return ends;
}

describe("traffic capture", function () {
  describe("ring", function () {
    it("keeps the last bytes of a direction within its limit, bookkeeping counted", function () {
      const r = new Ring(CHUNK_COST * 4 + 20);
      for (let i = 0; i < 10; i++) r.push(B(`chunk${i}`), i, i);
      assert.ok(r.cost <= r.limit);
      const kept = r.list();
      assert.deepStrictEqual(
        kept.map((c) => c.data.toString()),
        ["chunk7", "chunk8", "chunk9"],
      );
      assert.strictEqual(r.total, 60);
      assert.strictEqual(r.start, 42);
      assert.deepStrictEqual(
        kept.map((c) => c.off),
        [42, 48, 54],
      );
    });

    it("a chunk larger than the limit keeps only its last bytes; one-byte chunks cannot grow the list past it", function () {
      const r = new Ring(CHUNK_COST + 8);
      r.push(B("0123456789abcdef"), 1, 1);
      assert.deepStrictEqual(
        r.list().map((c) => [c.off, c.data.toString()]),
        [[8, "89abcdef"]],
      );
      const tiny = new Ring(4096);
      for (let i = 0; i < 100000; i++) tiny.push(B("x"), i, i);
      assert.strictEqual(tiny.list().length, Math.floor(4096 / (CHUNK_COST + 1)));
      assert.ok(tiny.cost <= 4096);
    });

    it("written round its one buffer: after every push of random sizes, the kept chunks are the stream's unbroken tail, byte for byte", function () {
      const rnd = prng(20261202);
      const r = new Ring(CHUNK_COST * 3 + 1000);
      const stream = [];
      for (let i = 0; i < 3000; i++) {
        const n = 1 + Math.floor(rnd() * (rnd() < 0.1 ? 3000 : 300));
        const chunk = Buffer.alloc(n);
        for (let k = 0; k < n; k++) chunk[k] = Math.floor(rnd() * 256);
        stream.push(chunk);
        r.push(chunk, i, i);
        assert.ok(r.cost <= r.limit, `cost ${r.cost} within ${r.limit}`);
        const kept = r.list();
        let at = r.start;
        for (const c of kept) {
          assert.strictEqual(c.off, at, "no gap between kept chunks");
          at += c.data.length;
        }
        assert.strictEqual(at, r.total, "the kept chunks end at the stream's end");
      }
      const all = Buffer.concat(stream);
      assert.ok(Buffer.concat(r.list().map((c) => c.data)).equals(all.subarray(r.start)), "the bytes are the stream's");
    });

    it("copies the bytes: changing the source afterwards changes nothing kept", function () {
      const r = new Ring(4096);
      const src = B("abc");
      r.push(src, 0, 0);
      src[0] = 0x7a;
      assert.strictEqual(r.list()[0].data.toString(), "abc");
    });
  });

  describe("store budget", function () {
    it("refuses new captures when the manager's budget is used up, and says how many", function () {
      const perDirection = 1024;
      const per = 2 * perDirection + CAPTURE_OVERHEAD;
      const store = new TrafficStore({ perDirection, budget: per * 3, keepClosed: 0 });
      const caps = [1, 2, 3, 4, 5].map((i) => store.open(info(`s${i}`)));
      assert.strictEqual(caps.filter(Boolean).length, 3);
      assert.strictEqual(store.refused, 2);
      assert.strictEqual(store.used, per * 3);
      store.ended(caps[0], "peer");
      assert.ok(store.open(info("s6")), "a closed one (not kept) gives its share back");
    });

    it("keeps the last closed captures, and forgets the oldest closed one before refusing a new connection", function () {
      const perDirection = 1024;
      const per = 2 * perDirection + CAPTURE_OVERHEAD;
      const store = new TrafficStore({ perDirection, budget: per * 3, keepClosed: 2 });
      const a = store.open(info("a"));
      const b = store.open(info("b"));
      const c = store.open(info("c"));
      for (const x of [a, b, c]) store.ended(x, "peer");
      assert.deepStrictEqual(store.closedIds(), ["b", "c"]);
      assert.strictEqual(store.get("c").closed.reason, "peer");
      assert.ok(store.open(info("d")) && store.open(info("e")));
      assert.deepStrictEqual(store.closedIds(), ["c"]);
      assert.strictEqual(store.used, per * 3);
    });

    it("10 000 connections stay within the budget", function () {
      const store = new TrafficStore({ perDirection: 8192, budget: 32 * 1024 * 1024, keepClosed: 32 });
      let captured = 0;
      for (let i = 0; i < 10000; i++) if (store.open(info(`s${i}`))) captured++;
      assert.strictEqual(captured, Math.floor((32 * 1024 * 1024) / store.perCapture));
      assert.ok(store.used <= 32 * 1024 * 1024);
      assert.strictEqual(store.refused, 10000 - captured);
    });
  });

  describe("frame ends (the framers' frameEnd)", function () {
    const cases = {
      "line lf": [{ kind: "line", eol: "lf" }, "ab\ncd\n\nxyz\n", [3, 6, 7, 11]],
      "line crlf": [{ kind: "line", eol: "crlf" }, "ab\r\ncd\n", [4, 7]],
      "line any": [{ kind: "line", eol: "any" }, "ab\r\n\r\ncd\rx", [3, 9]],
      "delimiter strip": [{ kind: "delimiter", delimiter: B("<E>"), keep: false }, "a<E>bb<E>c", [4, 9]],
      count: [{ kind: "count", count: 3 }, "abcdefgh", [3, 6]],
      "length 2": [{ kind: "length", headerBytes: 2, littleEndian: false, keepHeader: false }, "\0\x02ab\0\x01c\0\x05ab", [4, 7]],
      startend: [
        { kind: "startend", start: B("\x02"), end: B("\x03"), keep: false, escape: 0x1b },
        "zz\x02a\x1b\x03b\x03q\x02c\x03",
        [8, 12],
      ],
      field: [
        { kind: "field", offset: 1, fieldBytes: 1, littleEndian: false, counts: "payload", adjust: 0, start: B("") },
        "x\x02abx\x01c",
        [4, 7],
      ],
    };
    for (const [name, [mode, text, ends]] of Object.entries(cases)) {
      it(`${name}: just past each frame, wherever the reads split the stream`, function () {
        assert.deepStrictEqual(frameEnds(mode, [text]), ends);
        fc.assert(
          fc.property(fc.array(fc.nat(), { maxLength: 6 }), (cuts) => {
            assert.deepStrictEqual(frameEnds(mode, split(/** @type {string} */ (text), cuts)), ends);
          }),
          { numRuns: 200 },
        );
      });
    }

    it("a capture keeps frame ends only while their bytes are kept", function () {
      const c = new Capture(info("s"), CHUNK_COST + 8);
      c.received(B("ab\n"));
      c.frameEnd(0);
      assert.deepStrictEqual(c.view().frames, [3]);
      c.received(B("cdefghij\n"));
      c.frameEnd(0);
      assert.deepStrictEqual(c.view().frames, [12]);
      assert.strictEqual(c.view().truncated, true);
    });
  });

  describe("tap (registry)", function () {
    let server;
    let accepted;
    beforeEach(async function () {
      accepted = [];
      server = net.createServer((sock) => accepted.push(sock));
      await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
    });
    afterEach(function () {
      accepted.forEach((sock) => sock.destroy());
      server.close();
    });
    const port = () => /** @type {import("net").AddressInfo} */ (server.address()).port;
    const meta = (sock, traffic) => ({
      remoteAddress: "127.0.0.1",
      remotePort: sock.remotePort,
      localPort: sock.localPort,
      owner: { id: "n1", type: "test", traffic },
      direction: "in",
    });

    it("off: the socket is left as it was (no listener, no own write, no capture)", async function () {
      const reg = new SessionRegistry();
      await connect(port());
      await waitFor(() => accepted.length === 1, "accept");
      const sock = accepted[0];
      const before = { data: sock.listenerCount("data"), error: sock.listenerCount("error") };
      const s = reg.add(sock, meta(sock, false));
      assert.strictEqual(s.traffic, undefined);
      assert.strictEqual(Object.prototype.hasOwnProperty.call(sock, "write"), false);
      assert.deepStrictEqual({ data: sock.listenerCount("data"), error: sock.listenerCount("error") }, before);
      assert.strictEqual(reg.traffic.used, 0);
    });

    it("on: what the peer sent and what we wrote (Buffer or string with its encoding), then why it closed", async function () {
      const reg = new SessionRegistry();
      const c = await connect(port());
      await waitFor(() => accepted.length === 1, "accept");
      const sock = accepted[0];
      const s = reg.add(sock, meta(sock, true));
      sock.write(Buffer.from("hi\r\n"));
      sock.write("c3a9", "hex");
      c.write("ping\n");
      await waitFor(() => s.traffic.in.total === 5, "inbound captured");
      reg.close(s.id, "admin");
      await waitFor(() => s.traffic.closed !== null, "closed");
      const v = reg.traffic.get(s.id).view();
      assert.deepStrictEqual(
        v.chunks.map((ch) => [ch.dir, ch.data.toString("hex")]),
        [
          ["out", Buffer.from("hi\r\n").toString("hex")],
          ["out", "c3a9"],
          ["in", Buffer.from("ping\n").toString("hex")],
        ],
      );
      assert.strictEqual(v.closed.reason, "admin");
      c.destroy();
    });

    it("a 300 MB flood with no delimiter: the capture stays within its bound", function () {
      const c = new Capture(info("flood"), 8192);
      const chunk = Buffer.alloc(65536, 0x41);
      for (let i = 0; i < (300 * 1048576) / 65536; i++) c.received(chunk);
      assert.ok(c.in.cost <= 8192);
      assert.strictEqual(c.in.total, 300 * 1048576);
      const kept = c.view().chunks.reduce((n, ch) => n + ch.data.length, 0);
      assert.ok(kept > 0 && kept <= 8192, `${kept} bytes kept`);
    });
  });

  describe("text2pcap", function () {
    it("one packet per chunk: direction, UTC time with microseconds, offset lines of 16 bytes; parses back to the same bytes", function () {
      let t = Date.UTC(2026, 11, 2, 18, 7, 30, 123);
      const c = new Capture(info("s1"), 8192, () => t++);
      const big = Buffer.from(Array.from({ length: 40 }, (_, i) => i * 7));
      c.received(B("hello\r\n"));
      c.sent(B("ok\n"));
      c.received(big);
      c.close("peer");
      const text = toText2pcap(c.view());
      const lines = text.split("\n");
      assert.ok(lines.includes("I 2026-12-02T18:07:30.123000"), text);
      assert.ok(lines.includes("000000 68 65 6c 6c 6f 0d 0a"), text);
      assert.ok(lines.includes("O 2026-12-02T18:07:30.124000"), text);
      assert.ok(lines.includes("000010 " + [...big.subarray(16, 32)].map((b) => b.toString(16).padStart(2, "0")).join(" ")), text);
      assert.ok(lines.includes("# closed: peer"));
      assert.match(text, /# convert: TZ=UTC text2pcap -D -t "%Y-%m-%dT%H:%M:%S\.%f" -T 5000,7000 /);
      assert.ok(lines.includes("000028"), "the end offset of the 40-byte chunk");
      const packets = parseText2pcap(text);
      assert.deepStrictEqual(
        packets.map((p) => [p.dir, p.bytes.toString("hex")]),
        [
          ["I", B("hello\r\n").toString("hex")],
          ["O", B("ok\n").toString("hex")],
          ["I", big.toString("hex")],
        ],
      );
    });

    it("nothing a peer sends can start a line of its own (no newline reaches a comment)", function () {
      const c = new Capture({ ...info("s\n000000 41"), peer: "x\nI 2026" }, 8192);
      c.close("error\nO x");
      for (const line of toText2pcap(c.view()).split("\n")) if (line !== "") assert.match(line, /^# /);
    });
  });
});
