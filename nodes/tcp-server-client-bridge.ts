/**
 * tcp-server-client-bridge: the ezTCP "TCP server/client" mode. Listens for
 * its peer, and dials the peer itself when enough input bytes wait; one link
 * at a time, closed after an idle timeout. Input messages are the serial
 * side; what the peer sends comes out framed like the trigger's output.
 *
 * This file maps configuration and messages onto lib/bridge/core and its
 * events onto send/done/status; the behaviour lives in the core.
 */
import { reportConfigError } from "./red/config-error";
import { refuseInputs } from "./red/refuse-inputs";
import { codedError, inWords, ThrottledStatus, SCHEMA_ENV } from "./lib/base";
import { ConfigError, MESSAGES, NAMED, readProps } from "./lib/schema";
import { frameError, skippedWarning } from "./red/frame-errors";
import { managerOrReport } from "./red/manager-link";
import { nodeMetrics, statusRate } from "./red/metrics";
import { clientTls, listenSecurity, type ClientTls } from "./red/security";
import { tunables } from "./red/settings";
import { sessionOwner } from "./red/session-owner";
import { BridgeCore, type BridgeMode, parseBridgeConfig, type BridgeConfig, type BridgeProps } from "./lib/bridge";
import {
  type Connection,
  eventMessage,
  refusalText,
  type EventMessage,
  parseFramingConfig,
  type FramingConfig,
  type FramingProps,
  parseListenConfig,
  type ListenConfig,
  type ListenSecurity,
} from "./lib/inbound";
import { toBytes } from "./lib/outbound";
import { codeOf } from "./lib/metrics";
import { peerLabel } from "./lib/sessions";
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, NodeStatus, SendFn } from "./types/node-red";

const TYPE = "tcp-server-client-bridge";

export = function register(RED: NodeAPI): void {
  function TcpServerClientBridge(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = (key: string, subs?: Record<string, unknown>): string => RED._(`${TYPE}.${key}`, subs);
    /** A bridge that cannot run still answers every input, so no message vanishes without a trace. */
    const refuseInput = (): void => refuseInputs(node, t("errors.not-running"), "ENOTRUNNING");

    let listen: ListenConfig;
    let framing: FramingConfig;
    let cfg: BridgeConfig;
    let security: ListenSecurity;
    let dialTls: ClientTls;
    try {
      listen = parseListenConfig({ port: def.port, host: def.host, keepAlive: def.keepAlive, greeting: def.greeting });
      cfg = parseBridgeConfig(def as BridgeProps);
      framing = parseFramingConfig(def as FramingProps);
      security = listenSecurity(RED, def, t);
      dialTls = clientTls(RED, def, t);
    } catch (err) {
      if (err instanceof ConfigError) {
        reportConfigError(RED, node, TYPE, err);
        refuseInput();
        return;
      }
      throw err;
    }
    const manager = managerOrReport(RED, node, TYPE, def.manager);
    if (!manager) {
      refuseInput();
      return;
    }

    const { name, topic, events: withEvents } = readProps({ ...NAMED, ...MESSAGES }, def, SCHEMA_ENV);
    const metrics = nodeMetrics(RED, node, TYPE, name, manager.id);
    const owner = sessionOwner(RED, def, TYPE, name, framing.framing.kind, metrics);
    const status = new ThrottledStatus(node);
    const where = peerLabel(listen.host ?? "*", listen.port);
    const peer = peerLabel(cfg.peerHost, cfg.peerPort);
    let listenProblem: string | undefined;
    let stopped = false;
    let refusedCount = 0;
    let lastRefused = "";
    /** TLS dial-out without verifying the peer: said at start and in every status. */
    const unverified = dialTls.options !== undefined && !dialTls.verify;
    if (unverified) node.warn(t("warn.tls-unverified", { peer }));

    const sendEvent = (msg: EventMessage): void => {
      if (withEvents && !stopped) node.send([null, msg]);
    };
    const links = (): number => (core.connection ? 1 : 0);
    const connEvent = (event: "closed" | "error" | "timeout", conn: Connection, extra?: { reason?: string; error?: Error }): void =>
      sendEvent(eventMessage(event, topic, conn.peer, links(), { ...extra, direction: conn.session.direction }));
    const peerOf = (conn: Connection): string => peerLabel(conn.peer.ip, conn.peer.port);

    function statusOf(mode: BridgeMode): NodeStatus {
      const link = core.connection;
      const subs = { port: listen.port, peer, buffered: core.buffered, seconds: cfg.holdOffMs / 1000 };
      switch (mode) {
        case "linked-in":
          return { fill: "green", shape: "dot", text: withRate(t("status.connected-in", { ...subs, peer: link ? peerOf(link) : peer })) };
        case "linked-out":
          return { fill: "green", shape: "dot", text: withRate(t("status.connected-out", subs)) };
        case "dialling":
          return { fill: "yellow", shape: "ring", text: t("status.dialling", subs) };
        case "holding-off":
          return { fill: "yellow", shape: "ring", text: t("status.holding-off", subs) };
        case "stopped":
          return {};
        default:
          if (listenProblem) return { fill: "red", shape: "ring", text: t("status.listen-error", { ...subs, error: listenProblem }) };
          return { fill: "green", shape: "ring", text: t(core.buffered > 0 ? "status.listening-buffered" : "status.listening", subs) };
      }
    }
    // Messages per second over the last seconds, in the status while linked and there are any.
    const withRate = statusRate(
      RED,
      node,
      TYPE,
      () => metrics.messagesOutTotal,
      () => showStatus(),
    );
    const showStatus = (): void => {
      if (stopped) return;
      status.update(() => {
        let s = statusOf(core.mode);
        if (s.text === undefined) return s;
        if (refusedCount > 0) s = { ...s, text: t("status.refused", { text: s.text, refused: refusedCount, last: lastRefused }) };
        return unverified ? { ...s, text: t("status.unverified", { text: s.text }) } : s;
      });
    };

    const tun = tunables(RED);
    const core: BridgeCore = new BridgeCore({
      listenRetryMs: tun.listenRetryMs,
      listen,
      config: cfg,
      inbound: {
        ...framing,
        readTimeoutMs: 0,
        keepAliveMs: listen.keepAliveMs,
        ...(listen.greeting ? { greeting: listen.greeting } : {}),
        topic,
      },
      registry: manager.registry,
      owner,
      security,
      dialTls: dialTls.options,
      handlers: {
        mode: () => showStatus(),
        listening: (port) => {
          listenProblem = undefined;
          sendEvent(eventMessage("listening", topic, { ip: listen.host ?? "", port, localPort: port }, links()));
          showStatus();
        },
        listenError: (err, retryMs) => {
          listenProblem = err.code ?? err.message;
          const text = t("errors.listen", { where, error: listenProblem, seconds: retryMs / 1000 });
          node.error(codedError(text, err.code ?? "ELISTEN"));
          metrics.error(err.code ?? "ELISTEN");
          if (core.mode === "listening") status.now(statusOf("listening"));
        },
        dialling: (host, port, retry) => {
          if (retry) metrics.retries(1);
          sendEvent(eventMessage("dialling", topic, { ip: host, port, localPort: 0 }, links()));
        },
        dialFailed: (err, holdOffMs) => {
          const code = err.code ?? "EDIAL";
          metrics.error(code);
          const text = t("errors.dial", { peer, error: code, seconds: holdOffMs / 1000, buffered: core.buffered });
          const ev = eventMessage("error", topic, { ip: cfg.peerHost, port: cfg.peerPort, localPort: 0 }, links(), {
            reason: "dial-failed",
            error: err,
          });
          // With a message, so Catch nodes see it.
          node.error(codedError(text, code), { topic, ip: ev.ip, port: ev.port, buffered: core.buffered });
          sendEvent(ev);
        },
        linked: (conn) => {
          if (conn.session.direction === "in") metrics.accepted();
          const event = conn.session.direction === "in" ? "connected-in" : "connected-out";
          sendEvent(eventMessage(event, topic, conn.peer, links(), { direction: conn.session.direction }));
        },
        refused: (ip, port, localPort, reason, error) => {
          sendEvent(eventMessage("refused", topic, { ip, port, localPort }, links(), { reason, error }));
          node.debug(t("log.refused", { peer: peerLabel(ip, port), reason: refusalText(reason, error) }));
          metrics.refused(reason);
          // "busy" is the bridge's normal one-link rule, not a security refusal.
          if (reason !== "busy") {
            refusedCount++;
            lastRefused = `${ip} ${reason}`;
            showStatus();
          }
        },
        timeout: (conn) => connEvent("timeout", conn),
        unlinked: (conn, reason) => connEvent("closed", conn, { reason }),
        // One send() per frame, as the trigger: Node-RED clones every message after the first of a
        // multi-message send(), which costs more than the calls it saves.
        // Also while stopping: the last partial frame of a link ended by a redeploy still goes out.
        messages: (batch) => {
          metrics.framesIn(batch.length);
          metrics.messagesOut(batch.length);
          if (withEvents) for (const m of batch) node.send([m, null]);
          else for (const m of batch) node.send(m);
        },
        frameError: (err, msg, conn) => {
          metrics.error(codeOf(err));
          node.error(frameError(t, err, conn), msg);
        },
        skipped: (count, conn) => node.warn(skippedWarning(t, count, conn)),
        socketError: (err, conn) => {
          metrics.error(codeOf(err));
          node.debug(t("log.socket-error", { peer: peerOf(conn), error: err.message }));
          connEvent("error", conn, { error: err });
        },
        sendFailed: (bytes, err, conn) => {
          metrics.error("ESENDFAILED");
          const code = (err as { code?: unknown }).code;
          const text = t("errors.send-failed", {
            bytes: bytes.length,
            peer: peerOf(conn),
            session: conn.session.id,
            error: code ?? err.message,
          });
          node.error(codedError(text, "ESENDFAILED"), {
            payload: bytes,
            topic,
            ip: conn.peer.ip,
            port: conn.peer.port,
            _session: { type: "tcp", id: conn.session.id },
          });
        },
      },
    });

    node.on("input", (msg: NodeMessage, _send: SendFn, done: DoneFn) => {
      let bytes: Buffer;
      try {
        bytes = toBytes(msg.payload, cfg.inputEncoding);
      } catch (err) {
        done(inWords(err, t) ?? (err as Error));
        return;
      }
      const r = core.write(bytes);
      if (r.full) {
        const text = t("errors.buffer-full", { bytes: bytes.length, buffered: core.buffered, limit: cfg.maxBuffer, peer });
        done(codedError(text, "EBUFFERFULL"));
        return;
      }
      if (r.dropped > 0) node.warn(t("warn.dropped", { bytes: r.dropped, policy: cfg.bufferPolicy, limit: cfg.maxBuffer }));
      showStatus();
      done();
    });

    metrics.gauges(() => ({ bufferedBytes: core.buffered }));
    core.start();

    node.on("close", (_removed: boolean, done: () => void) => {
      stopped = true;
      status.stop();
      const bound = setTimeout(done, tun.closeTimeoutMs);
      core.stop().then(
        (unsent) => {
          if (unsent.length > 0) {
            const text = t("errors.unsent", { bytes: unsent.length, peer });
            node.error(codedError(text, "EUNSENT"), { payload: unsent, topic });
          }
          clearTimeout(bound);
          done();
        },
        (err: unknown) => {
          node.error(err);
          clearTimeout(bound);
          done();
        },
      );
    });
  }

  RED.nodes.registerType(TYPE, TcpServerClientBridge);
};
