// Flows and fake devices for the tcp client scenarios (bench/scenarios/client.js):
// our tcp-client-link and Node-RED core's tcp in / tcp request / tcp out in
// "connect to" mode, doing the same job against the same device.
"use strict";
const path = require("path");
const { ipcChild } = require("../../scripts/lib/ipc-child");
const { TAB, coreTcpIn } = require("./flows");

/** A fake device in its own process (bench/lib/device.js); resolves once it listens, with .port set. */
async function startDevice(cfg) {
  const d = ipcChild(path.join(__dirname, "device.js"), [JSON.stringify(cfg)]);
  const { port } = await d.wait("listening", 30000);
  d.port = port;
  return d;
}

const OURS_ID = "bench0000client1";
const CORE_ID = "bench00000core01";

const counter = { id: "bench00000count1", type: "bench-counter", z: TAB.id, wires: [] };
const tap = (id, role) => ({ id, type: "bench-tap", z: TAB.id, role, wires: [] });
const feeder = (id, prefix, to) => ({ id, type: "bench-feeder", z: TAB.id, prefix, wires: [[to]] });
const catcher = (scope) => ({ id: "bench000000catch", type: "catch", z: TAB.id, scope, uncaught: false, wires: [["bench00tapcatch1"]] });

/** Our tcp client: line framing, strings, the given options (backoff, mode, heartbeat...). */
function ours(port, props, wires) {
  return Object.assign(
    {
      id: OURS_ID,
      type: "tcp-client-link",
      z: TAB.id,
      host: "127.0.0.1",
      port: String(port),
      event: "line",
      eol: "lf",
      output: "string",
      encoding: "utf8",
      wires,
    },
    props,
  );
}

/** Core tcp in, "connect to" the device, stream of utf8 lines. */
/** Core tcp in dialling the device ("connect to"), lines. */
const coreTcpInClient = (port, wires) => coreTcpIn(CORE_ID, port, wires, { server: "client", host: "127.0.0.1" });

/** Device lines into a counter: ours or core tcp in. */
function streamIn(impl, port) {
  const node = impl === "ours" ? ours(port, {}, [[counter.id]]) : coreTcpInClient(port, [[counter.id]]);
  return [TAB, node, counter];
}

/** feeder (q0, q1, ...) -> request node -> tap "out"; a Catch node on it -> tap "catch". */
function requests(impl, port, props = {}) {
  const node =
    impl === "ours"
      ? ours(port, Object.assign({ mode: "request", replyTimeout: "5000", maxQueue: "10000" }, props), [["bench000000tapout"]])
      : {
          id: CORE_ID,
          type: "tcp request",
          z: TAB.id,
          server: "127.0.0.1",
          port: String(port),
          out: "sit", // keep the connection open
          ret: "string",
          splitc: "0",
          newline: "\\n",
          trim: false,
          tls: "",
          wires: [["bench000000tapout"]],
        };
  return [
    TAB,
    feeder("bench00000feed01", "q", node.id),
    node,
    tap("bench000000tapout", "out"),
    catcher([node.id]),
    tap("bench00tapcatch1", "catch"),
  ];
}

/** Two feeders ("A N", "B N") at the same pace: A into ours (stream), B into core tcp out (connect to). */
function restarts(port, props) {
  return [
    TAB,
    feeder("bench00000feedA1", "A ", OURS_ID),
    feeder("bench00000feedB1", "B ", CORE_ID),
    ours(port, Object.assign({ events: true }, props), [[], ["bench0000tapevent"]]),
    {
      id: CORE_ID,
      type: "tcp out",
      z: TAB.id,
      host: "127.0.0.1",
      port: String(port),
      beserver: "client",
      base64: false,
      end: false,
      tls: "",
      wires: [],
    },
    tap("bench0000tapevent", "event"),
    catcher([OURS_ID, CORE_ID]),
    tap("bench00tapcatch1", "catch"),
  ];
}

/** Ours with a heartbeat (events to a tap) and core tcp in, both connected to the device; a Status node on both. */
function halfOpen(port, props) {
  return [
    TAB,
    ours(port, Object.assign({ events: true }, props), [["bench000000tapout"], ["bench0000tapevent"]]),
    coreTcpInClient(port, [["bench000000tapout"]]),
    tap("bench000000tapout", "out"),
    tap("bench0000tapevent", "event"),
    { id: "bench00000status", type: "status", z: TAB.id, scope: [OURS_ID, CORE_ID], wires: [["bench000tapstatus"]] },
    tap("bench000tapstatus", "status"),
  ];
}

module.exports = { startDevice, OURS_ID, CORE_ID, streamIn, requests, restarts, halfOpen };
