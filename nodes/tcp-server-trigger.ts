/**
 * tcp-server-trigger: listens on a port; every frame a client sends becomes a
 * message carrying the session it came from, so any flow can answer on the
 * same connection (Loftware's TCP/IP Server trigger, Q-SYS TcpSocketServer).
 */
import { reportConfigError } from "./red/config-error";
import { codedError, ThrottledStatus, SCHEMA_ENV } from "./lib/base";
import { ConfigError, MESSAGES, NAMED, readProps } from "./lib/schema";
import { frameError, skippedWarning } from "./red/frame-errors";
import { managerOrReport } from "./red/manager-link";
import { nodeMetrics, statusRate } from "./red/metrics";
import { listenSecurity } from "./red/security";
import { tunables } from "./red/settings";
import { sessionOwner } from "./red/session-owner";
import {
  type Connection,
  eventMessage,
  refusalText,
  type EventMessage,
  parseFramingConfig,
  type FramingProps,
  parseListenConfig,
  type ListenProps,
  Listener,
  type ListenSecurity,
} from "./lib/inbound";
import { codeOf } from "./lib/metrics";
import { peerLabel } from "./lib/sessions";
import type { Node, NodeAPI, NodeDef } from "./types/node-red";

const TYPE = "tcp-server-trigger";

export = function register(RED: NodeAPI): void {
  function TcpServerTrigger(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = (key: string, subs?: Record<string, unknown>): string => RED._(`${TYPE}.${key}`, subs);

    let listen;
    let framing;
    let security: ListenSecurity;
    try {
      listen = parseListenConfig(def as ListenProps);
      framing = parseFramingConfig(def as FramingProps);
      security = listenSecurity(RED, def, t);
    } catch (err) {
      if (err instanceof ConfigError) {
        reportConfigError(RED, node, TYPE, err);
        return;
      }
      throw err;
    }
    const manager = managerOrReport(RED, node, TYPE, def.manager);
    if (!manager) return;

    const tun = tunables(RED);
    const { name, topic, events: withEvents } = readProps({ ...NAMED, ...MESSAGES }, def, SCHEMA_ENV);
    const metrics = nodeMetrics(RED, node, TYPE, name, manager.id);
    const owner = sessionOwner(RED, def, TYPE, name, framing.framing.kind, metrics);
    const status = new ThrottledStatus(node);
    const where = peerLabel(listen.host ?? "*", listen.port);
    let stopped = false;

    let refusedCount = 0;
    let lastRefused = "";
    const showListening = (): void =>
      status.update(() =>
        refusedCount === 0
          ? { fill: "green", shape: "dot", text: withRate(t("status.listening", { port: listen.port, count: listener.size })) }
          : {
              fill: "green",
              shape: "dot",
              text: withRate(
                t("status.listening-refused", { port: listen.port, count: listener.size, refused: refusedCount, last: lastRefused }),
              ),
            },
      );
    // Messages per second over the last seconds, in the status while there are any.
    const withRate = statusRate(
      RED,
      node,
      TYPE,
      () => metrics.messagesOutTotal,
      () => {
        if (!stopped && listener.listening) showListening();
      },
    );

    const sendEvent = (msg: EventMessage): void => {
      if (withEvents && !stopped) node.send([null, msg]);
    };
    const connEvent = (event: "connected" | "closed" | "error" | "timeout", conn: Connection, extra?: { reason?: string; error?: Error }) =>
      sendEvent(eventMessage(event, topic, conn.peer, listener.size, extra));

    const listener: Listener = new Listener({
      listen,
      inbound: {
        ...framing,
        readTimeoutMs: listen.readTimeoutMs,
        keepAliveMs: listen.keepAliveMs,
        ...(listen.greeting ? { greeting: listen.greeting } : {}),
        ...(listen.probe ? { probe: listen.probe } : {}),
        topic,
      },
      registry: manager.registry,
      owner,
      security,
      retryMs: tun.listenRetryMs,
      handlers: {
        listening: () => showListening(),
        listenError: (err, retryMs) => {
          const text = t("errors.listen", { where, error: err.code ?? err.message, seconds: retryMs / 1000 });
          node.error(codedError(text, err.code ?? "ELISTEN"));
          metrics.error(err.code ?? "ELISTEN");
          status.now({ fill: "red", shape: "ring", text: t("status.listen-error", { port: listen.port, error: err.code ?? err.message }) });
        },
        accepted: (conn) => {
          metrics.accepted();
          connEvent("connected", conn);
          showListening();
        },
        refused: (ip, port, localPort, reason, error) => {
          sendEvent(eventMessage("refused", topic, { ip, port, localPort }, listener.size, { reason, error }));
          node.debug(t("log.refused", { peer: peerLabel(ip, port), reason: refusalText(reason, error) }));
          metrics.refused(reason);
          refusedCount++;
          lastRefused = `${ip} ${reason}`;
          if (!stopped) showListening();
        },
        // One send() per message: Node-RED clones every message after the first of a
        // multi-message send(), which costs more than the calls it saves.
        // Also while stopping: the last partial frame of a connection ended by a redeploy still goes out.
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
        // Why: "idle" (nothing for the read timeout), or "probe" (nor an answer to the probe after it).
        readTimeout: (conn, probed) => connEvent("timeout", conn, { reason: probed ? "probe" : "idle" }),
        socketError: (err, conn) => {
          metrics.error(codeOf(err));
          node.debug(t("log.socket-error", { peer: peerLabel(conn.peer.ip, conn.peer.port), error: err.message }));
          connEvent("error", conn, { error: err });
        },
        closed: (conn, reason) => {
          connEvent("closed", conn, { reason });
          if (!stopped) showListening();
        },
      },
    });

    listener.start();

    node.on("close", (_removed: boolean, done: () => void) => {
      stopped = true;
      status.stop();
      const bound = setTimeout(done, tun.closeTimeoutMs);
      // stop() only resolves (it ends sockets and closes the server, neither of which rejects).
      void listener.stop().then(() => {
        clearTimeout(bound);
        done();
      });
    });
  }

  RED.nodes.registerType(TYPE, TcpServerTrigger);
};
