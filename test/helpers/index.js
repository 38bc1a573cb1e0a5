// Shared test plumbing: the Node-RED test helper over the built nodes, real
// sockets on ephemeral ports, and small waits that fail with a clear message.
"use strict";
const fs = require("fs");
const net = require("net");
const path = require("path");
const helper = require("node-red-node-test-helper");

helper.init(require.resolve("node-red"));

const DIST = path.join(__dirname, "..", "..", "dist", "nodes");
const nodes = {
  manager: require(path.join(DIST, "tcp-connection-manager.js")),
  trigger: require(path.join(DIST, "tcp-server-trigger.js")),
  bridge: require(path.join(DIST, "tcp-server-client-bridge.js")),
  send: require(path.join(DIST, "send-to-tcp-port.js")),
  client: require(path.join(DIST, "tcp-client-link.js")),
};
const lib = (name) => require(path.join(DIST, "lib", name));

const { freePort } = require("../../scripts/lib/free-port");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls until fn() is truthy; rejects with what was awaited (a text, or a function that says what it saw) when it times out. */
async function waitFor(fn, what, timeout = 10000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === "function" ? what() : what}`);
    await sleep(10);
  }
}

/**
 * True once something listens on the port, seen without touching it: on Linux from the kernel's socket
 * tables, elsewhere by binding the port for a moment. The bind is a probe that can lose a race: if it
 * holds the port at the instant the node under test first binds, the node gets EADDRINUSE, logs an error
 * and retries (a CI run failed on exactly that). Reading /proc/net/tcp cannot collide with anything.
 */
function portTaken(port, host = "127.0.0.1") {
  const tables = ["/proc/net/tcp", "/proc/net/tcp6"].filter((f) => fs.existsSync(f));
  if (tables.length > 0) {
    const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
    // Columns: sl local_address rem_address st ...; state 0A is LISTEN.
    const listening = tables.some((f) =>
      fs
        .readFileSync(f, "utf8")
        .split("\n")
        .slice(1)
        .some((line) => {
          const cols = line.trim().split(/\s+/);
          return cols.length > 3 && cols[1].endsWith(hex) && cols[3] === "0A";
        }),
    );
    return Promise.resolve(listening);
  }
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(true));
    s.listen(port, host, () => s.close(() => resolve(false)));
  });
}

/** Sockets that hold the ports refusedPort() gave out, for the rest of the test process. */
const holders = [];

/**
 * A loopback port that refuses connections for the rest of the run: the local end of a connection this
 * process keeps open. A port from freePort() is only free "a moment ago": a listener opened later (even
 * the node under test, listening on port 0) can be given it, and then a dial meant to be refused connects
 * (a CI run timed out waiting for two refused dials). A port held by a connected socket cannot be given
 * to any listener, and nothing listens on it, so the kernel refuses every connection to it.
 */
async function refusedPort() {
  const server = net.createServer((s) => {
    s.on("error", () => undefined);
    s.unref();
    holders.push(s);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const client = net.connect(/** @type {import("net").AddressInfo} */ (server.address()).port, "127.0.0.1");
  await new Promise((resolve, reject) => client.once("connect", resolve).once("error", reject));
  client.on("error", () => undefined);
  client.unref();
  holders.push(client);
  server.close();
  return client.localPort;
}

/**
 * Connects, retrying while the listener is not up yet. A retry can be given the very port it dials as its
 * own local port and connect to itself (TCP simultaneous open, on Linux): that is no connection to a listener.
 */
async function connect(port, host = "127.0.0.1", timeout = 5000) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      return await new Promise((resolve, reject) => {
        const s = net.connect({ port, host }, () => {
          s.removeListener("error", reject);
          if (s.localPort === s.remotePort && s.localAddress === s.remoteAddress) {
            s.destroy();
            reject(new Error(`connected to itself on ${host}:${port}`));
            return;
          }
          resolve(s);
        });
        s.once("error", reject);
      });
    } catch (err) {
      if (Date.now() > end) throw err;
      await sleep(20);
    }
  }
}

/** Collects everything a socket receives until it closes. */
function readAll(socket) {
  return new Promise((resolve) => {
    const chunks = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(Buffer.concat(chunks)));
  });
}

/** Records every message a helper node receives. */
function recorder(node) {
  const msgs = [];
  node.on("input", (msg) => msgs.push(msg));
  return {
    msgs,
    until: (n, timeout) => waitFor(() => msgs.length >= n, `${n} messages (have ${msgs.length})`, timeout).then(() => msgs),
  };
}

/** Records every error a node reports with a message (what a Catch node would get). */
function errors(node) {
  const list = [];
  node.on("call:error", (call) => list.push({ err: call.args[0], msg: call.args[1] }));
  return list;
}

/** Puts nodes without a tab on tab "f1", as the editor would (nodes without one count as config nodes). */
function onTab(flow, tab = "f1") {
  const tabs = new Set(flow.filter((n) => n.type === "tab").map((n) => n.id));
  const out = flow.map((n) => (n.type === "tab" || n.z || n.type === "tcp-connection-manager" ? n : Object.assign({ z: tab }, n)));
  if (!tabs.has(tab)) out.unshift({ id: tab, type: "tab", label: "test" });
  return out;
}

/** A flow with one trigger wired to helper nodes "out" (frames) and "ev" (events). */
function triggerFlow(props) {
  return onTab([
    Object.assign(
      {
        id: "trig",
        type: "tcp-server-trigger",
        name: "trigger under test",
        host: "127.0.0.1",
        wires: props.events ? [["out"], ["ev"]] : [["out"]],
      },
      props,
    ),
    { id: "out", type: "helper" },
    { id: "ev", type: "helper" },
  ]);
}

/**
 * Inside a describe: each test gets a fresh Node-RED user directory (where kept jobs' journals go), handed to
 * `use`; after each test the flows are unloaded, the servers left in `closing` closed and the directory removed.
 */
function freshUserDir(prefix, use, closing) {
  let dir;
  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(require("os").tmpdir(), prefix));
    use(dir);
  });
  afterEach(async function () {
    await helper.unload();
    helper.settings({ userDir: undefined });
    await Promise.all(closing.splice(0).map((c) => c.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

/** The journal of a node that keeps its queued jobs, under a user directory. */
const journalOf = (userDir, id) => path.join(userDir, "tcp-automation", "journal", `${id}.log`);

/**
 * Gives a node that keeps its queued jobs these messages and waits until they are on disk (its journal file
 * exists and the first sync, within 5 ms, is past); the jobs' ids (msg.tcp.jobId), in order.
 */
async function keepJobs(node, msgs, journal) {
  for (const m of msgs) node.receive(m);
  await waitFor(() => fs.existsSync(journal), "the journal");
  await sleep(100);
  return msgs.map((m) => m.tcp.jobId);
}

module.exports = {
  freshUserDir,
  journalOf,
  keepJobs,
  onTab,
  helper,
  nodes,
  lib,
  freePort,
  refusedPort,
  sleep,
  waitFor,
  portTaken,
  connect,
  readAll,
  recorder,
  errors,
  triggerFlow,
  DIST,
};
