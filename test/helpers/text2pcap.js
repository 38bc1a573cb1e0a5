// The text2pcap dump our traffic route writes, read back the way text2pcap reads it (offsets, bytes, direction
// and time before each packet), strictly: any line it would not take fails the test.
"use strict";
const assert = require("assert");

/** Parses a text2pcap dump back: packets with direction, time text and bytes. */
function parseText2pcap(text) {
  const packets = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const pre = /^([IO]) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})$/.exec(line);
    if (pre) {
      packets.push({ dir: pre[1], time: pre[2], bytes: [], ended: false });
      continue;
    }
    const p = packets[packets.length - 1];
    if (/^[0-9a-f]{6}$/.test(line)) {
      assert.strictEqual(parseInt(line, 16), p.bytes.length, "the last line: the offset after the last byte");
      p.ended = true;
      continue;
    }
    const m = /^([0-9a-f]{6}) ((?:[0-9a-f]{2} )*[0-9a-f]{2})$/.exec(line);
    assert.ok(m, `not a text2pcap line: ${JSON.stringify(line)}`);
    assert.ok(!p.ended, "no bytes after the end offset");
    assert.strictEqual(parseInt(m[1], 16), p.bytes.length, "offset counts the packet's bytes so far");
    for (const h of m[2].split(" ")) p.bytes.push(parseInt(h, 16));
  }
  for (const p of packets) assert.ok(p.ended, "each packet ends with its end offset");
  return packets.map((p) => ({ dir: p.dir, time: p.time, bytes: Buffer.from(p.bytes) }));
}

module.exports = { parseText2pcap };
