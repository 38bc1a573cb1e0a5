// Flows under test: ours and Node-RED core's, doing the same job.
"use strict";

const TAB = { id: "bench0000000tab1", type: "tab", label: "bench" };
const counter = { id: "bench00000count1", type: "bench-counter", z: TAB.id, wires: [] };

function triggerToCounter(port, props = {}) {
  return [
    TAB,
    Object.assign(
      {
        id: "bench00000trig01",
        type: "tcp-server-trigger",
        z: TAB.id,
        port: String(port),
        host: "127.0.0.1",
        event: "line",
        eol: "lf",
        output: "string",
        encoding: "utf8",
        maxFrame: "1048576",
        outputs: 1,
        wires: [[counter.id]],
      },
      props,
    ),
    counter,
  ];
}

function coreTcpInToCounter(port) {
  return [
    TAB,
    {
      id: "bench0000tcpin01",
      type: "tcp in",
      z: TAB.id,
      server: "server",
      host: "",
      port: String(port),
      datamode: "stream",
      datatype: "utf8",
      newline: "\\n",
      topic: "",
      trim: false,
      base64: false,
      tls: "",
      wires: [[counter.id]],
    },
    counter,
  ];
}

module.exports = { TAB, triggerToCounter, coreTcpInToCounter };
