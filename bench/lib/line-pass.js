// One measured pass of line ingest: `clients` connections each send `lines` lines of `lineBytes` to a host
// whose counter waits for all of them; msgs/s from the go signal to the last line counted.
"use strict";
const { startClient } = require("./procs");

async function linePass(host, port, clients, lines, lineBytes) {
  const total = clients * lines;
  await host.call("target", { n: total });
  const client = startClient({ mode: "lines", port, clients, lines, lineBytes });
  await client.wait("connected");
  const t0 = Date.now();
  client.send({ go: true });
  const reached = await host.wait("reached", 300000);
  const ms = reached.lastAt - t0;
  client.send({ close: true });
  await client.wait("closed");
  await client.kill();
  return { total, ms, rate: (total / ms) * 1000, bytes: reached.bytes, cpuUsPerMsg: (reached.cpuMs * 1000) / total };
}

module.exports = { linePass };
