// A listener that never accepts (its event loop is blocked, without using CPU),
// for the "unreachable host" faults: once its backlog of 1 is full the kernel
// drops further SYNs, so connects hang until the caller's timeout. Loopback
// only; it ends itself after 30 s, or when the test kills it.
"use strict";
const net = require("net");

const server = net.createServer();
server.listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => {
  process.send(/** @type {import("net").AddressInfo} */ (server.address()).port, () => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000);
    process.exit(0);
  });
});
