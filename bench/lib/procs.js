// Child processes of the benchmark: a host (Node-RED or raw net) and a load client.
"use strict";
const path = require("path");
const { fork } = require("child_process");

function child(script, cfg, execArgv = []) {
  const proc = fork(path.join(__dirname, script), [JSON.stringify(cfg)], { execArgv, stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let stderr = "";
  proc.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const events = [];
  const waiters = [];
  let nextId = 1;
  const pending = new Map();
  proc.on("message", (m) => {
    if (m.id && pending.has(m.id)) {
      pending.get(m.id)(m);
      pending.delete(m.id);
      return;
    }
    events.push(m);
    for (const w of [...waiters]) w();
  });
  proc.on("error", () => undefined); // an IPC send racing the child's own exit
  const exited = new Promise((r) => proc.once("exit", r));
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
    send(m) {
      proc.send(m);
    },
    /** Resolves with the first event named evt not yet consumed. */
    wait(evt, timeoutMs = 120000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const i = events.findIndex((e) => e.evt === evt);
          if (i === -1) return false;
          const [e] = events.splice(i, 1);
          waiters.splice(waiters.indexOf(check), 1);
          clearTimeout(t);
          resolve(e);
          return true;
        };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`${script}: no "${evt}" within ${timeoutMs} ms\n${stderr}`));
        }, timeoutMs);
        waiters.push(check);
        check();
      });
    },
    /** Asks the process to exit (so profiles and logs are written), forces it after 3 s. */
    async kill() {
      if (proc.exitCode === null && proc.connected) proc.send({ cmd: "exit" });
      const t = setTimeout(() => proc.exitCode === null && proc.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function startHost(cfg) {
  const extra = process.env.BENCH_HOST_ARGS ? process.env.BENCH_HOST_ARGS.split(" ") : [];
  const h = child("host.js", cfg, ["--expose-gc", "--max-old-space-size=4096", ...extra]);
  const ready = await h.wait("ready", 60000);
  h.baseline = ready.memory;
  return h;
}

const startClient = (cfg) => child("client.js", cfg);

module.exports = { startHost, startClient };
