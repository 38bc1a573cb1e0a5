"use strict";
// Flows saved with the editor as it was when the property schemas came in load
// and run unchanged: every example and a flow written by hand the way that
// editor saves it (test/fixtures/saved-flow.json: every node type, every framing
// mode, TLS, access lists, PROXY, typed sources, many non-default values, numbers
// where a field was never touched and strings where it was) start in a real
// runtime with no configuration error, and the runtime parses each node's
// properties exactly as that version did (test/fixtures/saved-flow.parsed.json,
// written by it; UPDATE_PARSED=1 rewrites it after a deliberate change).
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const { onTab, helper, nodes, freePort, waitFor, portTaken } = require("../helpers");
const { keyed } = require("../helpers/catalog");
const { certs, tlsConfigNode } = require("../helpers/certs");
const { parsedConfig } = require("../helpers/parsed-config");
const { ROOT } = require("../../scripts/lib/userdir");

const tlsNode = require(require.resolve("@node-red/nodes/core/network/05-tls.js"));
const functionNode = require("@node-red/nodes/core/function/10-function.js");
const injectNode = require("@node-red/nodes/core/common/20-inject.js");
const catchNode = require("@node-red/nodes/core/common/25-catch.js");
const NODES = [nodes.manager, keyed(nodes.trigger), keyed(nodes.send), keyed(nodes.bridge), keyed(nodes.client), tlsNode];
const OURS = new Set(["tcp-server-trigger", "send-to-tcp-port", "tcp-server-client-bridge", "tcp-client-link", "tcp-connection-manager"]);
const LISTENING = new Set(["tcp-server-trigger", "tcp-server-client-bridge"]);
const FIXTURES = path.join(__dirname, "..", "fixtures");
const SNAPSHOT = path.join(FIXTURES, "saved-flow.parsed.json");

const read = (file) => JSON.parse(fs.readFileSync(file, "utf8"));
const examples = fs
  .readdirSync(path.join(ROOT, "examples"))
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({ name: f.replace(/\.json$/, ""), flow: read(path.join(ROOT, "examples", f)) }));
const flows = [...examples, { name: "saved-flow (fixture)", flow: read(path.join(FIXTURES, "saved-flow.json")) }];

/** Our nodes and their tabs only (the other types are not loaded here), listening on free ports. */
async function loadable(flow) {
  const out = [];
  for (const n of flow) {
    if (n.type !== "tab" && !OURS.has(n.type)) continue;
    const copy = Object.assign({}, n);
    // A tab that starts disabled (example 11's printer, switched on by the user) is checked too.
    if (copy.type === "tab") copy.disabled = false;
    if (Array.isArray(copy.wires)) copy.wires = copy.wires.map((w) => w.filter((id) => flow.some((m) => m.id === id && OURS.has(m.type))));
    if (LISTENING.has(n.type)) copy.port = String(await freePort());
    out.push(copy);
  }
  return out;
}

/** The loop-back address a node listens on, for portTaken ("" = every interface, probed on 127.0.0.1). */
function bindOf(n) {
  const h = String(n.host || "").replace(/^\[(.*)\]$/, "$1");
  return h === "" || h === "localhost" ? "127.0.0.1" : h;
}

describe("flows saved by today's editor", function () {
  this.timeout(20000);
  // Nodes that keep queued jobs on disk do it under the user dir: a temporary one, not the home directory's.
  let userDir;
  before(function () {
    userDir = fs.mkdtempSync(path.join(require("os").tmpdir(), "tcpa-saved-"));
    helper.settings({ userDir });
  });
  after(function () {
    helper.settings({ userDir: undefined });
    fs.rmSync(userDir, { recursive: true, force: true });
  });
  afterEach(async function () {
    await helper.unload();
  });

  it("parse exactly as before (every example and the hand-written flow)", function () {
    const got = {};
    for (const { name, flow } of flows)
      for (const n of flow) if (OURS.has(n.type) && n.type !== "tcp-connection-manager") got[`${name}#${n.id}`] = parsedConfig(n);
    if (process.env.UPDATE_PARSED) fs.writeFileSync(SNAPSHOT, JSON.stringify(got, null, 2) + "\n");
    const want = read(SNAPSHOT);
    assert.deepStrictEqual(Object.keys(got).sort(), Object.keys(want).sort(), "the same nodes");
    for (const k of Object.keys(want)) assert.deepStrictEqual(got[k], want[k], k);
  });

  it("10 Modbus-TCP framing (MBAP): runs alone, the client's debug gets the registers the simulated device answers", async function () {
    const flow = examples.find((e) => e.name.startsWith("10 ")).flow;
    assert.strictEqual(flow[0].label, "Modbus/TCP framing (MBAP)");
    const port = String(await freePort());
    // Debug nodes become helpers (they need the editor's comms); both ends use a free port instead of 7702.
    // Comments are not loaded here (their module is the editor's).
    const run = flow
      .filter((n) => n.type !== "comment")
      .map((n) => (n.type === "debug" ? { id: n.id, type: "helper", z: n.z } : n.port === "7702" ? Object.assign({}, n, { port }) : n));
    await helper.load([...NODES, functionNode, injectNode, catchNode], run);
    const registers = flow.find((n) => n.type === "debug" && n.name === "registers").id;
    const got = [];
    helper.getNode(registers).on("input", (m) => got.push(m.payload));
    await waitFor(() => got.length >= 1, "the first decoded registers", 10000);
    assert.strictEqual(got[0].length, 2);
    assert.strictEqual(got[0][0], 100, "register 0 holds 100");
    assert.ok(got[0][1] >= 0 && got[0][1] < 60, "register 1 holds the seconds of the clock");
    const failed = flow.find((n) => n.type === "debug" && n.name.startsWith("request failed")).id;
    const errs = [];
    helper.getNode(failed).on("input", (m) => errs.push(m));
    assert.deepStrictEqual(errs, []);
  });

  for (const { name, flow } of flows) {
    it(`${name}: loads into the runtime with no configuration error; every listener comes up`, async function () {
      const c = certs();
      const nodesOf = await loadable(flow);
      const withTls = flow.some((n) => n.tls === "fx-tls");
      const all = withTls ? [tlsConfigNode("fx-tls", { cert: c.server.cert, key: c.server.key, ca: c.ca }), ...nodesOf] : nodesOf;
      await helper.load(NODES, onTab(all));
      const calls = (method, id) => helper._NodePrototype[method].getCalls().filter((x) => x.thisValue && x.thisValue.id === id);
      for (const n of nodesOf.filter((x) => OURS.has(x.type))) {
        assert.ok(helper.getNode(n.id), `${n.id} was created`);
        const errs = calls("error", n.id).map((x) => String(x.args[0] && x.args[0].message !== undefined ? x.args[0].message : x.args[0]));
        assert.deepStrictEqual(errs, [], `${n.id}: no error`);
        const red = calls("status", n.id).filter((x) => x.args[0] && x.args[0].fill === "red");
        assert.deepStrictEqual(
          red.map((x) => x.args[0].text),
          [],
          `${n.id}: no red status`,
        );
      }
      for (const n of nodesOf.filter((x) => LISTENING.has(x.type))) {
        await waitFor(() => portTaken(Number(n.port), bindOf(n)), `${n.id} listening on ${n.port}`);
      }
    });
  }
});
