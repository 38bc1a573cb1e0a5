/**
 * tcp-client-link ("tcp client"): one persistent connection to a device,
 * dialled again with backoff when lost. Stream mode: every frame becomes a
 * message and every input is written. Request mode: each input is a request
 * and its reply goes out on the request's own message.
 *
 * This file only maps: configuration -> lib/client (Link or Requests),
 * their handlers -> send/done/status/events and the catalog. Delivery: done()
 * when the kernel took the bytes (stream) or the reply came (request);
 * done(err) with a coded ClientError otherwise, so Catch nodes see
 * msg.error.code. Every input gets msg.tcp.jobId; with "Keep queued jobs
 * across restarts" the jobs are kept on disk until they end (lib/client/kept-writes).
 */
import { reportConfigError } from "./red/config-error";
import { refuseInputs } from "./red/refuse-inputs";
import { countdownStep, inWords, ThrottledStatus } from "./lib/base";
import { ConfigError } from "./lib/schema";
import { frameError, skippedWarning } from "./red/frame-errors";
import { managerOrReport } from "./red/manager-link";
import { nodeMetrics, statusRate } from "./red/metrics";
import { clientTls } from "./red/security";
import { tunables } from "./red/settings";
import { sessionOwner } from "./red/session-owner";
import {
  ClientError,
  Link,
  type LinkOptions,
  type LinkStatus,
  parseClientConfig,
  type ClientConfig,
  Requests,
  type ReplyInfo,
  replyPropertyError,
  STABLE_MS,
} from "./lib/client";
import { type Connection, eventMessage, type ConnectionEvent, type InboundMessage } from "./lib/inbound";
import { toBytes } from "./lib/outbound";
import { closeGuardMs, JobKeeper, setJobId } from "./lib/journal";
import { KeptWrites } from "./lib/client/kept-writes";
import { nextMessageId } from "./lib/base/msgid";
import { discardJournal, journalFingerprint, journalPath } from "./red/journal-place";
import { codeOf } from "./lib/metrics";
import { peerLabel } from "./lib/sessions";
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, NodeStatus, SendFn } from "./types/node-red";

const TYPE = "tcp-client-link";

/** One input message on its way. */
interface Job {
  msg: NodeMessage;
  send: SendFn;
  done: DoneFn;
  /** msg.tcp.jobId: the same after a restart when the job is kept. */
  jobId: string;
  /** Its journal number while it is kept on disk. */
  seq?: number;
}

/** What kept jobs depend on: a change drops them at the next start (warned with their count). */
const FINGERPRINT = ["host", "port", "mode", "inputEncoding", "tls"];

export = function register(RED: NodeAPI): void {
  function TcpClientLink(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = (key: string, subs?: Record<string, unknown>): string => RED._(`${TYPE}.${key}`, subs);
    const refuseAll = (): void => refuseInputs(node, t("errors.not-configured"), "ECONFIG");

    let cfg: ClientConfig;
    let tlsOptions;
    let verify: boolean;
    try {
      cfg = parseClientConfig(def);
      ({ options: tlsOptions, verify } = clientTls(RED, def, t));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      reportConfigError(RED, node, TYPE, err);
      refuseAll();
      return;
    }
    const manager = managerOrReport(RED, node, TYPE, def.manager);
    if (!manager) {
      refuseAll();
      return;
    }

    const peer = peerLabel(cfg.host, cfg.port);
    const unverified = tlsOptions !== undefined && !verify;
    if (unverified) node.warn(t("warn.tls-unverified", { peer }));
    const tun = tunables(RED);
    const status = new ThrottledStatus(node);
    const metrics = nodeMetrics(RED, node, TYPE, cfg.name, manager.id);
    metrics.gauges(() => ({ queued: ctl.status().queued }));
    let stopped = false;
    let live: Connection | undefined;

    const coded = (err: ClientError): Error => inWords(err, t, { peer }) ?? err;
    const linkInfo = (conn: Connection | undefined): Record<string, unknown> => ({
      host: cfg.host,
      port: cfg.port,
      session: conn?.session.id,
      localPort: conn?.socket.localPort,
      connectedAt: conn?.session.connectedAt,
    });
    const sendEvent = (event: ConnectionEvent, conn: Connection | undefined, extra?: Record<string, unknown>, error?: Error): void => {
      if (!cfg.events || stopped) return;
      const ev = eventMessage(
        event,
        cfg.topic,
        { ip: cfg.host, port: cfg.port, localPort: conn?.socket.localPort ?? 0, sessionId: conn?.session.id },
        live ? 1 : 0,
        error ? { error: error } : undefined,
      );
      node.send([null, Object.assign(ev, extra, { tcp: linkInfo(conn) })]);
    };

    function statusOf(s: LinkStatus): NodeStatus {
      const subs = { peer, attempt: s.attempt, queued: s.queued, error: (s.lastError as { code?: string } | undefined)?.code ?? "" };
      let st: NodeStatus;
      switch (s.state) {
        case "connected":
          st = { fill: "green", shape: "dot", text: t("status.connected", subs) };
          break;
        case "connecting":
          st = { fill: "yellow", shape: "ring", text: t("status.connecting", subs) };
          break;
        case "waiting": {
          // Whole seconds, counted down by the ticker in showStatus.
          const { seconds } = countdownStep((s.nextAttemptAt ?? Date.now()) - Date.now());
          st = { fill: "yellow", shape: "ring", text: t("status.waiting", { ...subs, seconds }) };
          break;
        }
        case "idle":
          st = s.lastError
            ? { fill: "red", shape: "ring", text: t("status.gave-up", subs) }
            : { fill: "grey", shape: "ring", text: t("status.idle", subs) };
          break;
        default:
          return {};
      }
      if (s.state === "connected") st = { ...st, text: withRate(st.text ?? "") };
      if (s.queued > 0) st = { ...st, text: t("status.queued", { text: st.text, queued: s.queued }) };
      return unverified ? { ...st, text: t("status.unverified", { text: st.text }) } : st;
    }
    /** While waiting for the next attempt, the status counts down once a second. */
    let countdown: NodeJS.Timeout | undefined;
    const showStatus = (s: LinkStatus): void => {
      clearTimeout(countdown);
      countdown = undefined;
      if (stopped) return;
      status.update(() => statusOf(s));
      if (s.state === "waiting" && s.nextAttemptAt !== undefined) {
        const { nextTickMs } = countdownStep(s.nextAttemptAt - Date.now());
        if (nextTickMs !== undefined) countdown = setTimeout(() => showStatus(ctl.status()), nextTickMs);
      }
    };

    // Messages out per second over the last seconds, in the status while connected and there are any.
    const withRate = statusRate(
      RED,
      node,
      TYPE,
      () => metrics.messagesOutTotal,
      () => showStatus(ctl.status()),
    );

    /** The link's own events, the same in both modes. */
    const linkEvents = {
      status: (s: LinkStatus) => showStatus(s),
      connected: (conn: Connection) => {
        live = conn;
        sendEvent("connected", conn);
      },
      closed: (conn: Connection, reason: string, cause: Error | undefined) => {
        live = undefined;
        const kind = cause instanceof ClientError ? cause.kind : undefined;
        if (kind === "heartbeat-lost") sendEvent("heartbeat-lost", conn, undefined, coded(cause as ClientError));
        else if (kind === "read-timeout" || kind === "write-timeout") sendEvent("timeout", conn, undefined, coded(cause as ClientError));
        sendEvent("closed", conn, { reason }, cause instanceof ClientError ? coded(cause) : cause);
        showStatus(ctl.status());
      },
      dialFailed: (err: ClientError) => {
        metrics.error(codeOf(err));
        node.debug(coded(err).message);
        sendEvent("error", undefined, { reason: "dial-failed" }, coded(err));
      },
      reconnecting: (retry: number, waitMs: number) => {
        metrics.retries(1);
        sendEvent("reconnecting", undefined, { attempt: retry + 1, wait: waitMs });
      },
      gaveUp: (err: ClientError) => {
        metrics.error(codeOf(err));
        node.error(coded(err));
        sendEvent("gave-up", undefined, undefined, coded(err));
      },
      frameError: (err: Parameters<typeof frameError>[1], msg: InboundMessage, conn: Connection) => {
        metrics.error(codeOf(err));
        node.error(frameError(t, err, conn), msg);
      },
      skipped: (count: number, conn: Connection) => node.warn(skippedWarning(t, count, conn)),
    };
    const failed = (job: Job, err: ClientError): void => {
      // Kept and stopped by a redeploy or restart: it stays on disk for the next start, its message goes on then.
      if (kept && !kept.ended(job, err.code)) return;
      metrics.error(codeOf(err));
      if (err.kind === "queue-full") sendEvent("queue-full", live, { policy: err.detail.policy, dropped: err.detail.dropped }, coded(err));
      job.done(coded(err));
    };

    const linkOptions = {
      host: cfg.host,
      port: cfg.port,
      ...(cfg.localAddress !== undefined ? { localAddress: cfg.localAddress } : {}),
      tls: tlsOptions,
      connectTimeoutMs: cfg.connectTimeoutMs,
      connect: cfg.connect,
      idleCloseMs: cfg.idleCloseMs,
      backoff: cfg.backoff,
      stableMs: STABLE_MS,
      keepAliveMs: cfg.keepAliveMs,
      writeTimeoutMs: cfg.writeTimeoutMs,
      ...(cfg.heartbeat ? { heartbeat: cfg.heartbeat } : {}),
      ...(cfg.greeting ? { greeting: cfg.greeting } : {}),
      queue: cfg.queue,
      inbound: { ...cfg.framing, readTimeoutMs: cfg.readTimeoutMs, topic: cfg.topic },
      registry: manager.registry,
      owner: sessionOwner(RED, def, TYPE, cfg.name, cfg.framing.framing.kind, metrics),
    } satisfies Omit<LinkOptions<Job>, "handlers">;

    let link: Link<Job> | undefined;
    let requests: Requests<Job> | undefined;
    if (cfg.mode === "request") {
      requests = new Requests<Job>(linkOptions, cfg.request, {
        ...linkEvents,
        replied: (job: Job, reply: InboundMessage, info: ReplyInfo) => {
          kept?.ended(job);
          metrics.framesIn(1);
          metrics.reply(info.ms / 1000);
          // false when a part of the path is a string, number or null in this msg: the reply would be lost unseen.
          if (!RED.util.setMessageProperty(job.msg, cfg.replyProperty, reply.payload, true)) {
            const err = replyPropertyError(peer, cfg.replyProperty);
            metrics.error(codeOf(err));
            job.done(coded(err));
            return;
          }
          job.msg.tcp = { ...linkInfo(live), ...info, replySession: reply._session.id, jobId: job.jobId };
          metrics.messagesOut(1);
          job.send(job.msg);
          job.done();
        },
        failed,
        unsolicited: (m: InboundMessage, conn: Connection) => {
          metrics.framesIn(1);
          sendEvent("unsolicited", conn, { data: m.payload });
        },
        late: (m: InboundMessage) => sendEvent("unsolicited", live, { data: m.payload, late: true }),
      });
    } else {
      link = new Link<Job>({
        ...linkOptions,
        handlers: {
          ...linkEvents,
          // One send() per frame, as the trigger does (Node-RED clones every message after the first of a batch).
          frames: (batch) => {
            metrics.framesIn(batch.length);
            metrics.messagesOut(batch.length);
            if (cfg.events) for (const m of batch) node.send([m, null]);
            else for (const m of batch) node.send(m);
          },
          sent: (job) => {
            kept?.ended(job);
            job.done();
          },
          failed,
        },
      });
    }
    /** The one the node drives: requests (request mode) or the bare link (stream mode). */
    const ctl = {
      status: (): LinkStatus => (requests ? requests.link.status() : (link as Link<Job>).status()),
      write: (bytes: Buffer, job: Job, past = false): void =>
        requests ? requests.request(bytes, job, past) : (link as Link<Job>).write(bytes, job, past),
      start: (): void => (requests ? requests.start() : (link as Link<Job>).start()),
      setGreeting: (bytes: Buffer): void => (requests ? requests.link : (link as Link<Job>)).setGreeting(bytes),
      stop: (ms: number): Promise<void> => (requests ? requests.stop(ms) : (link as Link<Job>).stop(ms)),
    };

    node.on("input", (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      let bytes: Buffer;
      try {
        // msg.greeting: the login for every later connection (the one up now was greeted already).
        if (msg.greeting !== undefined) {
          ctl.setGreeting(toBytes(msg.greeting, cfg.inputEncoding));
          if (msg.payload === undefined) {
            done();
            return;
          }
        }
        bytes = toBytes(msg.payload, cfg.inputEncoding);
      } catch (err) {
        done(inWords(err, t) ?? (err as Error));
        return;
      }
      const jobId = nextMessageId();
      setJobId(msg, jobId);
      const job: Job = { msg, send, done, jobId };
      if (kept) kept.add(bytes, job);
      else ctl.write(bytes, job);
    });

    // Keep queued jobs across restarts: the jobs kept from before go to the link first, then the new ones once on disk.
    const persist = cfg.persist;
    const kept = persist
      ? new KeptWrites<Job>({
          keeper: new JobKeeper({ ...persist, file: journalPath(RED, node.id), fingerprint: journalFingerprint(def, FINGERPRINT) }),
          write: (bytes, job, past) => ctl.write(bytes, job, past),
          restored: (k) => ({
            msg: k.msg,
            jobId: k.jobId,
            send: (m) => node.send(m),
            done: (err) => {
              if (err) node.error(err, k.msg);
            },
          }),
          fail: (job, err) => {
            metrics.error(codeOf(err));
            job.done(inWords(err, t, { peer }) ?? err);
          },
          report: (err) => node.error(inWords(err, t, { peer }) ?? err),
          warn: (key, subs) => node.warn(t(`warn.${key}`, subs)),
        })
      : undefined;
    // The option turned off: jobs kept before are dropped, and said so.
    if (!persist) discardJournal(RED, node.id, (count) => node.warn(t("warn.journal-off", { count })));

    ctl.start();

    node.on("close", (removed: boolean, done: () => void) => {
      stopped = true;
      clearTimeout(countdown);
      status.stop();
      kept?.stopping(removed);
      // What is queued or in flight may finish within most of the close bound; the rest ends with ESTOPPED
      // (kept jobs stay on disk instead, unless the node is deleted). Kept jobs do not wait for a device that is
      // down: they go out after the next start.
      const waitForDevice = !kept || ctl.status().state === "connected";
      const drainMs = Math.max(0, tun.closeTimeoutMs - 500);
      const boundMs = waitForDevice ? drainMs : 0;
      // A safety net under the drain bound, with room for the journal's last sync when jobs are kept.
      const guard = setTimeout(done, closeGuardMs(drainMs, kept !== undefined));
      void ctl
        .stop(boundMs)
        .then(() => kept?.close())
        .then(
          (dropped) => {
            if (dropped) node.warn(t("warn.journal-removed", { count: dropped }));
          },
          () => undefined,
        )
        .then(() => {
          clearTimeout(guard);
          node.status({});
          done();
        });
    });
  }

  RED.nodes.registerType(TYPE, TcpClientLink);
};
