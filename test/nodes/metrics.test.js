"use strict";
// Issue 14 part 3: the Prometheus metrics at GET /tcp-connection-manager/metrics, scraped after known
// traffic over real sockets and read with a real Prometheus text parser.
const assert = require("assert");
const net = require("net");
const parsePrometheus = require("parse-prometheus-text-format");
const { onTab, helper, nodes, freePort, waitFor, connect, portTaken, recorder, errors, refusedPort } = require("../helpers");
const { keyed } = require("../helpers/catalog");
const { device } = require("../helpers/device");

const NODES = [nodes.manager, nodes.trigger, nodes.send];
const HOST = "127.0.0.1";

/**
 * The scrape, parsed: name -> { type, metrics: [{ value, labels }] }. parse-prometheus-text-format 1.1 folds a
 * labelled histogram into one sample and drops its labels, _sum and _count; so histograms are read as untyped
 * lines (name_bucket, name_sum, name_count, each with its labels), after checking they are declared histograms.
 */
async function scrape() {
  const res = await helper.request().get("/tcp-connection-manager/metrics");
  assert.strictEqual(res.status, 200, res.text);
  assert.match(res.headers["content-type"], /^text\/plain;.*version=0\.0\.4/);
  const histograms = [...res.text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((x) => x[1]);
  const text = res.text.replace(/^# TYPE (\S+) histogram$/gm, "# TYPE $1 untyped");
  const out = {};
  for (const f of parsePrometheus(text)) {
    const family = (out[f.name] ??= { type: f.type, metrics: [] });
    family.metrics.push(...f.metrics);
  }
  for (const h of histograms) out[h].type = "HISTOGRAM";
  return out;
}

/** The value of the one sample of metric `name` whose labels include `labels`. */
function sample(m, name, labels) {
  const family = m[name];
  assert.ok(family, `metric ${name} in the scrape`);
  const hits = family.metrics.filter((s) => Object.entries(labels).every(([k, v]) => s.labels && s.labels[k] === v));
  assert.strictEqual(hits.length, 1, `one ${name} sample with ${JSON.stringify(labels)} (have ${JSON.stringify(family.metrics)})`);
  return Number(hits[0].value);
}

const nodeIds = (m) => new Set(Object.values(m).flatMap((f) => f.metrics.map((s) => s.labels && s.labels.node_id)));

/** Connects from a given loopback address (Linux answers on all of 127/8). */
function connectFrom(port, localAddress) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: HOST, localAddress }, () => resolve(s));
    s.on("error", reject);
  });
}

describe("metrics (prometheus)", function () {
  afterEach(async function () {
    helper.settings({});
    await helper.unload();
  });

  it("counts frames, bytes, connections, refusals and a failed send job exactly as sent", async function () {
    const port = await freePort();
    const refusing = await refusedPort(); // nothing listens: ECONNREFUSED
    await helper.load(
      NODES,
      onTab([
        { id: "mgr14", type: "tcp-connection-manager", name: "edge" },
        {
          id: "trig14",
          type: "tcp-server-trigger",
          name: "scanner in",
          manager: "mgr14",
          host: HOST,
          port,
          event: "line",
          eol: "lf",
          deny: "127.0.0.2",
          wires: [["out14"]],
        },
        { id: "out14", type: "helper" },
        { id: "send14", type: "send-to-tcp-port", name: "printer", host: HOST, port: refusing, attempts: 3, retryDelay: 5, wires: [[]] },
      ]),
    );
    await waitFor(() => portTaken(port), `trigger on ${port}`);
    const out = recorder(helper.getNode("out14"));
    const sendErrs = errors(helper.getNode("send14"));

    const refused = await connectFrom(port, "127.0.0.2");
    refused.on("error", () => undefined);
    refused.write("let me in\n");
    await new Promise((r) => refused.on("close", r));

    const lines = ["alpha", "beta", "gamma", "delta", "epsilon"].map((l) => `${l}\n`);
    const bytes = Buffer.byteLength(lines.join(""));
    const c = await connect(port);
    for (const l of lines) c.write(l);
    await out.until(lines.length);

    helper.getNode("send14").receive({ payload: "label" });
    await waitFor(() => sendErrs.length === 1, "the failed send job");

    const trig = { node_id: "trig14", node_type: "tcp-server-trigger", node_name: "scanner in", manager_id: "mgr14" };
    let m = await scrape();
    assert.strictEqual(sample(m, "tcp_automation_frames_in_total", trig), lines.length);
    assert.strictEqual(sample(m, "tcp_automation_messages_out_total", trig), lines.length);
    assert.strictEqual(sample(m, "tcp_automation_bytes_in_total", trig), bytes);
    assert.strictEqual(sample(m, "tcp_automation_bytes_out_total", trig), 0);
    assert.strictEqual(sample(m, "tcp_automation_accepted_connections_total", trig), 1);
    assert.strictEqual(sample(m, "tcp_automation_refused_connections_total", { ...trig, reason: "denied" }), 1);
    assert.strictEqual(sample(m, "tcp_automation_open_connections", trig), 1);
    assert.strictEqual(sample(m, "tcp_automation_manager_connections", { manager_id: "mgr14" }), 1);
    assert.strictEqual(m.tcp_automation_refused_connections_total.type, "COUNTER");
    assert.strictEqual(m.tcp_automation_open_connections.type, "GAUGE");

    const send = { node_id: "send14", node_type: "send-to-tcp-port", node_name: "printer", manager_id: "" };
    assert.strictEqual(sample(m, "tcp_automation_jobs_total", { ...send, outcome: "ECONNREFUSED" }), 1);
    assert.strictEqual(sample(m, "tcp_automation_errors_total", { ...send, code: "ECONNREFUSED" }), 1);
    assert.strictEqual(sample(m, "tcp_automation_retries_total", send), 2, "3 attempts: 2 retries");
    assert.strictEqual(sample(m, "tcp_automation_queue_depth", send), 0);
    assert.strictEqual(m.tcp_automation_job_duration_seconds.type, "HISTOGRAM");
    assert.strictEqual(sample(m, "tcp_automation_job_duration_seconds_count", send), 1);
    assert.ok(sample(m, "tcp_automation_job_duration_seconds_sum", send) > 0);
    assert.strictEqual(sample(m, "tcp_automation_job_duration_seconds_bucket", { ...send, le: "+Inf" }), 1);

    // A closed connection's bytes stay counted (the manager adds them up as it closes), and it is no longer open.
    c.end();
    await waitFor(async () => sample(await scrape(), "tcp_automation_open_connections", trig) === 0, "the connection closed");
    m = await scrape();
    assert.strictEqual(sample(m, "tcp_automation_bytes_in_total", trig), bytes);
    assert.strictEqual(sample(m, "tcp_automation_manager_connections", { manager_id: "mgr14" }), 0);
  });

  it("a send job that went through: jobs ok, bytes out, no error", async function () {
    const port = await freePort();
    let got = 0;
    const sink = net.createServer((s) => s.on("data", (d) => (got += d.length)));
    await new Promise((r) => sink.listen(port, HOST, () => r(undefined)));
    try {
      await helper.load(NODES, onTab([{ id: "send14ok", type: "send-to-tcp-port", host: HOST, port, wires: [[]] }]));
      const node = helper.getNode("send14ok");
      node.receive({ payload: "0123456789" });
      await waitFor(() => got === 10, "the bytes at the sink");
      const send = { node_id: "send14ok" };
      await waitFor(
        async () => (await scrape()).tcp_automation_jobs_total?.metrics.some((s) => s.labels.node_id === "send14ok"),
        "the job",
      );
      const m = await scrape();
      assert.strictEqual(sample(m, "tcp_automation_jobs_total", { ...send, outcome: "ok" }), 1);
      assert.strictEqual(sample(m, "tcp_automation_bytes_out_total", send), 10);
      assert.ok(!m.tcp_automation_errors_total || !m.tcp_automation_errors_total.metrics.some((s) => s.labels.node_id === "send14ok"));
    } finally {
      sink.close();
    }
  });

  it("tcp client: requests and replies, their durations, bytes both ways, and a reconnect after the device dropped the link", async function () {
    const dev = await device({ onData: (c, chunk) => c.socket.write(`OK ${chunk.toString("latin1")}`) });
    try {
      await helper.load(
        [nodes.manager, nodes.client],
        onTab([
          {
            id: "cl14",
            type: "tcp-client-link",
            name: "plc",
            host: HOST,
            port: String(dev.port),
            mode: "request",
            event: "line",
            eol: "lf",
            backoffFirst: 50,
            backoffLongest: 200,
            wires: [["out14c"]],
          },
          { id: "out14c", type: "helper" },
        ]),
      );
      const out = recorder(helper.getNode("out14c"));
      const cl = helper.getNode("cl14");
      await waitFor(() => dev.conns.length === 1, "dialled");
      const requests = ["q1\n", "q22\n", "q333\n"];
      for (const q of requests) cl.receive({ payload: q });
      await out.until(3);
      const l = { node_id: "cl14", node_type: "tcp-client-link", node_name: "plc", manager_id: "default" };
      const sent = Buffer.byteLength(requests.join(""));
      const answered = sent + 3 * "OK ".length;
      await waitFor(async () => sample(await scrape(), "tcp_automation_bytes_in_total", l) === answered, "the replies' bytes");
      let m = await scrape();
      assert.strictEqual(sample(m, "tcp_automation_frames_in_total", l), 3);
      assert.strictEqual(sample(m, "tcp_automation_messages_out_total", l), 3);
      assert.strictEqual(sample(m, "tcp_automation_bytes_out_total", l), sent);
      assert.strictEqual(sample(m, "tcp_automation_reply_duration_seconds_count", l), 3);
      assert.strictEqual(sample(m, "tcp_automation_open_connections", l), 1);
      assert.strictEqual(sample(m, "tcp_automation_queue_depth", l), 0);
      assert.strictEqual(sample(m, "tcp_automation_retries_total", l), 0);

      dev.conns[0].socket.destroy(); // the device drops the link: the client dials again
      await waitFor(() => dev.conns.length === 2, "dialled again");
      m = await scrape();
      assert.strictEqual(sample(m, "tcp_automation_retries_total", l), 1, "one reconnect");
      assert.strictEqual(sample(m, "tcp_automation_bytes_out_total", l), sent, "the closed link's bytes stay counted");
    } finally {
      await helper.unload();
      await dev.close();
    }
  });

  it("bridge and reply to sender: the peer that dialled in is accepted, its frames counted; replies are send jobs ok, their bytes on the bridge's session", async function () {
    const port = await freePort();
    await helper.load(
      [nodes.manager, nodes.bridge, nodes.send],
      onTab([
        {
          id: "br14",
          type: "tcp-server-client-bridge",
          name: "ez",
          host: HOST,
          port,
          peerHost: HOST,
          peerPort: await freePort(),
          eventBytes: 100, // no dial-out before 100 input bytes wait: the peer dials in
          event: "line",
          eol: "lf",
          wires: [["rep14"]],
        },
        { id: "rep14", type: "send-to-tcp-port", mode: "reply", wires: [[]] },
      ]),
    );
    await waitFor(() => portTaken(port), `bridge on ${port}`);
    const c = await connect(port);
    let back = "";
    c.on("data", (d) => (back += d.toString("latin1")));
    c.write("ping\npong\n");
    await waitFor(() => back === "pingpong", "both frames replied (payloads without their line ends)");
    const br = { node_id: "br14", node_type: "tcp-server-client-bridge", node_name: "ez", manager_id: "default" };
    const rep = { node_id: "rep14", node_type: "send-to-tcp-port", manager_id: "default" };
    const m = await scrape();
    assert.strictEqual(sample(m, "tcp_automation_accepted_connections_total", br), 1);
    assert.strictEqual(sample(m, "tcp_automation_frames_in_total", br), 2);
    assert.strictEqual(sample(m, "tcp_automation_bytes_in_total", br), 10);
    assert.strictEqual(sample(m, "tcp_automation_bytes_out_total", br), 8, "the replies went out on the bridge's session");
    assert.strictEqual(sample(m, "tcp_automation_open_connections", br), 1);
    assert.strictEqual(sample(m, "tcp_automation_jobs_total", { ...rep, outcome: "ok" }), 2);
    assert.strictEqual(sample(m, "tcp_automation_bytes_out_total", rep), 0, "a reply's bytes count once, on the session's owner");
    c.destroy();
  });

  it("bridge with its peer down: the bytes it holds, the refused dials as errors, the dial after a failed one as a retry", async function () {
    const port = await freePort();
    await helper.load(
      [nodes.manager, nodes.bridge],
      onTab([
        {
          id: "br14d",
          type: "tcp-server-client-bridge",
          host: HOST,
          port,
          peerHost: HOST,
          peerPort: await refusedPort(),
          eventBytes: 1,
          holdOff: 3, // s: the scrape after the second refusal comes well before a third dial
          wires: [[]],
        },
      ]),
    );
    await waitFor(() => portTaken(port), `bridge on ${port}`);
    const br = { node_id: "br14d", node_type: "tcp-server-client-bridge", manager_id: "default" };
    let m = await scrape();
    assert.strictEqual(sample(m, "tcp_automation_buffered_bytes", br), 0, "nothing held yet");
    helper.getNode("br14d").receive({ payload: "SOS\r\n" });
    const refusals = (x) =>
      (x.tcp_automation_errors_total ? x.tcp_automation_errors_total.metrics : []).filter(
        (s) => s.labels.node_id === "br14d" && s.labels.code === "ECONNREFUSED",
      );
    await waitFor(
      async () => {
        m = await scrape();
        return refusals(m).length === 1 && Number(refusals(m)[0].value) === 2;
      },
      "two refused dials",
      10000,
    );
    assert.strictEqual(sample(m, "tcp_automation_retries_total", br), 1, "the second dial is a retry");
    assert.strictEqual(sample(m, "tcp_automation_buffered_bytes", br), 5, "the input, held for the peer");
    assert.ok(
      !m.tcp_automation_buffered_bytes.metrics.some((s) => s.labels.node_type !== "tcp-server-client-bridge"),
      "only the bridge has the series",
    );
  });

  it("a node removed by a redeploy loses its series; the others keep counting", async function () {
    const [p1, p2] = [await freePort(), await freePort()];
    const trigger = (id, port) => ({ id, type: "tcp-server-trigger", host: HOST, port, event: "line", eol: "lf", wires: [[]] });
    await helper.load(NODES, onTab([trigger("keep14", p1), trigger("gone14", p2)]));
    await waitFor(async () => (await portTaken(p1)) && portTaken(p2), "both triggers");
    const c = await connect(p1);
    c.write("one\n");
    await waitFor(async () => sample(await scrape(), "tcp_automation_frames_in_total", { node_id: "keep14" }) === 1, "a frame");
    assert.ok(nodeIds(await scrape()).has("gone14"));

    // A full deploy (Node-RED does not say "removed" then) and a modified-nodes one (it does).
    await helper.setFlows(onTab([trigger("keep14", p1), trigger("gone14b", p2)]), "full");
    let ids = nodeIds(await scrape());
    assert.ok(!ids.has("gone14"), "the removed node's series are gone");
    assert.ok(ids.has("gone14b") && ids.has("keep14"));
    await helper.setFlows(onTab([trigger("keep14", p1)]), "nodes");
    ids = nodeIds(await scrape());
    assert.ok(!ids.has("gone14b"), "removed in a modified-nodes deploy");

    // keep14 was restarted by the full deploy with the same labels: its counter did not fall.
    const c2 = await connect(p1);
    c2.write("two\n");
    await waitFor(async () => sample(await scrape(), "tcp_automation_frames_in_total", { node_id: "keep14" }) === 2, "counting on");
    c.destroy();
    c2.destroy();
  });

  it("status: the trigger adds its message rate while frames arrive, through the catalog (status.rate)", async function () {
    const port = await freePort();
    await helper.load(
      [nodes.manager, keyed(nodes.trigger)],
      onTab([
        { id: "rate14", type: "tcp-server-trigger", host: HOST, port, event: "line", eol: "lf", wires: [["out14r"]] },
        { id: "out14r", type: "helper" },
      ]),
    );
    await waitFor(() => portTaken(port), `trigger on ${port}`);
    const statuses = [];
    helper.getNode("rate14").on("call:status", (c) => statuses.push(c.args[0].text));
    const out = recorder(helper.getNode("out14r"));
    const c = await connect(port);
    for (let i = 0; i < 20; i++) c.write(`line ${i}\n`);
    await out.until(20);
    // One tick (1 s) later the rate is there: 20 messages over the seconds seen so far (one, unless the machine is slow).
    const withRate = await waitFor(() => statuses.find((t) => /status\.rate/.test(t)), "a status with the rate", 5000);
    assert.match(withRate, /"rate":"(20|10|6\.7|5|4)"/, "20 messages over 1 to 5 seconds");
    assert.match(withRate, /status\.listening/, "around the usual listening text");
    c.destroy();
  });

  it("tcpAutomation.metrics: false switches the endpoint off (404, in words)", async function () {
    helper.settings({ tcpAutomation: { metrics: false } });
    await helper.load(NODES, onTab([{ id: "mgr14off", type: "tcp-connection-manager" }]));
    const res = await helper.request().get("/tcp-connection-manager/metrics");
    assert.strictEqual(res.status, 404);
    assert.match(res.body.error, /metrics-off/);
  });
});
