/**
 * send-to-tcp-port: delivers each message to host:port over a connection of
 * its own (queued per destination, retried while the peer refuses), or
 * replies on the connection a tcp-server-trigger message came from
 * (Loftware's "Send Data to TCP/IP Port" with "Reply to sender"), or sends to
 * every live connection its targets pick (send to connections).
 *
 * This file only maps: configuration -> one controller of lib/outbound
 * (SendController, ReplyController or BroadcastController), Node-RED's input, send, done, status
 * and catalog -> the controller's small interfaces.
 */
import { reportConfigError } from "./red/config-error";
import { refuseInputs } from "./red/refuse-inputs";
import { ConfigError, NAMED, readProps } from "./lib/schema";
import { codedError, SCHEMA_ENV } from "./lib/base";
import { resolveManager } from "./red/manager-link";
import { nodeMetrics } from "./red/metrics";
import { clientTls, type ClientTls } from "./red/security";
import { tunables } from "./red/settings";
import { evaluator, readNow } from "./red/typed-props";
import { BroadcastController, Keeper, parseSendConfig, ReplyController, SendController, type SendProps } from "./lib/outbound";
import { discardJournal, journalFingerprint, journalPath } from "./red/journal-place";
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, NodeStatus, SendFn } from "./types/node-red";

const TYPE = "send-to-tcp-port";

export = function register(RED: NodeAPI): void {
  function SendToTcpPort(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = (key: string, subs?: Record<string, unknown>): string => RED._(`${TYPE}.${key}`, subs);

    const refuseAll = (text: string, code: string): void => refuseInputs(node, text, code);

    let controller: SendController | ReplyController | BroadcastController;
    try {
      const cfg = parseSendConfig(def as SendProps);
      const tls: ClientTls = cfg.mode === "send" ? clientTls(RED, def, t) : { options: undefined, verify: true };
      cfg.job.tls = tls.options;
      const dataNow = readNow(RED, node, cfg.data, "data");
      // Send jobs use no manager; reply and broadcast write to the sessions of theirs.
      const manager = cfg.mode === "send" ? null : resolveManager(RED, def.manager);
      const metrics = nodeMetrics(RED, node, TYPE, readProps(NAMED, def, SCHEMA_ENV).name, manager ? manager.id : "");
      const common = {
        data: evaluator(RED, node, cfg.data, "data", dataNow),
        encoding: cfg.encoding,
        drainMs: cfg.drainMs,
        t,
        status: (s: NodeStatus) => node.status(s),
        // Node-RED's send() to an output with no wires still makes a message id (8 Math.random calls): skip it.
        wired: Array.isArray(def.wires) && def.wires.some((w) => Array.isArray(w) && w.length > 0),
        metrics,
      };
      if (cfg.mode === "reply" || cfg.mode === "broadcast") {
        if (!manager) {
          const text = t("errors.no-manager", { id: String(def.manager) });
          node.error(text);
          node.status({ fill: "red", shape: "ring", text: t("status.no-manager") });
          refuseAll(text, "ENOMANAGER");
          return;
        }
        const maxPending = tunables(RED).replyMaxPendingBytes;
        controller = cfg.broadcast
          ? new BroadcastController({
              ...common,
              registry: manager.registry,
              dataNow,
              targets: cfg.broadcast.targets,
              exceptSender: cfg.broadcast.exceptSender,
              fan: { maxPending, writeTimeoutMs: cfg.job.writeTimeoutMs, slow: cfg.broadcast.slow },
            })
          : new ReplyController({
              ...common,
              registry: manager.registry,
              dataNow,
              closeAfterReply: cfg.closeAfterReply,
              writeTimeoutMs: cfg.job.writeTimeoutMs,
              maxPending,
            });
      } else {
        const host = cfg.host && evaluator(RED, node, cfg.host, "host");
        const port = cfg.port && evaluator(RED, node, cfg.port, "port");
        /** TLS without verifying the server: said at start and in every status. */
        const unverified = tls.options !== undefined && !tls.verify;
        if (unverified) node.warn(t("warn.tls-unverified", { peer: cfg.host ? cfg.host.value || "?" : "msg.host" }));
        controller = new SendController({
          ...common,
          host,
          port,
          job: cfg.job,
          reply: cfg.reply,
          concurrency: cfg.concurrency,
          maxQueue: cfg.maxQueue,
          // Node-RED returns false (and sets nothing) when the path runs through a string, number or null.
          setProperty: (msg, path, value) => {
            if (!RED.util.setMessageProperty(msg, path, value, true))
              throw codedError(t("errors.reply-property", { property: path }), "EREPLYPROPERTY");
          },
          report: (err) => node.error(err),
          unverified,
          keeper: cfg.persist && new Keeper({ ...cfg.persist, file: journalPath(RED, node.id), fingerprint: journalFingerprint(def) }),
          restoredIo: {
            send: (msg) => node.send(msg),
            done: (msg) => (err) => {
              if (err) node.error(err, msg);
            },
          },
          warn: (text) => node.warn(text),
        });
        // The option turned off: jobs kept before are dropped, and said so.
        if (!cfg.persist) discardJournal(RED, node.id, (count) => node.warn(t("warn.journal-off", { count })));
      }
      // Read when scraped: jobs with a connection being made or open, and messages waiting (for a destination, or behind a slow peer).
      const c = controller;
      if (c instanceof SendController) metrics.gauges(() => ({ open: c.running, queued: c.queued }));
      else metrics.gauges(() => ({ queued: c.running }));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      reportConfigError(RED, node, TYPE, err);
      refuseAll(t("errors.not-configured"), "ECONFIG");
      return;
    }
    const c = controller;
    node.on("input", (msg: NodeMessage, send: SendFn, done: DoneFn) => c.input(msg, send, done));
    node.on("close", (removed: boolean, done: () => void) => (c instanceof SendController ? c.close(done, removed) : c.close(done)));
  }

  RED.nodes.registerType(TYPE, SendToTcpPort);
};
