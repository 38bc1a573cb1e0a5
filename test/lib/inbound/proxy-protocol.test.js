"use strict";
const assert = require("assert");
const fc = require("fast-check");
const { lib } = require("../../helpers");
const { ProxyHeaderParser, ProxyHeaderError, proxyHeaderV1, MAX_V1_LENGTH, MAX_V2_LENGTH } = lib("inbound/proxy-protocol.js");

const SIG = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

function v2(cmd, fam, body) {
  const h = Buffer.alloc(16);
  SIG.copy(h);
  h[12] = 0x20 | cmd;
  h[13] = fam;
  h.writeUInt16BE(body.length, 14);
  return Buffer.concat([h, body]);
}
function v2tcp4(src, dst, sport, dport, tlv = Buffer.alloc(0)) {
  const b = Buffer.alloc(12);
  src.split(".").forEach((o, i) => (b[i] = Number(o)));
  dst.split(".").forEach((o, i) => (b[4 + i] = Number(o)));
  b.writeUInt16BE(sport, 8);
  b.writeUInt16BE(dport, 10);
  return v2(1, 0x11, Buffer.concat([b, tlv]));
}
function v2tcp6(sport) {
  const b = Buffer.alloc(36);
  b.writeUInt16BE(0x2001, 0);
  b.writeUInt16BE(0x0db8, 2);
  b.writeUInt16BE(0x0001, 14); // 2001:db8::1
  b.writeUInt16BE(0xfe80, 16);
  b.writeUInt16BE(0x0002, 30); // fe80::2
  b.writeUInt16BE(sport, 32);
  b.writeUInt16BE(9000, 34);
  return v2(1, 0x21, b);
}

/** Feeds data in the given chunk sizes; returns the first done result. */
function feed(mode, data, sizes = [data.length]) {
  const p = new ProxyHeaderParser(mode);
  let at = 0;
  let i = 0;
  while (at < data.length) {
    const n = Math.max(1, sizes[i++ % sizes.length]);
    const r = p.push(data.subarray(at, at + n));
    at += n;
    if (r.done) return r;
  }
  return { done: false };
}

describe("proxy-protocol", function () {
  it("v1 TCP4 and TCP6: the real client; the bytes after the header are handed back", function () {
    const r = feed("v1", Buffer.concat([proxyHeaderV1("203.0.113.7", "10.0.0.2", 51234, 9000), Buffer.from("payload\n")]));
    assert.deepStrictEqual(r.header, {
      version: 1,
      source: { address: "203.0.113.7", port: 51234 },
      destination: { address: "10.0.0.2", port: 9000 },
    });
    assert.strictEqual(r.rest.toString(), "payload\n");
    const r6 = feed("any", Buffer.from("PROXY TCP6 2001:db8::1 2001:db8::2 65535 1\r\n"));
    assert.deepStrictEqual(r6.header.source, { address: "2001:db8::1", port: 65535 });
    assert.strictEqual(r6.rest.length, 0);
  });

  it("v1 UNKNOWN: no client address (the socket's own is used)", function () {
    const r = feed("v1", Buffer.from("PROXY UNKNOWN\r\nx"));
    assert.deepStrictEqual(r.header, { version: 1 });
    assert.strictEqual(r.rest.toString(), "x");
    assert.deepStrictEqual(feed("v1", Buffer.from("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n")).header, { version: 1 });
  });

  it("v2 TCP4 (with TLVs), TCP6, LOCAL and UNSPEC", function () {
    const tlv = Buffer.from([0x04, 0x00, 0x03, 0x61, 0x62, 0x63]);
    const r = feed("v2", Buffer.concat([v2tcp4("198.51.100.9", "10.0.0.1", 40000, 9000, tlv), Buffer.from("DATA")]));
    assert.deepStrictEqual(r.header.source, { address: "198.51.100.9", port: 40000 });
    assert.deepStrictEqual(r.header.destination, { address: "10.0.0.1", port: 9000 });
    assert.strictEqual(r.rest.toString(), "DATA");
    const r6 = feed("any", v2tcp6(1234));
    assert.deepStrictEqual(r6.header.source, { address: "2001:db8::1", port: 1234 });
    assert.deepStrictEqual(r6.header.destination, { address: "fe80::2", port: 9000 });
    assert.deepStrictEqual(feed("v2", v2(0, 0x00, Buffer.alloc(0))).header, { version: 2 }, "LOCAL");
    assert.deepStrictEqual(feed("v2", v2(1, 0x00, Buffer.alloc(0))).header, { version: 2 }, "UNSPEC");
  });

  it("any chunking gives the same result (incremental parsing)", function () {
    const data = Buffer.concat([v2tcp4("1.2.3.4", "5.6.7.8", 1, 2), Buffer.from("rest")]);
    const v1 = Buffer.concat([proxyHeaderV1("1.2.3.4", "5.6.7.8", 1, 2), Buffer.from("rest")]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        for (const d of [data, v1]) {
          const r = feed("any", d, sizes);
          assert.ok(r.done);
          assert.deepStrictEqual(r.header.source, { address: "1.2.3.4", port: 1 });
          // what is after the header, whatever arrived with the last chunk
          assert.ok("rest".startsWith(r.rest.toString()), JSON.stringify(r.rest.toString()));
        }
      }),
    );
  });

  it("refuses what is not a header of the accepted version, at the first wrong byte", function () {
    const bad = (mode, data) =>
      assert.throws(() => feed(mode, Buffer.from(data)), ProxyHeaderError, `${mode}: ${JSON.stringify(String(data))}`);
    bad("v1", "GET / HTTP/1.1\r\n");
    bad("any", "hello\n");
    bad("v1", v2tcp4("1.2.3.4", "5.6.7.8", 1, 2));
    bad("v2", proxyHeaderV1("1.2.3.4", "5.6.7.8", 1, 2));
    bad("v1", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"); // no CR
    bad("v1", "PROXY TCP4 1.2.3.999 5.6.7.8 1 2\r\n");
    bad("v1", "PROXY TCP4 ::1 5.6.7.8 1 2\r\n");
    bad("v1", "PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n");
    bad("v1", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n");
    bad("v1", "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n");
    bad("v1", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n");
    bad("v1", "PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n");
    // fails early: "PRO" then a wrong byte, without waiting for more
    assert.throws(() => new ProxyHeaderParser("v1").push(Buffer.from("PROX ")), ProxyHeaderError);
    const sig = Buffer.from(SIG);
    sig[5] = 0x00;
    assert.throws(() => new ProxyHeaderParser("v2").push(sig), ProxyHeaderError);
    const wrongVersion = v2tcp4("1.2.3.4", "5.6.7.8", 1, 2);
    wrongVersion[12] = 0x11;
    assert.throws(() => feed("v2", wrongVersion), /version/);
    assert.throws(() => feed("v2", v2(1, 0x11, Buffer.alloc(8))), /too short/);
    assert.throws(() => feed("v2", v2(1, 0x55, Buffer.alloc(8))), /family/);
    assert.throws(() => feed("v2", v2(2, 0x11, Buffer.alloc(12))), /command/);
  });

  it("is bounded: a v1 line longer than 107 bytes and a v2 length over the cap are refused before they arrive", function () {
    const p = new ProxyHeaderParser("v1");
    assert.deepStrictEqual(p.push(Buffer.from("PROXY TCP6 ")), { done: false });
    assert.throws(() => p.push(Buffer.alloc(MAX_V1_LENGTH, "1")), /longer than 107/);
    // the longest TCP6 line fits; a 107-byte line is accepted, 108 bytes are not
    const tcp6 = `PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n`;
    assert.ok(feed("v1", Buffer.from(tcp6)).done);
    const line = (n) => Buffer.from(`PROXY UNKNOWN ${"x".repeat(n - 16)}\r\n`);
    assert.strictEqual(line(MAX_V1_LENGTH).length, MAX_V1_LENGTH);
    assert.ok(feed("v1", line(MAX_V1_LENGTH)).done);
    assert.throws(() => feed("v1", line(MAX_V1_LENGTH + 1)), /longer than 107/);
    const head = v2(1, 0x11, Buffer.alloc(0)).subarray(0, 16);
    head.writeUInt16BE(MAX_V2_LENGTH + 1, 14);
    assert.throws(() => new ProxyHeaderParser("v2").push(head), /over the limit/);
  });
});
