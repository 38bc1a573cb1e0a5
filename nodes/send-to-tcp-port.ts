/**
 * send-to-tcp-port: delivers each message to host:port over a connection of
 * its own (queued per destination, retried while the peer refuses), or
 * replies on the connection a tcp-server-trigger message came from
 * (Loftware's "Send Data to TCP/IP Port" with "Reply to sender").
 *
 * This file only maps: config and message -> lib modules, results -> send,
 * done and status. The work is in lib/delivery, lib/tcp-job and lib/reply.
 */
import { reportConfigError } from "./red/config-error";
import { codedError, type CodedError, ThrottledStatus, makeDecoder, SCHEMA_ENV } from "./lib/base";
import { ConfigError, NAMED, readProps } from "./lib/schema";
import { resolveManager } from "./red/manager-link";
import { clientTls, type ClientTls } from "./red/security";
import { tunables } from "./red/settings";
import { Delivery, destinationLabel, resolveDestination, type Destination, InOrder, toBytes, PendingReply, sessionIdOf, writeReplyFast, type ReplyResult, describeSendError, parseSendConfig, type SendConfig, type SendProps, type TypedProp, type JobResult } from "./lib/outbound";
import { type ManagerCore, sessionLabel } from "./lib/sessions";
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, NodeStatus, SendFn } from "./types/node-red";

const TYPE = "send-to-tcp-port";

/** The part of RED.util used for JSONata, typed here (types/node-red.ts covers the common API). */
interface JsonataUtil {
  prepareJSONataExpression(value: string, node: Node): unknown;
  evaluateJSONataExpression(expr: unknown, msg: NodeMessage, cb: (err: Error | null, value: unknown) => void): void;
}

type Callback = (err: Error | null, value?: unknown) => void;
type Evaluate = (msg: NodeMessage, cb: Callback) => void;

/** A job's context while it waits, runs and ends. */
interface Ctx {
  msg: NodeMessage;
  send: SendFn;
  done: DoneFn;
  dest: Destination;
  received: number;
}

interface Prepared {
  data: Buffer;
  dest?: Destination;
}

const CONSTANT_TYPES = new Set(["str", "num", "json", "bin"]);

export = function register(RED: NodeAPI): void {
  function SendToTcpPort(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = (key: string, subs?: Record<string, unknown>): string => RED._(`${TYPE}.${key}`, subs);

    /** Without a usable configuration every message still ends, with an error a Catch node sees. */
    const refuseAll = (text: string, code: string): void => {
      node.on("input", function (_msg: NodeMessage, _send: SendFn, done: DoneFn) {
        done(codedError(text, code));
      });
    };

    let config: SendConfig;
    let dataOf: Evaluate;
    let syncData: ((msg: NodeMessage) => unknown) | undefined;
    let hostOf: Evaluate | undefined;
    let portOf: Evaluate | undefined;
    let tls: ClientTls;
    try {
      config = parseSendConfig(def as SendProps);
      tls = config.mode === "send" ? clientTls(RED, def, t) : { options: undefined, verify: true };
      config.job.tls = tls.options;
      syncData = syncReader(config.data, "data");
      dataOf = evaluator(config.data, "data", syncData);
      hostOf = config.host && evaluator(config.host, "host");
      portOf = config.port && evaluator(config.port, "port");
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      reportConfigError(RED, node, TYPE, err);
      refuseAll(t("errors.not-configured"), "ECONFIG");
      return;
    }
    const cfg = config;
    const replyMaxPending = tunables(RED).replyMaxPendingBytes;
    /** TLS without verifying the server: said at start and in every status. */
    const unverified = tls.options !== undefined && !tls.verify;
    if (unverified) node.warn(t("warn.tls-unverified", { peer: config.host ? config.host.value || "?" : "msg.host" }));
    const manager: ManagerCore | null = cfg.mode === "reply" ? resolveManager(RED, def.manager) : null;
    if (cfg.mode === "reply" && !manager) {
      const text = t("errors.no-manager", { id: String(def.manager) });
      node.error(text);
      node.status({ fill: "red", shape: "ring", text: t("status.no-manager") });
      refuseAll(text, "ENOMANAGER");
      return;
    }

    /** A reader for values known without a callback: constants (evaluated once, here) and msg.payload. */
    function syncReader(p: TypedProp, key: string): ((msg: NodeMessage) => unknown) | undefined {
      if (CONSTANT_TYPES.has(p.type)) {
        let v: unknown;
        try {
          v = RED.util.evaluateNodeProperty(p.value, p.type, node, {});
        } catch (err) {
          throw new ConfigError(key, (err as Error).message);
        }
        return () => v;
      }
      // The default, on every message: read it directly rather than parse "payload" as a property path each time.
      if (p.type === "msg" && p.value === "payload") return (msg) => msg.payload;
      return undefined;
    }

    /** A typed property as a callback-style evaluator. */
    function evaluator(p: TypedProp, key: string, sync = syncReader(p, key)): Evaluate {
      if (sync) return (msg, cb) => cb(null, sync(msg));
      if (p.type === "jsonata") {
        const util = RED.util as unknown as JsonataUtil;
        let expr: unknown;
        try {
          expr = util.prepareJSONataExpression(p.value, node);
        } catch (err) {
          throw new ConfigError(key, (err as Error).message);
        }
        return (msg, cb) => util.evaluateJSONataExpression(expr, msg, (err, v) => cb(err, v));
      }
      return (msg, cb) => {
        try {
          RED.util.evaluateNodeProperty(p.value, p.type, node, msg, (err, v) => cb(err, v));
        } catch (err) {
          cb(err as Error);
        }
      };
    }

    const status = new ThrottledStatus(node);
    const order = new InOrder();
    let sent = 0;
    let lastError: { code: string; where: string } | undefined;
    let closed = false;
    const decodeReply = makeDecoder(cfg.encoding);

    const makeStatus = (): NodeStatus => {
      const s = statusNow();
      return unverified ? { ...s, text: t("status.unverified", { text: s.text }) } : s;
    };
    const showStatus = (): void => {
      if (!closed) status.update(makeStatus);
    };
    const statusNow = (): NodeStatus => {
      const busy = delivery.running + delivery.queued + pendingReplies.size;
      if (busy > 0) return { fill: "blue", shape: "dot", text: t("status.sending", { running: delivery.running + pendingReplies.size, queued: delivery.queued }) };
      if (lastError) return { fill: "red", shape: "ring", text: t("status.error", lastError) };
      return { fill: "green", shape: "dot", text: t(cfg.mode === "reply" ? "status.replied" : "status.sent", { count: sent }) };
    };

    // Node-RED's send() to an output with no wires still makes a message id (8 Math.random calls): skip it.
    const wired = Array.isArray(def.wires) && def.wires.some((w) => Array.isArray(w) && w.length > 0);

    /** Passes a finished job's message on; a send that throws still ends the message, with that error. */
    const deliver = (msg: NodeMessage, send: SendFn, done: DoneFn): void => {
      sent++;
      lastError = undefined;
      showStatus();
      try {
        if (wired) send(msg);
      } catch (err) {
        done(err as Error);
        return;
      }
      done();
    };

    const fail = (ctx: { msg: NodeMessage; done: DoneFn }, err: Error, where: string): void => {
      const coded = toCoded(err, where);
      lastError = { code: coded.code, where };
      showStatus();
      ctx.done(coded);
    };

    const delivery = new Delivery<Ctx>({
      concurrency: cfg.concurrency,
      maxQueue: cfg.maxQueue,
      handlers: {
        finished: (ctx, r) => finished(ctx, r),
        failed: (ctx, err) => fail(ctx, err, destinationLabel(ctx.dest)),
        changed: showStatus,
        handlerError: (err) => node.error(err),
      },
    });

    function finished(ctx: Ctx, r: JobResult): void {
      const { msg } = ctx;
      msg.tcp = {
        host: r.host,
        port: r.port,
        localPort: r.localPort,
        attempts: r.attempts,
        connectMs: r.connectMs,
        queuedMs: Math.max(0, Date.now() - ctx.received - r.totalMs),
        totalMs: r.totalMs,
        bytesSent: r.bytesSent,
        bytesReceived: r.bytesReceived,
        closedBy: r.closedBy,
        replyTruncated: r.replyTruncated,
      };
      if (cfg.reply) {
        const value = cfg.reply.output === "buffer" ? r.reply : decodeReply(r.reply, 0, r.reply.length);
        try {
          RED.util.setMessageProperty(msg, cfg.reply.property, value, true);
        } catch (err) {
          // e.g. msg.printer is a string, so msg.printer.status cannot be set
          fail(ctx, err as Error, destinationLabel(ctx.dest));
          return;
        }
      }
      deliver(msg, ctx.send, ctx.done);
    }

    /** Evaluates data (and destination) for one message; calls back with bytes, or the error to report. */
    function prepare(msg: NodeMessage, cb: (err: Error | null, p?: Prepared) => void): void {
      dataOf(msg, (err, value) => {
        if (err) return cb(codedError(t("errors.evaluate", { what: t("label.data"), error: err.message }), "EEVALUATE"));
        let data: Buffer;
        try {
          data = toBytes(value, cfg.encoding);
        } catch (e) {
          return cb(e as Error);
        }
        if (cfg.mode === "reply") return cb(null, { data });
        evalOptional(hostOf, msg, "host", (errH, host) => {
          if (errH) return cb(errH);
          evalOptional(portOf, msg, "port", (errP, port) => {
            if (errP) return cb(errP);
            try {
              const dest = resolveDestination({ nodeHost: host, nodePort: port, msgDestination: msg.destination, msgHost: msg.host, msgPort: msg.port });
              cb(null, { data, dest });
            } catch (e) {
              cb(e as Error);
            }
          });
        });
      });
    }

    function evalOptional(ev: Evaluate | undefined, msg: NodeMessage, key: string, cb: (err: Error | null, v?: unknown) => void): void {
      if (!ev) return cb(null, undefined);
      // A set node field that yields nothing stays "set" (null), so it is an error rather than a fallback to msg.
      ev(msg, (err, v) => (err ? cb(codedError(t("errors.evaluate", { what: t(`label.${key}`), error: err.message }), "EEVALUATE")) : cb(null, v ?? null)));
    }

    const pendingReplies = new Set<{ msg: NodeMessage; done: DoneFn; ended: boolean }>();

    function reply(msg: NodeMessage, send: SendFn, done: DoneFn, data: Buffer): void {
      const id = sessionIdOf(msg._session);
      const r = writeReplyFast((manager as ManagerCore).registry, id, data, cfg.closeAfterReply, replyMaxPending);
      if (r instanceof PendingReply) {
        const entry = { msg, done, ended: false };
        pendingReplies.add(entry);
        showStatus(); // waiting for the peer to take it
        r.wait(cfg.job.writeTimeoutMs, (err, res) => {
          if (entry.ended) return; // already reported at stop
          entry.ended = true;
          pendingReplies.delete(entry);
          replied(msg, send, done, id, err ?? res ?? new Error("no result"));
        });
        return;
      }
      if (r instanceof Error) {
        replied(msg, send, done, id, r);
        return;
      }
      msg.tcp = { sessionId: r.id, peer: sessionLabel(r), bytesSent: data.length, closed: cfg.closeAfterReply };
      deliver(msg, send, done);
    }

    function replied(msg: NodeMessage, send: SendFn, done: DoneFn, id: unknown, r: ReplyResult | Error): void {
      if (r instanceof Error) {
        fail({ msg, done }, r, typeof id === "string" ? id : "?");
        return;
      }
      msg.tcp = { sessionId: r.sessionId, peer: r.peer, bytesSent: r.bytesSent, closed: r.closed };
      deliver(msg, send, done);
    }

    function toCoded(err: Error, where: string): CodedError {
      const d = describeSendError(err, where);
      if (d) return codedError(t(`errors.${d.key}`, d.subs), d.code);
      const code = (err as { code?: unknown }).code;
      return codedError(err.message, typeof code === "string" ? code : "EIO");
    }

    /** Reply mode with the data in msg.payload or fixed: read synchronously on the hot path. */
    const directData = cfg.mode === "reply" ? syncData : undefined;

    if (manager) manager.register({ id: node.id, type: TYPE, name: readProps(NAMED, def, SCHEMA_ENV).name });
    if (unverified) showStatus();

    node.on("input", function (msg: NodeMessage, send: SendFn, done: DoneFn) {
      if (directData && order.waiting === 0) {
        // Reply with data known at once and nothing evaluating ahead of it: no ticket, no callbacks.
        let data: Buffer;
        try {
          data = toBytes(directData(msg), cfg.encoding);
        } catch (err) {
          fail({ msg, done }, err as Error, "");
          return;
        }
        reply(msg, send, done, data);
        return;
      }
      const ticket = order.take();
      const received = Date.now();
      prepare(msg, (err, p) =>
        order.complete(ticket, () => {
          if (err || !p) return fail({ msg, done }, err ?? new Error("no data"), "");
          if (cfg.mode === "reply") return reply(msg, send, done, p.data);
          const dest = p.dest as Destination;
          try {
            delivery.submit(dest, p.data, cfg.job, { msg, send, done, dest, received });
          } catch (e) {
            fail({ msg, done }, e as Error, destinationLabel(dest));
          }
        }),
      );
    });

    node.on("close", function (_removed: boolean, done: () => void) {
      let ended = false;
      const finish = (): void => {
        if (ended) return;
        ended = true;
        clearTimeout(bound);
        closed = true;
        // Replies whose write has not completed by now are reported, never dropped silently.
        for (const entry of [...pendingReplies]) {
          entry.ended = true;
          pendingReplies.delete(entry);
          entry.done(codedError(t("errors.stopped", { where: String(sessionIdOf(entry.msg._session)), sent: 0 }), "ESTOPPED"));
        }
        status.stop();
        if (manager) manager.deregister({ id: node.id, type: TYPE });
        done();
      };
      // A safety net under the drain bound: Node-RED gives a close handler 15 s.
      const bound = setTimeout(finish, cfg.drainMs + 500);
      Promise.all([delivery.drain(cfg.drainMs), waitReplies(cfg.drainMs)]).then(finish, finish);
    });

    function waitReplies(boundMs: number): Promise<void> {
      const end = Date.now() + boundMs;
      return new Promise((resolve) => {
        const check = (): void => {
          if (pendingReplies.size === 0 || Date.now() >= end) resolve();
          else setTimeout(check, 20);
        };
        check();
      });
    }
  }

  RED.nodes.registerType(TYPE, SendToTcpPort);
};
