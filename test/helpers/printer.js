// A simulated raw-socket (JetDirect 9100) printer for the tests: one job per
// connection, ended when the client half-closes (or the printer decides), with
// the behaviours real printers show:
//   busyMs + busy "refuse": after each job the printer is busy printing and
//       refuses connections (its listener is closed, so clients get
//       ECONNREFUSED); a connection that slipped in just before is held,
//       unread, until the printer is ready again.
//   busyMs + busy "reset": while busy it accepts and resets at once.
//   pjl: answers "@PJL INFO STATUS" with a status block (bidirectional status).
//   closeOn: the printer ends the connection itself when the received bytes end
//       with this text (e.g. "^XZ"), like a printer done with a job.
//   resetAfter: resets the connection once this many bytes of a job arrived.
//   silent: never answers and never closes its side, even after the client's FIN.
"use strict";
const net = require("net");
const { waitFor, sleep } = require("./index");

const PJL_STATUS = '@PJL INFO STATUS\r\nCODE=10001\r\nDISPLAY="Ready"\r\nONLINE=TRUE\r\n\f';

async function startPrinter(opts = {}) {
  const host = opts.host || "127.0.0.1";
  const jobs = []; // finished jobs, in the order their connections ended: { data, reset, localPort }
  const sockets = new Set();
  const held = [];
  let server;
  let port = opts.port || 0;
  let busy = false;
  let live = 0; // connections open
  let printing = 0; // connections whose job has not ended yet
  // maxConcurrent: most jobs in progress at once (connected, job not yet ended by FIN, reset or closeOn).
  const stats = { connections: 0, maxConcurrent: 0, resetWhileBusy: 0, refusedWindows: 0 };
  let closed = false;

  function listen() {
    return new Promise((resolve, reject) => {
      const s = net.createServer({ allowHalfOpen: true }, onConnection);
      s.once("error", reject);
      s.listen(port, host, () => {
        port = /** @type {import("net").AddressInfo} */ (s.address()).port;
        server = s;
        resolve();
      });
    });
  }

  function beBusy() {
    if (!opts.busyMs) return;
    busy = true;
    if ((opts.busy || "refuse") === "refuse" && server) {
      stats.refusedWindows++;
      server.close();
      server = undefined;
    }
    setTimeout(async () => {
      if (closed) return;
      if (!server && (opts.busy || "refuse") === "refuse") await listenAgain();
      busy = false;
      for (const s of held.splice(0)) if (!s.destroyed) s.resume();
    }, opts.busyMs);
  }

  async function listenAgain() {
    for (let i = 0; i < 50 && !closed; i++) {
      try {
        return await listen();
      } catch {
        await sleep(5);
      }
    }
  }

  function onConnection(socket) {
    if (closed) return socket.destroy();
    socket.on("error", () => undefined);
    if (busy && opts.busy === "reset") {
      stats.resetWhileBusy++;
      socket.resetAndDestroy();
      return;
    }
    stats.connections++;
    sockets.add(socket);
    live++;
    printing++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, printing);
    const chunks = [];
    let size = 0;
    let pending = "";
    let recorded = false;
    const record = (reset) => {
      if (recorded) return;
      recorded = true;
      printing--;
      jobs.push({ data: Buffer.concat(chunks), reset, remotePort: socket.remotePort });
      beBusy();
    };
    socket.on("data", (c) => {
      chunks.push(c);
      size += c.length;
      if (opts.resetAfter !== undefined && size >= opts.resetAfter) {
        record(true);
        socket.resetAndDestroy();
        return;
      }
      if (opts.pjl) {
        pending += c.toString("latin1");
        let i;
        while ((i = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, i).replace(/\r$/, "");
          pending = pending.slice(i + 1);
          if (/@PJL INFO STATUS/i.test(line)) socket.write(PJL_STATUS);
        }
      }
      if (opts.closeOn && Buffer.concat(chunks).toString("latin1").endsWith(opts.closeOn)) {
        record(false);
        socket.end();
      }
    });
    socket.on("end", () => {
      record(false);
      if (!opts.silent) socket.end();
    });
    socket.on("close", () => {
      sockets.delete(socket);
      live--;
      record(true);
    });
    if (busy) {
      socket.pause();
      held.push(socket);
    }
  }

  await listen();
  return {
    get port() {
      return port;
    },
    jobs,
    stats,
    get live() {
      return live;
    },
    /** The job payloads as strings, in the order they finished. */
    texts: () => jobs.map((j) => j.data.toString("latin1")),
    until: (n, timeout) => waitFor(() => jobs.length >= n, `${n} print jobs (have ${jobs.length})`, timeout).then(() => jobs),
    async close() {
      closed = true;
      for (const s of sockets) s.destroy();
      for (const s of held) s.destroy();
      if (server) await new Promise((r) => server.close(() => r()));
    },
  };
}

module.exports = { startPrinter, PJL_STATUS };
