"use strict";
// lib/metrics without Node-RED: what a node records, what a scrape renders, and what goes when a node does.
const assert = require("assert");
const parsePrometheus = require("parse-prometheus-text-format");
const { lib } = require("../../helpers");
const m = lib("metrics/index.js");

const labels = (id, extra = {}) => ({ node_id: id, node_type: "tcp-server-trigger", node_name: "n", manager_id: "m", ...extra });

async function scraped() {
  const { body, contentType } = await m.scrape();
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  const out = {};
  for (const f of parsePrometheus(body.replace(/^# TYPE (\S+) histogram$/gm, "# TYPE $1 untyped"))) {
    (out[f.name] ??= []).push(...f.metrics);
  }
  return out;
}
const value = (s, name, match) => {
  const hit = (s[name] || []).filter((x) => Object.entries(match).every(([k, v]) => x.labels && x.labels[k] === v));
  return hit.length === 1 ? Number(hit[0].value) : hit.length === 0 ? undefined : NaN;
};

describe("metrics: lib/metrics", function () {
  it("a node's plain counts become labelled series at scrape time, with the session bytes of its manager's table", async function () {
    const n = m.acquireNodeMetrics(labels("lm1"), true);
    n.accepted();
    n.refused("denied");
    n.refused("denied");
    n.refused("limit");
    n.framesIn(3);
    n.messagesOut(3);
    n.error("EFRAMETOOLARGE");
    n.retries(2);
    n.jobOk();
    n.jobFailed("ECONNREFUSED");
    n.jobTime(0.02);
    n.reply(0.003);
    n.bytes(5, 7);
    n.tally.bytesIn += 100; // a closed session's
    n.gauges(() => ({ queued: 4, open: 1 }));
    const source = {
      size: 2,
      *sessions() {
        yield { owner: { id: "lm1" }, socket: { bytesRead: 10, bytesWritten: 1 } };
        yield { owner: { id: "someone-else" }, socket: { bytesRead: 99, bytesWritten: 99 } };
      },
    };
    m.addSessionSource("lm-mgr", source);
    try {
      const s = await scraped();
      const l = { node_id: "lm1" };
      assert.strictEqual(value(s, "tcp_automation_accepted_connections_total", l), 1);
      assert.strictEqual(value(s, "tcp_automation_refused_connections_total", { ...l, reason: "denied" }), 2);
      assert.strictEqual(value(s, "tcp_automation_refused_connections_total", { ...l, reason: "limit" }), 1);
      assert.strictEqual(value(s, "tcp_automation_frames_in_total", l), 3);
      assert.strictEqual(value(s, "tcp_automation_messages_out_total", l), 3);
      assert.strictEqual(value(s, "tcp_automation_errors_total", { ...l, code: "EFRAMETOOLARGE" }), 1);
      assert.strictEqual(value(s, "tcp_automation_errors_total", { ...l, code: "ECONNREFUSED" }), 1, "a failed job is an error too");
      assert.strictEqual(value(s, "tcp_automation_jobs_total", { ...l, outcome: "ok" }), 1);
      assert.strictEqual(value(s, "tcp_automation_jobs_total", { ...l, outcome: "ECONNREFUSED" }), 1);
      assert.strictEqual(value(s, "tcp_automation_retries_total", l), 2);
      assert.strictEqual(value(s, "tcp_automation_bytes_in_total", l), 5 + 100 + 10, "own + closed sessions + live sessions");
      assert.strictEqual(value(s, "tcp_automation_bytes_out_total", l), 7 + 1);
      assert.strictEqual(value(s, "tcp_automation_open_connections", l), 2, "one live session + one of its own");
      assert.strictEqual(value(s, "tcp_automation_queue_depth", l), 4);
      assert.strictEqual(value(s, "tcp_automation_job_duration_seconds_count", l), 1);
      assert.strictEqual(value(s, "tcp_automation_reply_duration_seconds_count", l), 1);
      assert.strictEqual(value(s, "tcp_automation_reply_duration_seconds_bucket", { ...l, le: "0.005" }), 1);
      assert.strictEqual(value(s, "tcp_automation_manager_connections", { manager_id: "lm-mgr" }), 2);
      const again = await scraped();
      assert.strictEqual(value(again, "tcp_automation_frames_in_total", l), 3, "a second scrape counts nothing twice");
    } finally {
      m.removeSessionSource("lm-mgr", source);
      m.releaseNodeMetrics(n, true);
    }
    const s = await scraped();
    assert.strictEqual(
      value(s, "tcp_automation_manager_connections", { manager_id: "lm-mgr" }),
      undefined,
      "the manager's series went with it",
    );
  });

  it("a restart with the same labels carries on counting; a removed or renamed node loses its series", async function () {
    const a = m.acquireNodeMetrics(labels("lm2"), true);
    a.framesIn(5);
    m.releaseNodeMetrics(a, false); // redeployed, not removed
    const b = m.acquireNodeMetrics(labels("lm2"), true);
    assert.strictEqual(b, a, "the same counts go on");
    b.framesIn(1);
    b.reply(0.1);
    assert.strictEqual(value(await scraped(), "tcp_automation_frames_in_total", { node_id: "lm2" }), 6);

    const renamed = m.acquireNodeMetrics(labels("lm2", { node_name: "other" }), true);
    let s = await scraped();
    assert.strictEqual(value(s, "tcp_automation_frames_in_total", { node_id: "lm2", node_name: "n" }), undefined);
    assert.strictEqual(value(s, "tcp_automation_reply_duration_seconds_count", { node_id: "lm2", node_name: "n" }), undefined);
    assert.strictEqual(value(s, "tcp_automation_frames_in_total", { node_id: "lm2", node_name: "other" }), 0);

    m.releaseNodeMetrics(renamed, true);
    s = await scraped();
    const ids = Object.values(s).flatMap((xs) => xs.map((x) => x.labels && x.labels.node_id));
    assert.ok(!ids.includes("lm2"), "no series of a removed node");
  });

  it("metrics off: the node still counts (its status rate needs it) but is never scraped", async function () {
    const off = m.acquireNodeMetrics(labels("lm3"), false);
    off.messagesOut(10);
    off.reply(0.5);
    assert.strictEqual(off.messagesOutTotal, 10);
    const ids = Object.values(await scraped()).flatMap((xs) => xs.map((x) => x.labels && x.labels.node_id));
    assert.ok(!ids.includes("lm3"));
  });

  it("codeOf: an error's own code, else EUNKNOWN", function () {
    assert.strictEqual(m.codeOf(Object.assign(new Error("x"), { code: "ECONNRESET" })), "ECONNRESET");
    assert.strictEqual(m.codeOf(new Error("x")), "EUNKNOWN");
    assert.strictEqual(m.codeOf(null), "EUNKNOWN");
  });

  it("its own registry: prom-client's global one stays empty", async function () {
    const promClient = require("prom-client");
    assert.strictEqual((await promClient.register.metrics()).trim(), "");
    assert.notStrictEqual(m.definitions().registry, promClient.register);
  });
});
