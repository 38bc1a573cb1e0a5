"use strict";
// The docs recipe (docs/security.md), tested: real nginx (stream module,
// "proxy_protocol on") on loopback in front of two triggers playing two
// Node-RED instances. Clients connect from their own loopback addresses; the
// triggers must see those (not nginx's) and the replies must reach them.
//
// Skips with a message where nginx is not installed; with TCPA_REQUIRE_NGINX=1
// (CI) a missing nginx fails instead.
const assert = require("assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { skipBecause } = require("../helpers/skips");
const net = require("net");
const { spawn, spawnSync } = require("child_process");
const { onTab, helper, nodes, freePort, waitFor, recorder } = require("../helpers");

const NODES = [nodes.manager, nodes.trigger, nodes.send];

function findNginx() {
  for (const p of [process.env.NGINX, "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"]) {
    if (p && fs.existsSync(p)) return p;
  }
  const r = spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** "load_module ..." when the stream module is a dynamic module, "" when built in. */
function streamModuleLine(nginx) {
  const v = spawnSync(nginx, ["-V"], { encoding: "utf8" });
  const text = `${v.stdout}${v.stderr}`;
  if (/--with-stream(\s|$)/.test(text)) return "";
  for (const dir of ["/usr/lib/nginx/modules", "/usr/lib64/nginx/modules", "/usr/share/nginx/modules", "/usr/local/nginx/modules"]) {
    const so = path.join(dir, "ngx_stream_module.so");
    if (fs.existsSync(so)) return `load_module ${so};`;
  }
  throw new Error(`nginx at ${nginx} has no stream module (Debian: apt-get install libnginx-mod-stream)`);
}

async function startNginx(nginx, listenPort, upstreamPorts) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tcpa-nginx-"));
  const conf = path.join(dir, "nginx.conf");
  // The recipe from docs/security.md, on loopback ports. proxy_bind: nginx talks to the
  // instances from 127.0.0.3, so its own address is told apart from the clients'.
  fs.writeFileSync(
    conf,
    `${streamModuleLine(nginx)}
worker_processes 1;
events { worker_connections 256; }
stream {
    upstream node_red_triggers {
${upstreamPorts.map((p) => `        server 127.0.0.1:${p};`).join("\n")}
    }
    server {
        listen 127.0.0.1:${listenPort};
        proxy_pass node_red_triggers;
        proxy_protocol on;
        proxy_bind 127.0.0.3;
        proxy_connect_timeout 2s;
    }
}
`,
  );
  const child = spawn(
    nginx,
    ["-p", dir, "-c", conf, "-e", path.join(dir, "error.log"), "-g", `daemon off; pid ${path.join(dir, "nginx.pid")};`],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const exited = new Promise((r) => child.once("exit", r));
  const errorLog = () => {
    try {
      return fs.readFileSync(path.join(dir, "error.log"), "utf8");
    } catch {
      return "";
    }
  };
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited: ${log}\n${errorLog()}`);
      return new Promise((resolve) => {
        const s = net.connect(listenPort, "127.0.0.1", () => {
          s.destroy();
          resolve(true);
        });
        s.on("error", () => resolve(false));
      });
    },
    "nginx listening",
    10000,
  );
  return {
    errorLog,
    async stop() {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function clientFrom(localAddress, port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port, localAddress }, () => {
      let got = "";
      s.on("data", (d) => (got += d));
      /** @type {any} */ (s).got = () => got;
      resolve(s);
    });
    s.once("error", reject);
  });
}

describe("security: nginx stream with proxy_protocol in front of two triggers", function () {
  this.timeout(30000);
  let nginxBin;
  let nginx;

  before(function () {
    nginxBin = findNginx();
    if (!nginxBin) {
      if (process.env.TCPA_REQUIRE_NGINX === "1") throw new Error("nginx is required here (TCPA_REQUIRE_NGINX=1) but not installed");
      skipBecause(
        this,
        "nginx in front of two triggers",
        "nginx is not installed (Debian: apt-get install nginx libnginx-mod-stream; CI requires it)",
      );
    }
  });

  afterEach(async function () {
    if (nginx) await nginx.stop();
    nginx = undefined;
    await helper.unload();
  });

  it("each trigger sees the real client address; every client gets its own reply through nginx", async function () {
    const [p1, p2, front] = [await freePort(), await freePort(), await freePort()];
    const trig = (id, port, out) => ({
      id,
      type: "tcp-server-trigger",
      host: "127.0.0.1",
      port,
      proxyProtocol: "v1",
      proxyFrom: "127.0.0.3",
      allow: "127.0.0.0/24",
      event: "line",
      eol: "lf",
      wires: [[out, "replier"]],
    });
    await helper.load(
      NODES,
      onTab([
        trig("instance1", p1, "out1"),
        trig("instance2", p2, "out2"),
        // Replies: "instance N saw <ip>:<port> say <payload>" back on the sender's connection.
        {
          id: "replier",
          type: "send-to-tcp-port",
          mode: "reply",
          data: "'instance ' & ($.localPort = " + p1 + " ? '1' : '2') & ' saw ' & ip & ':' & port & ' say ' & payload & '\\n'",
          dataType: "jsonata",
          wires: [[]],
        },
        { id: "out1", type: "helper" },
        { id: "out2", type: "helper" },
      ]),
    );
    nginx = await startNginx(nginxBin, front, [p1, p2]);
    const out1 = recorder(helper.getNode("out1"));
    const out2 = recorder(helper.getNode("out2"));

    const clients = [];
    for (let i = 0; i < 4; i++) clients.push(await clientFrom(`127.0.0.${10 + i}`, front));
    clients.forEach((c, i) => c.write(`reading ${i}\n`));
    await waitFor(() => out1.msgs.length + out2.msgs.length === 4, "four messages through nginx", 10000);
    assert.ok(out1.msgs.length > 0 && out2.msgs.length > 0, `round robin over both instances (${out1.msgs.length}/${out2.msgs.length})`);
    for (const m of [...out1.msgs, ...out2.msgs]) {
      const i = Number(m.payload.split(" ")[1]);
      assert.strictEqual(m.ip, `127.0.0.${10 + i}`, "the client's address, not nginx's 127.0.0.3");
      assert.strictEqual(m.port, clients[i].localPort, "the client's own port");
    }
    await waitFor(() => clients.every((c) => c.got().endsWith("\n")), "a reply for every client", 10000);
    clients.forEach((c, i) =>
      assert.match(c.got(), new RegExp(`^instance [12] saw 127\\.0\\.0\\.${10 + i}:${c.localPort} say reading ${i}\\n$`)),
    );
    for (const c of clients) c.destroy();
  });

  it("a connection that reaches an instance directly is refused, also with a forged header (Balancers = nginx)", async function () {
    const port = await freePort();
    await helper.load(
      NODES,
      onTab([
        {
          id: "t",
          type: "tcp-server-trigger",
          host: "127.0.0.1",
          port,
          proxyProtocol: "v1",
          proxyFrom: "127.0.0.3",
          events: true,
          event: "line",
          eol: "lf",
          wires: [["out"], ["ev"]],
        },
        { id: "out", type: "helper" },
        { id: "ev", type: "helper" },
      ]),
    );
    const front = await freePort();
    nginx = await startNginx(nginxBin, front, [port]);
    const ev = recorder(helper.getNode("ev"));
    const direct = await clientFrom("127.0.0.20", port);
    direct.write("PROXY-less hello\n");
    await new Promise((r) => direct.on("close", r));
    const forged = await clientFrom("127.0.0.22", port);
    forged.on("error", () => undefined);
    forged.write("PROXY TCP4 203.0.113.9 127.0.0.1 4000 9000\r\nforged hello\n");
    await new Promise((r) => forged.on("close", r));
    const refusals = () => ev.msgs.filter((e) => e.event === "refused").map((e) => `${e.ip} ${e.reason}`);
    await waitFor(() => refusals().length === 2, "two refusals");
    assert.deepStrictEqual(refusals().sort(), ["127.0.0.20 proxy-untrusted", "127.0.0.22 proxy-untrusted"]);
    const via = await clientFrom("127.0.0.21", front);
    via.write("hello\n");
    const [m] = await recorder(helper.getNode("out")).until(1);
    assert.strictEqual(m.ip, "127.0.0.21");
    via.destroy();
  });
});
