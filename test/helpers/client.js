// The tcp client's link and request layers under test: default options for loopback devices, and every
// handler call recorded in order, so tests assert on what the link reported.
"use strict";
const { helper, lib, onTab, recorder: messages, sleep, waitFor } = require("./index");
const { Link } = lib("client/link.js");
const { parseFramingConfig } = lib("inbound/framing-config.js");
const { SessionRegistry } = lib("sessions/registry.js");

/** Options for a link to 127.0.0.1:port: lines as strings, quick retries without jitter, no liveness checks. */
function linkOptions(port, extra = {}) {
  return Object.assign(
    {
      host: "127.0.0.1",
      port,
      connectTimeoutMs: 2000,
      connect: "always",
      idleCloseMs: 1000,
      backoff: { firstMs: 20, longestMs: 200, jitter: "none", withinMs: 0 },
      stableMs: 100,
      keepAliveMs: 0,
      writeTimeoutMs: 0,
      queue: { maxMessages: 100000, maxBytes: 64 * 1024 * 1024, policy: "refuse", maxAgeMs: 0 },
      inbound: Object.assign(parseFramingConfig({ event: "line", eol: "lf", output: "string" }), { readTimeoutMs: 0, topic: "" }),
      registry: new SessionRegistry(),
      owner: { id: "client-1", type: "tcp-client-link" },
    },
    extra,
  );
}

const LINK_EVENTS = [
  "status",
  "connected",
  "closed",
  "dialFailed",
  "reconnecting",
  "gaveUp",
  "frames",
  "frameError",
  "skipped",
  "sent",
  "failed",
];
const REQUEST_EVENTS = [
  "status",
  "connected",
  "closed",
  "dialFailed",
  "reconnecting",
  "gaveUp",
  "frameError",
  "skipped",
  "replied",
  "failed",
  "unsolicited",
  "late",
];

function recorder(names) {
  const log = [];
  const handlers = {};
  for (const n of names) handlers[n] = (...args) => log.push({ name: n, args, t: Date.now() });
  const calls = (name) => log.filter((e) => e.name === name).map((e) => e.args);
  return { log, handlers, calls };
}

/** A started Link with recorded handlers; ctx of each write is whatever the test passes. */
function linkUnder(port, extra = {}, { start = true } = {}) {
  const r = recorder(LINK_EVENTS);
  const opts = linkOptions(port, extra);
  const link = new Link(Object.assign(opts, { handlers: r.handlers }));
  if (start) link.start();
  const states = () => r.calls("status").map(([s]) => s.state);
  const frames = () => r.calls("frames").flatMap(([batch]) => batch.map((m) => m.payload));
  /** Each write's outcomes: ctx -> ["sent"] or ["failed:CODE"], in order. */
  const outcomes = () => {
    const m = new Map();
    for (const e of r.log) {
      if (e.name !== "sent" && e.name !== "failed") continue;
      const k = e.args[0];
      if (!m.has(k)) m.set(k, []);
      m.get(k).push(e.name === "sent" ? "sent" : `failed:${e.args[1].code}`);
    }
    return m;
  };
  return Object.assign(r, { link, opts, registry: opts.registry, states, frames, outcomes });
}

/** A started Requests with recorded handlers. */
function requestsUnder(port, requestOpts = {}, extra = {}) {
  const { Requests } = lib("client/requests.js");
  const r = recorder(REQUEST_EVENTS);
  const opts = linkOptions(port, extra);
  const rq = new Requests(
    opts,
    Object.assign({ pipeline: 1, replyTimeoutMs: 2000, resetOnTimeout: true, lateGraceMs: 500 }, requestOpts),
    r.handlers,
  );
  rq.start();
  return Object.assign(r, { rq, link: rq.link, registry: opts.registry });
}

/** Counts of active handles and requests by type (process.getActiveResourcesInfo), for leak checks. */
function resources() {
  const counts = {};
  for (const t of process.getActiveResourcesInfo()) counts[t] = (counts[t] || 0) + 1;
  return counts;
}

/** The resources once they stopped changing (handles of an earlier test may still be closing). */
async function quietResources() {
  let prev = "";
  for (;;) {
    await sleep(20);
    const now = JSON.stringify(resources());
    if (now === prev) return JSON.parse(now);
    prev = now;
  }
}

/** Waits until the active resources are those of `before` again; fails naming what is left. */
async function nothingLeft(before, timeout = 5000) {
  try {
    await waitFor(() => JSON.stringify(resources()) === JSON.stringify(before), "resources as before", timeout);
  } catch {
    throw new Error(`resources left: before ${JSON.stringify(before)}, now ${JSON.stringify(resources())}`);
  }
}

/**
 * Loads a flow with one tcp client "cl" (data to "out", events to "ev" when props.events), a Catch node
 * ("caught") and a Complete node ("completed") scoped to it, and any extra nodes. Quick retries by default.
 */
async function loadClient(nodeList, props, extra = []) {
  const flow = onTab([
    Object.assign(
      { id: "cl", type: "tcp-client-link", host: "127.0.0.1", event: "line", eol: "lf", backoffFirst: 50, backoffLongest: 200 },
      props,
      { wires: props.events ? [["out"], ["ev"]] : [["out"]] },
    ),
    { id: "out", type: "helper" },
    { id: "ev", type: "helper" },
    { id: "catcher", type: "catch", scope: ["cl"], uncaught: false, wires: [["caught"]] },
    { id: "caught", type: "helper" },
    { id: "completer", type: "complete", scope: ["cl"], uncaught: false, wires: [["completed"]] },
    { id: "completed", type: "helper" },
    ...extra,
  ]);
  await helper.load(nodeList, flow);
  const cl = helper.getNode("cl");
  const statuses = [];
  cl.on("call:status", (c) => statuses.push(c.args[0]));
  const r = {
    cl,
    statuses,
    out: messages(helper.getNode("out")),
    ev: messages(helper.getNode("ev")),
    caught: messages(helper.getNode("caught")),
    completed: messages(helper.getNode("completed")),
  };
  /** The event messages of one kind ("connected", "reconnecting", ...). */
  r.events = (name) => r.ev.msgs.filter((m) => m.event === name);
  return r;
}

/**
 * How each input of a node ended, seen on the node itself (Catch and Complete nodes may already be stopped
 * while a redeploy closes it): every done() and done(err) goes through the runtime's Node#_complete.
 */
function endings(node) {
  const done = [];
  const failed = [];
  const complete = node._complete;
  node._complete = function (msg, err) {
    if (err) failed.push({ err, msg });
    else done.push(msg);
    return complete.call(this, msg, err);
  };
  return { done, failed, count: () => done.length + failed.length };
}

module.exports = { linkOptions, linkUnder, requestsUnder, resources, quietResources, nothingLeft, loadClient, endings };
