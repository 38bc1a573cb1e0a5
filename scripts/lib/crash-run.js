// The crash runs of issue 15, shared by the test (test/crash.test.js, short) and the soak (scripts/soak.js,
// long). crashRun (the send node; the tcp client's clientCrashRun is further down): a real Node-RED process whose send-to-tcp-port keeps its queued jobs on disk sends jobs to two
// printers that refuse connections while busy; it is killed with SIGKILL at random points while they print
// and started again with the same user dir each time. At the end every job must have been printed, each
// destination in job order, nothing lost; a job printed twice must be explained by a kill: printed just
// before it, and again as the first job(s) of its destination after the restart (its bytes went out, its
// end was not yet on disk: at-least-once).
//
// Jobs come in over HTTP (POST /crash-job?d=host:port, body "J00042\n"). The run only kills once the
// record of the last job fed is on disk (its bytes are in the journal file, or it was printed already), so
// every job counted was accepted by the node before the kill.
"use strict";
const fs = require("fs");
const path = require("path");
const { startRuntime, request } = require("../../test/helpers/runtime");
const { startPrinter } = require("../../test/helpers/printer");
const { freePort } = require("./free-port");
const { prng } = require("./prng");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The flow: http in -> a function that takes the destination from the query -> send (keep queued jobs), and the http answer. */
function crashFlow() {
  return [
    { id: "c15crash0tab0001", type: "tab", label: "crash run" },
    {
      id: "c15crash0in00001",
      type: "http in",
      z: "c15crash0tab0001",
      url: "/crash-job",
      method: "post",
      wires: [["c15crash0fn00001", "c15crash0ack0001"]],
    },
    {
      id: "c15crash0fn00001",
      type: "function",
      z: "c15crash0tab0001",
      func: "msg.destination = msg.req.query.d;\nreturn msg;",
      outputs: 1,
      wires: [["c15crash0send001"]],
    },
    {
      id: "c15crash0send001",
      type: "send-to-tcp-port",
      z: "c15crash0tab0001",
      host: "",
      port: "",
      persist: true,
      // The printer's close ends a job: with "close at once" a job could end while its connection still sits in the
      // printer's accept queue, which the printer resets as it turns busy (a lost print no journal can see).
      after: "eof",
      attempts: 1000000,
      retryDelay: 5,
      retryMaxDelay: 20,
      retryWithin: 2147483647,
      drainTimeout: 0,
      wires: [],
    },
    { id: "c15crash0ack0001", type: "http response", z: "c15crash0tab0001", statusCode: "200", wires: [] },
  ];
}

const label = (i) => `J${String(i).padStart(6, "0")}`;

/**
 * The kill loop of both runs: feeds the jobs over HTTP in kills + 1 batches; once the last job fed is on disk
 * (its bytes are in the node's journal) or delivered, kills the process with SIGKILL at a random point within
 * killWithinMs and starts it again with the same user dir. Gives the running process, the cuts (per sink: how
 * many jobs it had at each kill) and the errors and warnings of every process killed.
 * @param {{ flow: object[], nodeId: string, jobs: number, kills: number, rnd: () => number, killWithinMs: number,
 *   feed: (i: number) => { path: string, body: string }, delivered: (i: number, label: string) => boolean,
 *   sinks: Array<{ jobs: unknown[] }>, log: (line: string) => void, say: string }} o
 */
async function killLoop({ flow, nodeId, jobs, kills, rnd, killWithinMs, feed, delivered, sinks, log, say }) {
  const port = await freePort();
  let red = await startRuntime({ flows: flow, port });
  const userDir = red.userDir;
  const file = path.join(userDir, "tcp-automation", "journal", `${nodeId}.log`);
  const cuts = [];
  /** The errors and warnings of every process (of our nodes: Node-RED's own start-up warnings left out). */
  const errors = [];
  const batches = kills + 1;
  let fed = 0;
  try {
    for (let b = 0; b < batches; b++) {
      const upTo = Math.round(((b + 1) * jobs) / batches);
      for (; fed < upTo; fed++) {
        const f = feed(fed);
        const res = await request(`${red.url}${f.path}`, { method: "POST", headers: { "content-type": "text/plain" }, body: f.body });
        if (res.status !== 200) throw new Error(`POST answered ${res.status}`);
      }
      // Every job fed so far is on disk (or delivered) before a kill may fall.
      const last = label(fed - 1);
      for (let t = Date.now(); ; await sleep(2)) {
        const onDisk = fs.existsSync(file) && fs.readFileSync(file).includes(last);
        if (onDisk || delivered(fed - 1, last)) break;
        if (Date.now() - t > 10000) throw new Error(`${last} never reached the journal`);
      }
      if (b === batches - 1) break;
      await sleep(Math.floor(rnd() * killWithinMs));
      await red.kill();
      errors.push(...problems(red.log()));
      await sleep(100); // the sinks see the connections the kill closed before the cut is taken
      cuts.push(sinks.map((p) => p.jobs.length));
      log(`kill ${cuts.length}: ${say} so far ${sinks.map((p) => p.jobs.length).join(" + ")} of ${fed} fed`);
      red = await startRuntime({ flows: flow, port, userDir });
    }
  } catch (err) {
    await red.stop();
    throw err;
  }
  return { red, cuts, errors };
}

/**
 * @param {{ jobs: number, kills: number, seed?: number, busyMs?: number, log?: (line: string) => void }} o
 */
async function crashRun({ jobs, kills, seed = 15, busyMs = 20, log = () => undefined }) {
  const rnd = prng(seed);
  const printers = [await startPrinter({ busyMs, busy: "refuse" }), await startPrinter({ busyMs, busy: "refuse" })];
  const dest = (i) => printers[i % 2];
  try {
    const { red, cuts, errors } = await killLoop({
      flow: crashFlow(),
      nodeId: "c15crash0send001",
      jobs,
      kills,
      rnd,
      // A random point while the batch prints (a printer takes about busyMs per job).
      killWithinMs: busyMs * (jobs / (kills + 1) / 2),
      feed: (i) => ({ path: `/crash-job?d=127.0.0.1:${dest(i).port}`, body: `${label(i)}\n` }),
      delivered: (i, last) => dest(i).jobs.some((j) => j.data.toString().startsWith(last)),
      sinks: printers,
      log,
      say: "printed",
    });
    try {
      const want = [0, 1].map((k) => Array.from({ length: jobs }, (_, i) => i).filter((i) => i % 2 === k));
      const deadline = Date.now() + 60000 + jobs * 50;
      const distinct = (p) => new Set(p.jobs.map((j) => j.data.toString()).filter((d) => d !== "")).size;
      while (printers.some((p, k) => distinct(p) < want[k].length)) {
        if (Date.now() > deadline) break;
        await sleep(20);
      }
      await sleep(200); // anything sent twice at the very end arrives too
      errors.push(...problems(red.log()));
      return { ...account(printers, want, cuts), errors };
    } finally {
      await red.stop();
    }
  } finally {
    await Promise.all(printers.map((p) => p.close()));
  }
}

function problems(log) {
  return log.split("\n").filter((l) => /\[(error|warn)\] \[/.test(l));
}

/** What the printers got, against what was fed: lost, out of order, duplicates and whether each is explained by a kill. */
function account(printers, want, cuts) {
  const out = { printed: 0, lost: [], outOfOrder: [], duplicates: [], unexplained: [], empty: 0, garbled: [] };
  printers.forEach((p, k) => {
    const seen = new Map();
    const firsts = [];
    p.jobs.forEach((j, at) => {
      const d = j.data.toString();
      if (d === "") return void out.empty++; // a connection cut by a kill before any byte went
      const m = /^J(\d{6})\n$/.exec(d);
      if (!m) return void out.garbled.push(d);
      const i = Number(m[1]);
      out.printed++;
      if (!seen.has(i)) {
        seen.set(i, at);
        firsts.push(i);
        return;
      }
      // Explained: the first print fell before kill c, this one is among the first prints after it.
      const first = /** @type {number} */ (seen.get(i));
      const c = cuts.findIndex((cut) => first < cut[k] && at >= cut[k]);
      const dupsAtCut = out.duplicates.filter((x) => x.printer === k && x.kill === c + 1).length;
      const explained = c >= 0 && at - cuts[c][k] <= dupsAtCut + countEmptyAfter(p, cuts[c][k], at);
      const entry = { job: i, printer: k, kill: c + 1 };
      out.duplicates.push(entry);
      if (!explained) out.unexplained.push(entry);
    });
    out.lost.push(...want[k].filter((i) => !seen.has(i)));
    for (let n = 1; n < firsts.length; n++) if (firsts[n] < firsts[n - 1]) out.outOfOrder.push(firsts[n]);
  });
  return out;
}

/** Empty connections (cut before any byte) between two positions of a printer's log. */
function countEmptyAfter(p, from, to) {
  let n = 0;
  for (let i = from; i < to; i++) if (p.jobs[i].data.length === 0) n++;
  return n;
}

/**
 * The tcp client's crash run: http in -> tcp-client-link (keep queued jobs) -> one device. Request mode: the
 * device answers each line after answerMs, one request in flight, so the kills fall while requests go out and
 * come back. Stream mode: lines of lineBytes that the device reads slowly (one socket read, then a pause of
 * readPauseMs), so writes back up behind the socket and the kills fall mid-stream; a line a kill cut short
 * (no newline before its connection closed) is dropped by the device, as line framing would. Killed with
 * SIGKILL at random points, started again with the same user dir. Every job must reach the device, in order,
 * none lost; a job received twice must have been received right before a kill and again first after the
 * restart (its bytes went out or its reply came, its end not yet on disk: at-least-once).
 * @param {{ jobs: number, kills: number, seed?: number, mode?: "request" | "stream", answerMs?: number, lineBytes?: number, readPauseMs?: number, log?: (line: string) => void }} o
 */
async function clientCrashRun({
  jobs,
  kills,
  seed = 15,
  mode = "request",
  answerMs = 2,
  lineBytes = 65536,
  readPauseMs = 20,
  log = () => undefined,
}) {
  const rnd = prng(seed);
  const stream = mode === "stream";
  const dev = await lineDevice(stream ? { readPauseMs, lineBytes } : { answerMs });
  const line = (i) => (stream ? `${label(i)} ${"x".repeat(lineBytes - 9)}\n` : `${label(i)}\n`);
  /** How long a batch takes to go through, roughly: where a kill falls mid-way. */
  const windowMs = stream ? ((jobs / (kills + 1)) * lineBytes * readPauseMs) / 65536 : (answerMs * jobs) / (kills + 1);
  const flow = [
    { id: "c15client0tab001", type: "tab", label: "client crash run" },
    {
      id: "c15client0in0001",
      type: "http in",
      z: "c15client0tab001",
      url: "/crash-job",
      method: "post",
      wires: [["c15client0cl0001", "c15client0ack001"]],
    },
    {
      id: "c15client0cl0001",
      type: "tcp-client-link",
      z: "c15client0tab001",
      host: "127.0.0.1",
      port: String(dev.port),
      mode,
      event: "line",
      eol: "lf",
      backoffFirst: 5,
      backoffLongest: 20,
      maxAge: 0,
      maxQueue: 100000,
      maxQueueBytes: 100000000,
      persist: true,
      wires: [[]],
    },
    { id: "c15client0ack001", type: "http response", z: "c15client0tab001", statusCode: "200", wires: [] },
  ];
  try {
    const { red, cuts, errors } = await killLoop({
      flow,
      nodeId: "c15client0cl0001",
      jobs,
      kills,
      rnd,
      // A random point while the batch goes out (and, requests, comes back).
      killWithinMs: windowMs / 2,
      feed: (i) => ({ path: "/crash-job", body: line(i) }),
      delivered: (_i, last) => dev.jobs.some((j) => j.data.toString().startsWith(last)),
      sinks: [dev],
      log,
      say: "received",
    });
    try {
      const want = [Array.from({ length: jobs }, (_, i) => i)];
      const deadline = Date.now() + 60000 + jobs * 50;
      while (new Set(dev.jobs.map((j) => j.data.toString())).size < jobs && Date.now() < deadline) await sleep(20);
      await sleep(200);
      errors.push(...problems(red.log()));
      return { ...account([dev], want, cuts), errors };
    } finally {
      await red.stop();
    }
  } finally {
    await dev.close();
  }
}

/**
 * A device that records each whole line it gets as a "job" like the printers' (its label and a newline; a line
 * of the wrong length as it came, for the garbled count). answerMs: answers each after that long, in order;
 * readPauseMs: no answers, reads slowly instead (a pause after each socket read).
 * @param {{ answerMs?: number, readPauseMs?: number, lineBytes?: number }} o
 */
async function lineDevice({ answerMs, readPauseMs, lineBytes }) {
  const net = require("net");
  const jobs = [];
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
    let rest = "";
    let chain = Promise.resolve();
    socket.on("data", (chunk) => {
      const lines = (rest + chunk.toString("latin1")).split("\n");
      rest = lines.pop() || "";
      for (const line of lines) {
        const whole = lineBytes === undefined || line.length === lineBytes - 1;
        jobs.push({ data: Buffer.from(whole ? `${line.slice(0, 7)}\n` : line.slice(0, 40)) });
        if (answerMs !== undefined)
          chain = chain.then(() => sleep(answerMs)).then(() => void (socket.destroyed || socket.write(`ok ${line}\n`)));
      }
      if (readPauseMs !== undefined) {
        socket.pause();
        setTimeout(() => socket.resume(), readPauseMs);
      }
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", () => r(undefined)));
  return {
    jobs,
    port: /** @type {import("net").AddressInfo} */ (server.address()).port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r(undefined));
      }),
  };
}

module.exports = { crashRun, clientCrashRun };
