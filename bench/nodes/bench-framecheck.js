// A sink for the framing scenario's side check (bench/scenarios/framing.js):
// counts messages, and those whose payload is exactly one Modbus/TCP MBAP
// frame (protocol 0, length field = the bytes after it), on the "frame-check" command.
"use strict";

const counts = { msgs: 0, exactFrames: 0, bytes: 0 };

function exactlyOneFrame(p) {
  const b = Buffer.isBuffer(p) ? p : typeof p === "string" ? Buffer.from(p, "latin1") : null;
  return Boolean(b && b.length >= 8 && b.readUInt16BE(2) === 0 && b.readUInt16BE(4) === b.length - 6);
}

process.on("message", (/** @type {any} */ m) => {
  if (m.cmd !== "frame-check") return;
  process.send(Object.assign({ id: m.id }, counts));
  if (m.reset) Object.assign(counts, { msgs: 0, exactFrames: 0, bytes: 0 });
});

module.exports = function (RED) {
  function BenchFrameCheck(def) {
    RED.nodes.createNode(this, def);
    this.on("input", (msg, _send, done) => {
      counts.msgs++;
      counts.bytes += msg.payload ? msg.payload.length : 0;
      if (exactlyOneFrame(msg.payload)) counts.exactFrames++;
      done();
    });
  }
  RED.nodes.registerType("bench-framecheck", BenchFrameCheck);
};
