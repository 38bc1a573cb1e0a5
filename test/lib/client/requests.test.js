"use strict";
// Request/reply over the link, against node:net servers playing devices that answer each request line
// with one line, in order. Every reply must come out with its own request's context, never another's.
const assert = require("assert");
const { freePort, sleep, waitFor } = require("../../helpers");
const { device } = require("../../helpers/device");
const { requestsUnder, quietResources, nothingLeft } = require("../../helpers/client");

/**
 * A device that answers every line "<line>" with "ok <line>" after delay(line) ms (null: never), strictly in
 * order: a reply waits for the one before it (one queue and one timer per connection, so timer order cannot
 * reorder them). It records every request line and the most requests it held unanswered at once.
 * @param {(line: string) => number | null} [delay]
 * @param {Parameters<typeof device>[0]} [o]
 */
async function answeringDevice(delay = () => 0, o = {}) {
  const stats = { maxOutstanding: 0, requests: [] };
  const next = (c) => {
    if (c.timer || c.queue.length === 0 || c.closed) return;
    const head = c.queue[0];
    c.timer = setTimeout(
      () => {
        c.timer = undefined;
        // Every reply due now in one go (a timer per reply would cost a millisecond each).
        let out = "";
        while (c.queue.length > 0 && c.queue[0].at <= Date.now()) out += `ok ${c.queue.shift().line}\n`;
        if (out && !c.closed) c.socket.write(out);
        next(c);
      },
      Math.max(0, head.at - Date.now()),
    );
  };
  const d = await device(
    Object.assign({}, o, {
      onConnection: (c) => {
        c.pending = "";
        c.queue = [];
        c.socket.on("close", () => c.timer && clearTimeout(c.timer));
        if (o.onConnection) o.onConnection(c);
      },
      onData: (c, chunk) => {
        c.pending += chunk.toString("latin1");
        let nl;
        while ((nl = c.pending.indexOf("\n")) !== -1) {
          const line = c.pending.slice(0, nl);
          c.pending = c.pending.slice(nl + 1);
          stats.requests.push(line);
          const ms = delay(line);
          if (ms === null) continue; // never answered
          const prev = c.queue.length > 0 ? c.queue[c.queue.length - 1].at : 0;
          c.queue.push({ line, at: Math.max(prev, Date.now() + ms) });
          stats.maxOutstanding = Math.max(stats.maxOutstanding, c.queue.length);
          next(c);
        }
      },
    }),
  );
  return Object.assign(d, { stats });
}

describe("client requests (request/reply over the link)", function () {
  const cleanup = [];
  afterEach(async function () {
    while (cleanup.length) await cleanup.pop()();
  });
  const useDevice = (d) => (cleanup.push(() => d.close()), d);
  const useRq = (r) => (cleanup.push(() => r.rq.stop(500)), r);
  /** ctx -> reply payload, and a list of wrong ones. */
  const replies = (r) => r.calls("replied").map(([ctx, msg]) => [ctx.id, msg.payload]);

  it("one in flight: each request written only after the previous reply, each reply on its own request", async function () {
    const d = useDevice(await answeringDevice(() => Math.floor(Math.random() * 20)));
    const r = useRq(requestsUnder(d.port, { pipeline: 1 }));
    for (let i = 0; i < 30; i++) r.rq.request(Buffer.from(`q${i}\n`), { id: i });
    await waitFor(() => r.calls("replied").length === 30, "30 replies");
    assert.deepStrictEqual(
      replies(r),
      [...Array(30).keys()].map((i) => [i, `ok q${i}`]),
    );
    assert.strictEqual(d.stats.maxOutstanding, 1, "never two requests at the device at once");
    const [, , info] = r.calls("replied")[0];
    assert.ok(info.ms >= 0 && info.repliedAt >= info.writtenAt);
    assert.strictEqual(r.calls("failed").length + r.calls("unsolicited").length, 0);
  });

  it("2000 requests at once, pipelined, replies 0-50 ms late in order: every reply on its own request, 0 wrong", async function () {
    const d = useDevice(await answeringDevice(() => Math.floor(Math.random() * 51)));
    const r = useRq(requestsUnder(d.port, { pipeline: 2000, replyTimeoutMs: 60000 }));
    await waitFor(() => r.link.state === "connected", "connected");
    const N = 2000;
    const t0 = Date.now();
    for (let i = 0; i < N; i++) r.rq.request(Buffer.from(`req-${i}\n`), { id: i });
    await waitFor(() => r.calls("replied").length + r.calls("failed").length === N, `${N} outcomes`, 60000);
    const ms = Date.now() - t0;
    const wrong = replies(r).filter(([id, payload]) => payload !== `ok req-${id}`);
    assert.deepStrictEqual(wrong, [], "replies on another request's context");
    assert.strictEqual(r.calls("replied").length, N);
    assert.strictEqual(r.calls("failed").length, 0);
    assert.strictEqual(r.calls("unsolicited").length, 0);
    assert.ok(d.stats.maxOutstanding > 1, "they were in flight together");
    this.test.title += ` (${Math.round((N * 1000) / ms)} round trips/s, up to ${d.stats.maxOutstanding} in flight)`;
  });

  it("pipeline N: never more than N unanswered at the device", async function () {
    const d = useDevice(await answeringDevice(() => 5));
    const r = useRq(requestsUnder(d.port, { pipeline: 8 }));
    for (let i = 0; i < 200; i++) r.rq.request(Buffer.from(`p${i}\n`), { id: i });
    await waitFor(() => r.calls("replied").length === 200, "200 replies");
    assert.strictEqual(d.stats.maxOutstanding, 8);
    assert.deepStrictEqual(
      replies(r).filter(([id, p]) => p !== `ok p${id}`),
      [],
    );
  });

  it("reply timeout (reset on): ETIMEDOUT, the link is reset, the late reply never lands on another request", async function () {
    // Every 4th request is answered after 400 ms, far beyond the 100 ms reply timeout; the rest at once.
    const slow = (line) => (Number(line.slice(1)) % 4 === 0 ? 400 : Math.floor(Math.random() * 5));
    const d = useDevice(await answeringDevice(slow));
    const r = useRq(requestsUnder(d.port, { pipeline: 1, replyTimeoutMs: 100, resetOnTimeout: true }));
    const N = 40;
    for (let i = 0; i < N; i++) r.rq.request(Buffer.from(`s${i}\n`), { id: i });
    await waitFor(() => r.calls("replied").length + r.calls("failed").length === N, `${N} outcomes`, 30000);
    assert.deepStrictEqual(
      replies(r).filter(([id, p]) => p !== `ok s${id}`),
      [],
      "no reply on another request",
    );
    const failed = r.calls("failed").map(([ctx, err]) => [ctx.id, err.code, err.kind]);
    assert.deepStrictEqual(
      failed,
      [...Array(N / 4).keys()].map((k) => [k * 4, "ETIMEDOUT", "reply-timeout"]),
    );
    assert.strictEqual(r.calls("replied").length, (N * 3) / 4);
    assert.strictEqual(d.conns.length, N / 4 + 1, "a new connection after each timeout");
    assert.ok(r.calls("closed").every(([, , cause]) => cause.kind === "reply-timeout"));
    // Each request reached the device exactly once: a written request is never written again.
    assert.deepStrictEqual([...d.stats.requests].sort(), [...Array(N).keys()].map((i) => `s${i}`).sort());
  });

  it("reply timeout with pipelining: the others in flight end with ENOREPLY, the queued ones go on the next link", async function () {
    // x0 is answered only after 10 s, and this device answers in order: x1 and x2 wait behind it.
    const d = useDevice(await answeringDevice((line) => (line === "x0" ? 10000 : 30)));
    const r = useRq(requestsUnder(d.port, { pipeline: 3, replyTimeoutMs: 150, resetOnTimeout: true }));
    await waitFor(() => r.link.state === "connected", "connected");
    for (let i = 0; i < 6; i++) r.rq.request(Buffer.from(`x${i}\n`), { id: i });
    await waitFor(() => r.calls("replied").length + r.calls("failed").length === 6, "6 outcomes");
    const outcome = new Map();
    for (const [ctx, msg] of r.calls("replied")) outcome.set(ctx.id, msg.payload);
    for (const [ctx, err] of r.calls("failed")) outcome.set(ctx.id, err.code);
    // x0's timeout resets the link. x1 and x2 were in flight behind it: ENOREPLY. x3-x5 were still queued:
    // sent on the new link and answered.
    assert.deepStrictEqual(
      [...outcome].sort((a, b) => a[0] - b[0]),
      [
        [0, "ETIMEDOUT"],
        [1, "ENOREPLY"],
        [2, "ENOREPLY"],
        [3, "ok x3"],
        [4, "ok x4"],
        [5, "ok x5"],
      ],
    );
    const noReply = r.calls("failed").find(([ctx]) => ctx.id === 1)[1];
    assert.strictEqual(noReply.kind, "no-reply");
    assert.match(noReply.message, /no reply from .* within 150 ms/, "says why the link closed");
  });

  it("reply timeout with reset off: the late reply is reported as late, and nothing is written until it came", async function () {
    const d = useDevice(await answeringDevice((line) => (line === "a" ? 300 : 0)));
    const r = useRq(requestsUnder(d.port, { pipeline: 1, replyTimeoutMs: 100, resetOnTimeout: false, lateGraceMs: 5000 }));
    r.rq.request(Buffer.from("a\n"), { id: "a" });
    r.rq.request(Buffer.from("b\n"), { id: "b" });
    await waitFor(() => r.calls("replied").length === 1, "b's reply");
    assert.deepStrictEqual(
      r.calls("failed").map(([ctx, e]) => [ctx.id, e.code]),
      [["a", "ETIMEDOUT"]],
    );
    assert.deepStrictEqual(
      r.calls("late").map(([msg, ctx]) => [ctx.id, msg.payload]),
      [["a", "ok a"]],
    );
    assert.deepStrictEqual(replies(r), [["b", "ok b"]]);
    assert.strictEqual(d.conns.length, 1, "the link was kept");
    // b went out only once a's late reply had come, not at a's timeout (200 ms earlier).
    const lateAt = r.log.find((e) => e.name === "late").t;
    const [, , bInfo] = r.calls("replied")[0];
    assert.ok(bInfo.writtenAt >= lateAt, `b written ${bInfo.writtenAt - lateAt} ms after the late reply`);
  });

  it("reset off, and the late reply never comes: after the grace the next request goes and gets its own reply", async function () {
    const d = useDevice(await answeringDevice((line) => (line === "lost" ? null : 0)));
    const r = useRq(requestsUnder(d.port, { pipeline: 1, replyTimeoutMs: 80, resetOnTimeout: false, lateGraceMs: 150 }));
    r.rq.request(Buffer.from("lost\n"), { id: "lost" });
    r.rq.request(Buffer.from("next\n"), { id: "next" });
    await waitFor(() => r.calls("replied").length === 1, "next's reply");
    assert.deepStrictEqual(replies(r), [["next", "ok next"]]);
    assert.deepStrictEqual(
      r.calls("failed").map(([ctx, e]) => [ctx.id, e.code]),
      [["lost", "ETIMEDOUT"]],
    );
    assert.strictEqual(r.calls("late").length, 0);
  });

  it("frames with no request in flight are unsolicited, never taken as a later request's reply", async function () {
    const d = useDevice(await answeringDevice(() => 0, { onConnection: (c) => c.socket.write("BOOT v1.2\nREADY\n") }));
    const r = useRq(requestsUnder(d.port));
    await waitFor(() => r.calls("unsolicited").length === 2, "two unsolicited frames");
    assert.deepStrictEqual(
      r.calls("unsolicited").map(([m]) => m.payload),
      ["BOOT v1.2", "READY"],
    );
    r.rq.request(Buffer.from("w\n"), { id: "w" });
    await waitFor(() => r.calls("replied").length === 1, "w's reply");
    assert.deepStrictEqual(replies(r), [["w", "ok w"]]);
  });

  it("a reply split across reads is one reply", async function () {
    const d = useDevice(
      await device({
        onData: (c) => {
          c.socket.write("par");
          setTimeout(() => c.socket.write("t one|part "), 30);
          setTimeout(() => c.socket.write("two\n"), 60);
        },
      }),
    );
    const r = useRq(requestsUnder(d.port));
    r.rq.request(Buffer.from("?\n"), { id: 1 });
    await waitFor(() => r.calls("replied").length === 1, "the reply");
    assert.deepStrictEqual(replies(r), [[1, "part one|part two"]]);
  });

  it("the device closes before replying: ENOREPLY; the queued request is not lost and the sent one not repeated", async function () {
    let first = true;
    const seen = [];
    const d = useDevice(
      await device({
        onData: (c, chunk) => {
          seen.push(chunk.toString());
          if (first) {
            first = false;
            c.socket.destroy();
          } else c.socket.write(`ok ${chunk}`);
        },
      }),
    );
    const r = useRq(requestsUnder(d.port, { pipeline: 1 }));
    await waitFor(() => r.link.state === "connected", "connected");
    r.rq.request(Buffer.from("one\n"), { id: 1 });
    r.rq.request(Buffer.from("two\n"), { id: 2 });
    await waitFor(() => r.calls("replied").length === 1, "two's reply");
    const [[ctx, err]] = r.calls("failed");
    assert.strictEqual(ctx.id, 1);
    assert.strictEqual(err.code, "ENOREPLY");
    assert.strictEqual(err.detail.reason, "peer");
    assert.deepStrictEqual(replies(r), [[2, "ok two"]]);
    assert.deepStrictEqual(seen, ["one\n", "two\n"], "one was sent once, two on the next link");
    assert.strictEqual(d.conns.length, 2);
  });

  it("a reply cut short by a reset is not a reply: ENOREPLY, the fragment reported as unsolicited", async function () {
    const d = useDevice(
      await device({
        onData: (c) => {
          c.socket.write("ok par");
          setTimeout(() => c.socket.resetAndDestroy(), 50);
        },
      }),
    );
    const r = useRq(requestsUnder(d.port));
    r.rq.request(Buffer.from("q\n"), { id: "q" });
    await waitFor(() => r.calls("failed").length === 1, "the request failed");
    assert.strictEqual(r.calls("failed")[0][1].code, "ENOREPLY");
    assert.strictEqual(r.calls("replied").length, 0);
    assert.deepStrictEqual(
      r.calls("unsolicited").map(([m]) => m.payload),
      ["ok par"],
    );
  });

  it("no heartbeat while a request awaits its reply; heartbeat answers are not unsolicited", async function () {
    // PING -> PONG at once; a request -> answered after 400 ms. Each line's arrival is recorded.
    const dev = useDevice(
      await device({
        onData: (c, chunk) => {
          for (const line of chunk.toString().split("\n").filter(Boolean)) {
            (dev.lines ||= []).push([line, Date.now()]);
            if (line === "PING") c.socket.write("PONG\n");
            else setTimeout(() => c.socket.write(`ok ${line}\n`), 400);
          }
        },
      }),
    );
    const r = useRq(
      requestsUnder(
        dev.port,
        { pipeline: 1, replyTimeoutMs: 5000 },
        { heartbeat: { bytes: Buffer.from("PING\n"), idleMs: 50, answerMs: 1000, consumeAnswer: true } },
      ),
    );
    await waitFor(() => (dev.lines || []).filter(([l]) => l === "PING").length >= 2, "heartbeats while idle");
    r.rq.request(Buffer.from("slow\n"), { id: "slow" });
    await waitFor(() => r.calls("replied").length === 1, "the slow reply");
    const sentAt = dev.lines.find(([l]) => l === "slow")[1];
    const repliedAt = r.log.find((e) => e.name === "replied").t;
    const during = dev.lines.filter(([l, t]) => l === "PING" && t > sentAt && t < repliedAt);
    assert.deepStrictEqual(during, [], "no heartbeat between the request and its reply");
    assert.deepStrictEqual(replies(r), [["slow", "ok slow"]]);
    assert.strictEqual(r.calls("unsolicited").length, 0, "PONGs are the heartbeat's");
  });

  it("requests wait while the device is down, and each ends its own way (EQUEUEFULL, ESTALE, replied)", async function () {
    const port = await freePort();
    const r = useRq(
      requestsUnder(
        port,
        {},
        {
          queue: { maxMessages: 2, maxBytes: 1000, policy: "refuse", maxAgeMs: 1000 },
          backoff: { firstMs: 20, longestMs: 20, jitter: "none", withinMs: 0 },
        },
      ),
    );
    r.rq.request(Buffer.from("old\n"), { id: "old" });
    await sleep(700); // "new" has 700 ms left after "old" expired: ample for a redial every 20 ms
    r.rq.request(Buffer.from("new\n"), { id: "new" });
    r.rq.request(Buffer.from("over\n"), { id: "over" });
    await waitFor(() => r.calls("failed").length === 2, "two failed");
    useDevice(await answeringDevice(() => 0, { port }));
    await waitFor(() => r.calls("replied").length === 1, "new's reply");
    assert.deepStrictEqual(
      r.calls("failed").map(([ctx, e]) => [ctx.id, e.code]),
      [
        ["over", "EQUEUEFULL"],
        ["old", "ESTALE"],
      ],
    );
    assert.deepStrictEqual(replies(r), [["new", "ok new"]]);
  });

  it("stop: in-flight and queued requests end with ESTOPPED within the bound; nothing is left", async function () {
    const d = useDevice(await answeringDevice(() => null));
    const before = await quietResources();
    const r = requestsUnder(d.port, { pipeline: 2, replyTimeoutMs: 60000 });
    for (let i = 0; i < 5; i++) r.rq.request(Buffer.from(`z${i}\n`), { id: i });
    await waitFor(() => d.stats.requests.length === 2, "two at the device");
    await r.rq.stop(200);
    const failed = r.calls("failed").map(([ctx, e]) => [ctx.id, e.code, e.detail.written]);
    assert.deepStrictEqual(
      failed.sort((a, b) => a[0] - b[0]),
      [
        [0, "ESTOPPED", true],
        [1, "ESTOPPED", true],
        [2, "ESTOPPED", false],
        [3, "ESTOPPED", false],
        [4, "ESTOPPED", false],
      ],
    );
    assert.strictEqual(r.rq.inFlight, 0);
    await waitFor(() => d.conns.every((c) => c.closed), "closed at the device");
    await nothingLeft(before);
  });
});
