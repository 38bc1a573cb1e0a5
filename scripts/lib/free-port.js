// A TCP port that was free a moment ago (the OS picks it), for tests and benchmarks.
"use strict";
const net = require("net");

function freePort(host = "127.0.0.1") {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, host, () => {
      const { port } = /** @type {import("net").AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}

module.exports = { freePort };
