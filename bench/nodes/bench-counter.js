// A minimal sink for benchmarks: counts messages and tells the probe.
"use strict";
const probe = require("../../scripts/lib/probe");

module.exports = function (RED) {
  function BenchCounter(def) {
    RED.nodes.createNode(this, def);
    this.on("input", (msg) => probe.hit(msg));
  }
  RED.nodes.registerType("bench-counter", BenchCounter);
};
