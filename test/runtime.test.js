"use strict";
// The package as a user gets it: loaded by a real Node-RED from node_modules,
// with its editor HTML, help, message catalogs, icons, resources and examples
// served, and every example deployed without errors.
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const { freePort, connect, waitFor } = require("./helpers");
const { startRuntime } = require("./helpers/runtime");
const { PKG, ROOT } = require("../scripts/lib/userdir");

const TYPES = Object.keys(PKG["node-red"].nodes);
const EXAMPLES = fs.readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".json"));

describe("in a real Node-RED runtime", function () {
  this.timeout(60000);
  let red;
  before(async function () {
    const flows = EXAMPLES.flatMap((f) => JSON.parse(fs.readFileSync(path.join(ROOT, "examples", f), "utf8")));
    red = await startRuntime({ flows, port: await freePort() });
  });
  after(async function () {
    if (red) await red.stop();
  });

  it("registers every node type of package.json without errors", async function () {
    const res = await red.get("/nodes", { accept: "application/json" });
    const sets = JSON.parse(res.body).filter((s) => s.module === PKG.name);
    assert.deepStrictEqual(
      sets
        .map((s) => s.types)
        .flat()
        .sort(),
      [...TYPES].sort(),
    );
    for (const s of sets) assert.strictEqual(s.err, undefined, `${s.name}: ${s.err}`);
  });

  it("serves each node's editor template and help", async function () {
    const res = await red.get("/nodes", { accept: "text/html" });
    for (const t of TYPES) {
      assert.ok(res.body.includes(`data-template-name="${t}"`), `edit template of ${t}`);
      assert.ok(res.body.includes(`data-help-name="${t}"`), `help of ${t}`);
    }
  });

  it("serves the message catalogs", async function () {
    const res = await red.get("/nodes/messages?lng=en-US", { accept: "application/json" });
    const catalogs = JSON.parse(res.body);
    for (const t of TYPES) {
      const cat = catalogs[`${PKG.name}/${t}`];
      assert.ok(cat && cat[t], `catalog of ${t}`);
    }
  });

  it("serves the icons and the shared editor script", async function () {
    const icons = (await red.get("/icons", { accept: "application/json" })).body;
    assert.ok(JSON.parse(icons)[PKG.name], "icons registered");
    const own = TYPES.map((t) => /icon:\s*"([^"]+)"/.exec(fs.readFileSync(path.join(ROOT, "nodes", `${t}.html`), "utf8"))).filter(Boolean);
    const svgs = await Promise.all(own.map((m) => red.get(`/icons/${PKG.name}/${m[1]}`)));
    for (const [i, r] of svgs.entries()) assert.strictEqual(r.status, 200, own[i][1]);
    assert.strictEqual(new Set(svgs.map((r) => r.body)).size, svgs.length, "each node has an icon of its own");
    const js = await red.get(`/resources/${PKG.name}/editor-common.js`);
    assert.strictEqual(js.status, 200);
    assert.match(js.body, /TcpAutomation/);
  });

  it("lists every example under Import > Examples", async function () {
    const res = await red.get(`/library/examples/flows/${PKG.name}`, { accept: "application/json" });
    assert.strictEqual(res.status, 200, res.body);
    const names = JSON.parse(res.body).map((e) => e.fn);
    assert.deepStrictEqual(names.sort(), EXAMPLES.map((f) => f.replace(/\.json$/, "")).sort());
  });

  it("no two examples share a node id (a user imports several into one workspace)", function () {
    const seen = new Map();
    for (const f of EXAMPLES)
      for (const n of JSON.parse(fs.readFileSync(path.join(ROOT, "examples", f), "utf8"))) {
        assert.ok(!seen.has(n.id), `${n.id} is in "${f}" and in "${seen.get(n.id)}"`);
        seen.set(n.id, f);
      }
  });

  it("deploys every example with no error in the log", function () {
    const errors = red
      .log()
      .split("\n")
      .filter((l) => /\[(error|warn)\]/.test(l) && !/unencrypted credentials|Projects disabled/.test(l));
    assert.deepStrictEqual(errors, []);
  });

  it("the demo flow takes a connection on 127.0.0.1:7000 and lists it in the manager", async function () {
    const c = await connect(7000);
    const closed = new Promise((r) => c.on("close", r));
    c.on("data", () => undefined);
    c.write("hello demo\n");
    const list = await waitFor(async () => {
      const r = JSON.parse((await red.get("/tcp-connection-manager/default/connections")).body);
      const mine = r.connections.find((x) => x.remotePort === c.localPort);
      return mine && mine.bytesIn === 11 ? mine : undefined;
    }, "the demo connection in the live list");
    assert.strictEqual(list.localPort, 7000);
    const res = await red.post(`/tcp-connection-manager/default/connections/${list.id}/close`);
    assert.strictEqual(res.status, 200);
    await closed;
  });
});
