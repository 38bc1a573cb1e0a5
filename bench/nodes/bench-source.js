// A benchmark source: on the probe's "burst" command, sends N messages at once
// (payload "job-000000\n" ...), as fast as a flow can be fed.
"use strict";
const probe = require("../../scripts/lib/probe");

module.exports = function (RED) {
  function BenchSource(def) {
    RED.nodes.createNode(this, def);
    const node = this;
    probe.onBurst((n) => {
      for (let i = 0; i < n; i++) node.send({ payload: `job-${String(i).padStart(6, "0")}\n`, seq: i });
    });
  }
  RED.nodes.registerType("bench-source", BenchSource);
};
