// A TCP port that was free a moment ago, for tests and benchmarks.
//
// Not the system's choice (listen on port 0): that port comes from the ephemeral range, the same range
// the system takes for every later listen on port 0 and for the local end of every outgoing connection,
// so a node under test listening on port 0 could be given "our" port before the test listens on it or
// dials it expecting a refusal (a CI run failed on exactly that). Ports below the ephemeral range are
// never handed out by the system; a port is checked by listening on it, and never given out twice by
// one process, so two tests of one run cannot be given the same port either.
"use strict";
const fs = require("fs");
const net = require("net");

/** Ports below the system's ephemeral range (Linux: from /proc; elsewhere below 32768, which is below macOS's and Windows' 49152). */
function range() {
  try {
    const [first] = fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (first > 11000) return [10000, first - 1];
  } catch {
    // not Linux
  }
  return [10000, 32767];
}

const [LOW, HIGH] = range();
const issued = new Set();

function listenable(port, host) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

function systemsChoice(host) {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, host, () => {
      const { port } = /** @type {import("net").AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}

async function freePort(host = "127.0.0.1") {
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (issued.has(port)) continue;
    issued.add(port);
    if (await listenable(port, host)) return port;
  }
  return systemsChoice(host); // a crowded range: the old way
}

module.exports = { freePort, FREE_PORT_RANGE: [LOW, HIGH] };
