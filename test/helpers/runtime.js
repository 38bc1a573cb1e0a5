// Starts a real Node-RED (its own process, its own user dir) with this
// package installed as a module, the way a user's Node-RED loads it.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const http = require("http");
const { spawn } = require("child_process");
const { linkPackage } = require("../../scripts/lib/userdir");

/** @param {string} url @param {{ method?: string, headers?: Record<string, string>, body?: unknown }} [options] */
function request(url, { method = "GET", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(typeof body === "string" ? body : JSON.stringify(body));
    req.end();
  });
}

/**
 * @param {object} o
 * @param {Array} o.flows  the flow file's content
 * @param {number} o.port  the editor/admin port
 * @param {number} [o.timeout]  how long Node-RED may take to start
 * @param {string} [o.settingsJs]  more settings, as JavaScript source of an object (functions allowed: adminAuth.tokens)
 * @param {string} [o.userDir]  a user dir to start in again (after kill()); default: a new one, removed by stop()
 * @param {Record<string, string>} [o.env]  more environment variables for Node-RED (flows read them with env.get)
 */
async function startRuntime({ flows, port, timeout = 30000, settingsJs, userDir: again, env }) {
  const userDir = again || fs.mkdtempSync(path.join(os.tmpdir(), "tcpa-red-"));
  if (!again) linkPackage(userDir);
  fs.writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flows));
  const settings = path.join(userDir, "settings.js");
  fs.writeFileSync(
    settings,
    `module.exports = ${JSON.stringify({
      uiHost: "127.0.0.1",
      uiPort: port,
      userDir,
      flowFile: "flows.json",
      credentialSecret: false,
      logging: { console: { level: "info", metrics: false, audit: false } },
      editorTheme: { tours: false, projects: { enabled: false } },
    })};${settingsJs ? `\nObject.assign(module.exports, ${settingsJs});` : ""}`,
  );
  const child = spawn(process.execPath, [require.resolve("node-red/red.js"), "--settings", settings], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const exited = new Promise((r) => child.once("exit", r));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + timeout;
  while (!/Started flows/.test(log)) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited early:\n${log}`);
    if (Date.now() > end) {
      child.kill("SIGKILL");
      throw new Error(`Node-RED did not start flows in time:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    userDir,
    log: () => log,
    get: (p, headers) => request(url + p, { headers }),
    post: (p, body) => request(url + p, { method: "POST", headers: { "content-type": "application/json" }, body }),
    async stop() {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 15000);
      await exited;
      clearTimeout(t);
      fs.rmSync(userDir, { recursive: true, force: true });
    },
    /** Ends the process as a crash would (SIGKILL: no close handler runs); the user dir stays for a restart. */
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

module.exports = { startRuntime, request };
