// A TCP server playing a device for the tcp client's tests: records every connection and what it sent,
// answers through a hook, and can be restarted on the same port (a device power-cycled).
"use strict";
const net = require("net");

/**
 * @typedef {{ socket: import("net").Socket, data: Buffer, closed: boolean, lines: () => string[] }} DeviceConn
 * @param {{ port?: number, onConnection?: (c: DeviceConn) => void, onData?: (c: DeviceConn, chunk: Buffer) => void }} [o]
 */
async function device(o = {}) {
  /** @type {DeviceConn[]} */
  const conns = [];
  let server;
  let port = o.port || 0;
  const listen = () =>
    new Promise((resolve, reject) => {
      server = net.createServer((socket) => {
        /** @type {DeviceConn} */
        const c = {
          socket,
          data: Buffer.alloc(0),
          closed: false,
          lines: () =>
            c.data
              .toString("latin1")
              .split("\n")
              .filter((l) => l !== ""),
        };
        conns.push(c);
        socket.on("error", () => undefined);
        socket.on("close", () => (c.closed = true));
        socket.on("data", (chunk) => {
          c.data = Buffer.concat([c.data, chunk]);
          if (o.onData) o.onData(c, chunk);
        });
        if (o.onConnection) o.onConnection(c);
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        port = /** @type {import("net").AddressInfo} */ (server.address()).port;
        resolve(undefined);
      });
    });
  /** Closes the listener and every connection (RST when reset is set, else FIN). */
  const down = (reset = false) =>
    new Promise((resolve) => {
      for (const c of conns) if (!c.closed) reset ? c.socket.resetAndDestroy() : c.socket.destroy();
      server.close(() => resolve(undefined));
    });
  await listen();
  return {
    conns,
    get port() {
      return port;
    },
    /** Every connection's data, in order. */
    received: () => Buffer.concat(conns.map((c) => c.data)),
    close: down,
    /** Down, then listening again on the same port. */
    restart: async (reset = false) => {
      await down(reset);
      await listen();
    },
    /** Listening again after close() (the same port). */
    up: listen,
  };
}

module.exports = { device };
