"use strict";
// TLS through Node-RED's own tls-config node, with real certificates made at
// test time: the trigger and the bridge as TLS servers (optionally mutual),
// send-to-tcp-port and the bridge's dial-out as verifying TLS clients.
const assert = require("assert");
const net = require("net");
const tls = require("tls");
const { onTab, helper, nodes, freePort, waitFor, connect, readAll, recorder, errors, portTaken } = require("../helpers");
const { certs, tlsConfigNode } = require("../helpers/certs");
const { keyed } = require("../helpers/catalog");

const tlsNode = require(require.resolve("@node-red/nodes/core/network/05-tls.js"));
const NODES = [nodes.manager, keyed(nodes.trigger), keyed(nodes.send), keyed(nodes.bridge), tlsNode];

function statuses(node) {
  const list = [];
  node.on("call:status", (c) => list.push(c.args[0]));
  return list;
}

function warnings(node) {
  const list = [];
  node.on("call:warn", (c) => list.push(String(c.args[0])));
  return list;
}

/** A TLS client; resolves once the handshake is done (or rejects with its error). */
function tlsClient(port, opts = {}) {
  return new Promise((resolve, reject) => {
    const s = tls.connect(Object.assign({ host: "127.0.0.1", port, servername: "localhost" }, opts), () => {
      s.removeListener("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
}

/** A trigger behind TLS, replies wired back via send-to-tcp-port (reply mode). */
async function startTrigger(tlsProps, triggerProps = {}) {
  const c = certs();
  const port = await freePort();
  await helper.load(
    NODES,
    onTab([
      tlsConfigNode("srvtls", Object.assign({ cert: c.server.cert, key: c.server.key, ca: c.ca }, tlsProps)),
      Object.assign(
        {
          id: "trig",
          type: "tcp-server-trigger",
          host: "127.0.0.1",
          port,
          tls: "srvtls",
          event: "line",
          eol: "lf",
          events: true,
          wires: [["out", "replier"], ["ev"]],
        },
        triggerProps,
      ),
      // (not id "reply": a property whose value is another node's id counts as a config node reference)
      { id: "replier", type: "send-to-tcp-port", mode: "reply", data: "payload", dataType: "msg", wires: [[]] },
      { id: "out", type: "helper" },
      { id: "ev", type: "helper" },
    ]),
  );
  await waitFor(() => portTaken(port), `TLS trigger on ${port}`);
  const trig = helper.getNode("trig");
  return { port, trig, out: recorder(helper.getNode("out")), ev: recorder(helper.getNode("ev")), st: statuses(trig) };
}

describe("security: TLS", function () {
  this.timeout(20000);
  before(function () {
    certs(); // openssl takes a moment; not inside a test's time
  });
  afterEach(async function () {
    await helper.unload();
  });

  describe("tcp-server-trigger as a TLS server", function () {
    it("a verifying TLS client is served and answered on its own encrypted connection; plain TCP is refused", async function () {
      const c = certs();
      const { port, out, ev } = await startTrigger({});
      const replyErrs = errors(helper.getNode("replier"));
      const s = await tlsClient(port, { ca: c.read(c.ca) });
      assert.ok(s.authorized, "the client trusts the server certificate (CA from the test)");
      const got = readAll(s);
      let echoed = "";
      s.on("data", (d) => (echoed += d));
      s.write("hello over tls\n");
      const [m] = await out.until(1);
      assert.strictEqual(m.payload, "hello over tls");
      assert.strictEqual(m.ip, "127.0.0.1");
      assert.strictEqual(m.port, s.localPort);
      // the reply node wrote the same payload back on that TLS session
      await waitFor(() => echoed === "hello over tls", "the reply on the TLS session").catch((e) => {
        throw new Error(`${e.message}; reply errors: ${replyErrs.map((x) => x.err.message)}`);
      });
      s.end();
      await got;

      const plain = await connect(port);
      plain.on("error", () => undefined);
      const plainPort = plain.localPort;
      plain.write("not tls\n");
      await waitFor(() => ev.msgs.some((e) => e.event === "refused" && e.reason === "tls"), "a refused event with reason tls");
      const r = ev.msgs.find((e) => e.event === "refused");
      assert.strictEqual(r.ip, "127.0.0.1");
      assert.strictEqual(r.port, plainPort);
      // What TLS said about it: plain text where a ClientHello belongs.
      assert.match(
        r.error && r.error.message,
        /wrong version number|unknown protocol|http request|packet length/i,
        JSON.stringify(r.error),
      );
      assert.strictEqual(out.msgs.length, 1, "nothing of the plain connection became a message");
    });

    it("a handshake not finished in time is refused and closed: silent peers cannot hold max connections", async function () {
      const c = certs();
      // settings.js tcpAutomation.tlsHandshakeTimeout (default 10 s), short here so the test is quick.
      helper.settings({ tcpAutomation: { tlsHandshakeTimeout: 400 } });
      try {
        const { port, out, ev } = await startTrigger({}, { maxConnections: 2 });
        const silent = [await connect(port), await connect(port)];
        const closed = silent.map((s) => new Promise((r) => s.on("close", r)));
        for (const s of silent) s.on("error", () => undefined);
        // The server closes both: nothing is left that counts against max connections.
        await Promise.all(closed);
        await waitFor(() => ev.msgs.filter((e) => e.event === "refused" && e.reason === "tls").length === 2, "two tls refusals");
        for (const r of ev.msgs.filter((e) => e.event === "refused"))
          assert.match(r.error && r.error.message, /timed? ?out/i, JSON.stringify(r.error));
        // A real client gets in at once.
        const s = await tlsClient(port, { ca: c.read(c.ca) });
        s.write("after the silent ones\n");
        const [m] = await out.until(1);
        assert.strictEqual(m.payload, "after the silent ones");
        s.destroy();
      } finally {
        helper.settings({});
      }
    });

    it("a client that does not trust the server's CA fails its handshake (the server is not blindly trusted)", async function () {
      const c = certs();
      const { port } = await startTrigger({});
      await assert.rejects(tlsClient(port, { ca: c.read(c.rogueCa) }), (/** @type {any} */ err) =>
        /self[- ]signed|unable to verify|UNABLE_TO_VERIFY/i.test(err.message + err.code),
      );
    });

    it("mutual TLS: a client certificate from the CA gets in; none, or one from another CA, is refused as tls", async function () {
      const c = certs();
      const { port, out, ev, st } = await startTrigger({}, { tlsClientAuth: "require" });
      const good = await tlsClient(port, { ca: c.read(c.ca), cert: c.read(c.client.cert), key: c.read(c.client.key) });
      good.write("from plc-17\n");
      const [m] = await out.until(1);
      assert.strictEqual(m.payload, "from plc-17");

      for (const opts of [{}, { cert: c.read(c.rogueClient.cert), key: c.read(c.rogueClient.key) }]) {
        const before = ev.msgs.filter((e) => e.event === "refused").length;
        // TLS 1.3: the client may finish its side before the server rejects its certificate.
        const bad = await tlsClient(port, Object.assign({ ca: c.read(c.ca) }, opts)).catch((err) => err);
        if (bad instanceof tls.TLSSocket) {
          bad.on("error", () => undefined);
          bad.write("must not arrive\n");
          await readAll(bad);
        }
        await waitFor(() => ev.msgs.filter((e) => e.event === "refused" && e.reason === "tls").length > before, "refused tls");
      }
      // A handshake that TLS itself fails says why. (A certificate from another CA is refused by Node.js after
      // the handshake without an error of its own, so that refusal has none.)
      const why = ev.msgs.filter((e) => e.event === "refused").map((e) => e.error && e.error.message);
      assert.match(why[0], /certificate/i, `no client certificate: ${why[0]}`);
      assert.deepStrictEqual(
        out.msgs.map((x) => x.payload),
        ["from plc-17"],
      );
      await waitFor(() => st.some((x) => /listening-refused.*"refused":2/.test(x.text || "")), "status counts the refusals");
      good.destroy();
    });

    it("mutual TLS without a CA, or TLS without a certificate: a clear configuration error, nothing listens", async function () {
      const c = certs();
      const port = await freePort();
      await helper.load(
        NODES,
        onTab([
          tlsConfigNode("noca", { cert: c.server.cert, key: c.server.key }),
          tlsConfigNode("nocert", { ca: c.ca }),
          { id: "t1", type: "tcp-server-trigger", host: "127.0.0.1", port, tls: "noca", tlsClientAuth: "require", wires: [[]] },
          { id: "t2", type: "tcp-server-trigger", host: "127.0.0.1", port: port + 1, tls: "nocert", wires: [[]] },
          { id: "t3", type: "tcp-server-trigger", host: "127.0.0.1", port: port + 2, tls: "gone", wires: [[]] },
        ]),
      );
      const text = (id) => {
        const node = helper.getNode(id);
        return node.error
          .getCalls()
          .filter((call) => call.thisValue === node)
          .map((call) => String(call.args[0]))
          .join("\n");
      };
      assert.match(text("t1"), /errors\.tls-no-ca/);
      assert.match(text("t2"), /errors\.tls-no-cert/);
      assert.match(text("t3"), /errors\.tls-missing.*gone/);
      assert.strictEqual(await portTaken(port), false);
    });
  });

  describe("send-to-tcp-port as a TLS client", function () {
    /** A TLS server with the given certificate that records what each connection sent. */
    async function tlsServer(pair, extra = {}) {
      const c = certs();
      const got = [];
      const server = tls.createServer(Object.assign({ cert: c.read(pair.cert), key: c.read(pair.key) }, extra), (s) => {
        s.on("error", () => undefined);
        const cert = s.getPeerCertificate();
        const cn = cert && cert.subject ? cert.subject.CN : undefined;
        readAll(s).then((b) => got.push({ data: b.toString(), authorized: s.authorized, cn }));
      });
      server.on("tlsClientError", () => undefined);
      await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
      return {
        port: /** @type {import("net").AddressInfo} */ (server.address()).port,
        got,
        close: () => new Promise((r) => server.close(r)),
      };
    }

    async function sender(props, tlsProps) {
      const c = certs();
      await helper.load(
        NODES,
        onTab([
          tlsConfigNode("cli", Object.assign({ ca: c.ca }, tlsProps)),
          Object.assign({ id: "send", type: "send-to-tcp-port", tls: "cli", attempts: "1", wires: [["out"]] }, props),
          { id: "out", type: "helper" },
        ]),
      );
      const send = helper.getNode("send");
      return { send, out: recorder(helper.getNode("out")), errs: errors(send), warns: warnings(send), st: statuses(send) };
    }

    const servers = [];
    afterEach(async function () {
      await Promise.all(servers.splice(0).map((s) => s.close()));
    });
    const server = async (pair, extra) => {
      const s = await tlsServer(pair, extra);
      servers.push(s);
      return s;
    };

    it("verifies the server certificate and host name by default and delivers over TLS", async function () {
      const c = certs();
      const srv = await server(c.server);
      const { send, out, errs } = await sender({ host: "127.0.0.1", port: srv.port });
      send.receive({ payload: "^XA^FDsecret^FS^XZ" });
      await out.until(1);
      await waitFor(() => srv.got.length === 1, "the server got the job");
      assert.strictEqual(srv.got[0].data, "^XA^FDsecret^FS^XZ");
      assert.deepStrictEqual(errs, []);
    });

    it("refuses a server whose certificate names another host (ERR_TLS_CERT_ALTNAME_INVALID), and one it does not trust", async function () {
      const c = certs();
      // The certificate is for other.example; we dial 127.0.0.1 (and, below, ask for "localhost" by SNI).
      const wrongName = await server(c.other);
      const { send, errs, out } = await sender({ host: "127.0.0.1", port: wrongName.port });
      send.receive({ payload: "x" });
      await waitFor(() => errs.length === 1, "an error");
      assert.strictEqual(errs[0].err.code, "ERR_TLS_CERT_ALTNAME_INVALID");
      assert.strictEqual(out.msgs.length, 0);
      await helper.unload();

      const byName = await sender({ host: "127.0.0.1", port: wrongName.port }, { servername: "localhost" });
      byName.send.receive({ payload: "x" });
      await waitFor(() => byName.errs.length === 1, "an error");
      assert.strictEqual(byName.errs[0].err.code, "ERR_TLS_CERT_ALTNAME_INVALID");
      await helper.unload();
      assert.ok(
        wrongName.got.every((g) => g.data === ""),
        "no job bytes reached the wrongly named server",
      );

      const untrusted = await server(c.server);
      const n = await sender({ host: "127.0.0.1", port: untrusted.port }, { ca: c.rogueCa });
      n.send.receive({ payload: "x" });
      await waitFor(() => n.errs.length === 1, "an error");
      assert.match(n.errs[0].err.code, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(
        untrusted.got.every((g) => g.data === ""),
        "the job's bytes never reached the untrusted server",
      );
    });

    it("the explicit opt-out (tlsVerify off) delivers anyway, warns at start and says so in the status", async function () {
      const c = certs();
      const srv = await server(c.other);
      const n = await sender({ host: "127.0.0.1", port: srv.port, tlsVerify: false });
      n.send.receive({ payload: "insecure" });
      await n.out.until(1);
      await waitFor(() => srv.got.length === 1, "the server got the job");
      assert.strictEqual(srv.got[0].data, "insecure");
      assert.ok(n.send.warn.calledWithMatch(/warn\.tls-unverified/), "a warning at start");
      await waitFor(() => n.st.some((x) => /status\.unverified/.test(x.text || "")), "status says NOT verified");
    });

    it("presents its client certificate to a mutual-TLS trigger: end to end, send -> trigger", async function () {
      const c = certs();
      const port = await freePort();
      await helper.load(
        NODES,
        onTab([
          tlsConfigNode("srv", { cert: c.server.cert, key: c.server.key, ca: c.ca }),
          tlsConfigNode("cli", { cert: c.client.cert, key: c.client.key, ca: c.ca }),
          {
            id: "trig",
            type: "tcp-server-trigger",
            host: "127.0.0.1",
            port,
            tls: "srv",
            tlsClientAuth: "require",
            event: "close",
            output: "string",
            wires: [["out"]],
          },
          { id: "send", type: "send-to-tcp-port", host: "127.0.0.1", port, tls: "cli", wires: [["done"]] },
          { id: "out", type: "helper" },
          { id: "done", type: "helper" },
        ]),
      );
      await waitFor(() => portTaken(port), "trigger listening");
      helper.getNode("send").receive({ payload: "job over mTLS" });
      const [m] = await recorder(helper.getNode("out")).until(1);
      assert.strictEqual(m.payload, "job over mTLS");
    });
  });

  describe("tcp-server-client-bridge", function () {
    it("listens with mutual TLS and dials out over verified TLS, both with one tls-config", async function () {
      const c = certs();
      const port = await freePort();
      // The peer: a TLS server that requires our client certificate.
      const got = [];
      const peer = tls.createServer(
        { cert: c.read(c.server.cert), key: c.read(c.server.key), ca: c.read(c.ca), requestCert: true, rejectUnauthorized: true },
        (s) => {
          s.on("error", () => undefined);
          s.on("data", (d) => got.push({ data: d.toString(), cn: s.getPeerCertificate().subject.CN }));
        },
      );
      await new Promise((r) => peer.listen(0, "127.0.0.1", () => r(undefined)));
      try {
        await helper.load(
          NODES,
          onTab([
            tlsConfigNode("both", { cert: c.server.cert, key: c.server.key, ca: c.ca }),
            {
              id: "br",
              type: "tcp-server-client-bridge",
              host: "127.0.0.1",
              port,
              peerHost: "127.0.0.1",
              peerPort: /** @type {import("net").AddressInfo} */ (peer.address()).port,
              eventBytes: "1",
              holdOff: "0.2",
              tls: "both",
              tlsClientAuth: "require",
              event: "line",
              eol: "lf",
              wires: [["out"]],
            },
            { id: "out", type: "helper" },
          ]),
        );
        const br = helper.getNode("br");
        br.receive({ payload: "alarm 1\n" });
        await waitFor(() => got.length > 0, "the peer got the bytes over TLS");
        assert.strictEqual(got[0].data, "alarm 1\n");
        assert.strictEqual(got[0].cn, "localhost", "the bridge presented the tls-config's certificate");
      } finally {
        await helper.unload();
        await new Promise((r) => peer.close(r));
      }
      // Inbound: a client with a CA-signed certificate is linked; the bridge's frames come out.
      await helper.load(
        NODES,
        onTab([
          tlsConfigNode("both", { cert: c.server.cert, key: c.server.key, ca: c.ca }),
          {
            id: "br",
            type: "tcp-server-client-bridge",
            host: "127.0.0.1",
            port,
            peerHost: "127.0.0.1",
            peerPort: 9,
            eventBytes: "100",
            tls: "both",
            tlsClientAuth: "require",
            event: "line",
            eol: "lf",
            events: true,
            wires: [["out"], ["ev"]],
          },
          { id: "out", type: "helper" },
          { id: "ev", type: "helper" },
        ]),
      );
      await waitFor(() => portTaken(port), "bridge listening");
      const ev = recorder(helper.getNode("ev"));
      const s = await tlsClient(port, { ca: c.read(c.ca), cert: c.read(c.client.cert), key: c.read(c.client.key) });
      s.write("status ok\n");
      const [m] = await recorder(helper.getNode("out")).until(1);
      assert.strictEqual(m.payload, "status ok");
      s.destroy();
      await waitFor(() => ev.msgs.some((e) => e.event === "closed"), "the link closed");
      const plain = net.connect(port, "127.0.0.1", () => plain.write("HELLO plain\r\n"));
      plain.on("error", () => undefined);
      await waitFor(() => ev.msgs.some((e) => e.event === "refused" && e.reason === "tls"), "plain TCP refused as tls");
    });
  });
});
