"use strict";
// The metrics endpoint in a real Node-RED with adminAuth on: a scraper authenticates with an admin token
// (settings.js adminAuth.tokens, sent as "Authorization: Bearer ..."), and needs tcp-connection-manager.read.
const assert = require("assert");
const { freePort, connect, waitFor } = require("../helpers");
const { startRuntime } = require("../helpers/runtime");

const ADMIN_AUTH = `{
  adminAuth: {
    type: "credentials",
    users: [],
    tokens: function (token) {
      const known = {
        "scrape-token": { username: "prometheus", permissions: ["tcp-connection-manager.read"] },
        "reader-token": { username: "viewer", permissions: "read" },
        "flows-token": { username: "flows-only", permissions: ["flows.read"] },
      };
      return Promise.resolve(known[token] || null);
    },
  },
}`;

describe("security: the metrics endpoint needs tcp-connection-manager.read", function () {
  this.timeout(60000);
  let red;
  let tcpPort;
  before(async function () {
    tcpPort = await freePort();
    const flows = [
      { id: "t14", type: "tab", label: "metrics" },
      { id: "sec14", type: "tcp-server-trigger", z: "t14", name: "secured", host: "127.0.0.1", port: tcpPort, event: "line", wires: [[]] },
    ];
    red = await startRuntime({ flows, port: await freePort(), settingsJs: ADMIN_AUTH });
  });
  after(async function () {
    if (red) await red.stop();
  });

  const get = (token) => red.get("/tcp-connection-manager/metrics", token ? { authorization: `Bearer ${token}` } : {});

  it("without a token: 401, and not a number leaks", async function () {
    const res = await get();
    assert.strictEqual(res.status, 401);
    assert.ok(!res.body.includes("tcp_automation_"));
  });

  it("a token with another permission only (flows.read) or an unknown token: refused", async function () {
    for (const token of ["flows-token", "no-such-token"]) {
      const res = await get(token);
      assert.ok(res.status === 401 || res.status === 403, `${token}: ${res.status}`);
      assert.ok(!res.body.includes("tcp_automation_"));
    }
  });

  it("a scraper's token with tcp-connection-manager.read (or the read role): the Prometheus text, with the node's traffic", async function () {
    const c = await connect(tcpPort);
    c.write("hello\n");
    const res = await waitFor(async () => {
      const r = await get("scrape-token");
      return r.status === 200 && /tcp_automation_frames_in_total\{[^}]*node_id="sec14"[^}]*\} 1\b/.test(r.body) ? r : undefined;
    }, "a scrape with the frame");
    assert.match(res.headers["content-type"], /^text\/plain/);
    assert.match(res.body, /# TYPE tcp_automation_frames_in_total counter/);
    assert.strictEqual((await get("reader-token")).status, 200);
    c.destroy();
  });
});
