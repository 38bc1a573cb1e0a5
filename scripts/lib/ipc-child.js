// A forked Node.js process driven over IPC, for the benchmarks and the soak:
// request/reply commands (call), one-way messages (send), awaited events
// (wait), and an exit that lets the child write its profiles and logs (kill).
"use strict";
const { fork } = require("child_process");

/**
 * @param {string} file     the script to fork
 * @param {string[]} args   its arguments
 * @param {object} [o]
 * @param {string[]} [o.execArgv]
 * @param {boolean} [o.echo]       pass the child's stdout and stderr through (else stdout is dropped, stderr kept for errors)
 * @param {(m: object) => boolean} [o.onMessage]  sees each event first; true means handled (not queued)
 * @param {number} [o.killAfterMs] how long kill() waits for a clean exit before SIGKILL
 * @param {number} [o.waitMs]      wait()'s default time limit
 */
function ipcChild(file, args, o = {}) {
  const proc = fork(file, args, { execArgv: o.execArgv || [], stdio: ["ignore", o.echo ? "inherit" : "ignore", "pipe", "ipc"] });
  let stderr = "";
  proc.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
    if (o.echo) process.stderr.write(d);
  });
  const events = [];
  const waiters = new Set();
  const pending = new Map();
  let nextId = 1;
  proc.on("message", (/** @type {any} */ m) => {
    if (m.id && pending.has(m.id)) {
      pending.get(m.id)(m);
      pending.delete(m.id);
      return;
    }
    if (o.onMessage && o.onMessage(m)) return;
    events.push(m);
    for (const w of [...waiters]) w();
  });
  proc.on("error", () => undefined); // an IPC send racing the child's own exit
  const exited = new Promise((r) => proc.once("exit", r));
  const name = args[0] || file;
  return {
    proc,
    stderr: () => stderr,
    call(cmd, extra = {}) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        proc.send(Object.assign({ id, cmd }, extra));
      });
    },
    send: (m) => proc.send(m),
    /** The first event not yet consumed named evt (or any of the names in an array). */
    wait(evt, timeoutMs = o.waitMs || 120000) {
      const names = [].concat(evt);
      return new Promise((resolve, reject) => {
        const check = () => {
          const i = events.findIndex((e) => names.includes(e.evt));
          if (i === -1) return;
          waiters.delete(check);
          clearTimeout(t);
          resolve(events.splice(i, 1)[0]);
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${name}: no "${evt}" within ${timeoutMs} ms\n${stderr}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    /** Asks the process to exit (so profiles and logs are written), forces it after killAfterMs. */
    async kill() {
      if (proc.exitCode === null && proc.connected) proc.send({ cmd: "exit" });
      const t = setTimeout(() => proc.exitCode === null && proc.kill("SIGKILL"), o.killAfterMs || 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

module.exports = { ipcChild };
