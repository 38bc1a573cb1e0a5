#!/usr/bin/env node
// Load generator for the framing scenario (bench/scenarios/framing.js), in its
// own process: `clients` connections each send `frames` frames of frameBytes
// bytes as fast as the server takes them, in big writes, framed as
//   line   text, then "\n";
//   stx    STX (0x02), text, ETX (0x03);
//   mbap   a Modbus/TCP MBAP header (transaction id, protocol 0, length = the bytes after the length field,
//          unit id) and text as the PDU.
// Every frame carries the same number of bytes whatever the framing. Driven over IPC like bench/lib/client.js.
"use strict";
const net = require("net");

const cfg = JSON.parse(process.argv[2]);

function frame(mode, k, i, size) {
  if (mode === "line") return Buffer.from(`c${k} frame ${i} `.padEnd(size - 1, "x") + "\n", "latin1");
  if (mode === "stx") return Buffer.from("\x02" + `c${k} frame ${i} `.padEnd(size - 2, "x") + "\x03", "latin1");
  const b = Buffer.alloc(size);
  b.writeUInt16BE(i & 0xffff, 0); // transaction id
  b.writeUInt16BE(0, 2); // protocol: Modbus
  b.writeUInt16BE(size - 6, 4); // length: unit id + PDU
  b[6] = 1; // unit id
  b.write(`c${k} frame ${i} `.padEnd(size - 7, "x"), 7, "latin1");
  return b;
}

function open(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: "127.0.0.1" }, () => resolve(s));
    s.once("error", reject);
  });
}

(async () => {
  const sockets = await Promise.all(Array.from({ length: cfg.clients }, () => open(cfg.port)));
  sockets.forEach((s) => s.on("error", () => undefined));
  process.send({ evt: "connected" });
  await new Promise((r) => process.once("message", r)); // go
  const t0 = Date.now();
  const perWrite = Math.max(1, Math.floor(65536 / cfg.frameBytes));
  // Each client's frames are built once and the same block is written again and again: building them per write
  // cost the MBAP sender (a Buffer per frame) more than the others, and on a 2-core machine a slower sender
  // hands the server smaller reads, so the framings would not have met the same load.
  const blocks = sockets.map((_, k) => Buffer.concat(Array.from({ length: perWrite }, (__, j) => frame(cfg.mode, k, j, cfg.frameBytes))));
  await Promise.all(
    sockets.map(async (s, k) => {
      for (let n = 0; n < cfg.frames;) {
        const count = Math.min(perWrite, cfg.frames - n);
        const block = count === perWrite ? blocks[k] : blocks[k].subarray(0, count * cfg.frameBytes);
        if (!s.write(block)) await new Promise((r) => s.once("drain", r));
        n += count;
      }
    }),
  );
  process.send({ evt: "sent", ms: Date.now() - t0, frames: cfg.frames * cfg.clients });
  await new Promise((r) => process.once("message", r)); // close
  sockets.forEach((s) => s.destroy());
  process.send({ evt: "closed" });
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
process.on("disconnect", () => process.exit(0));
