/**
 * The send-to-tcp-port editor properties, read through lib/schema and turned
 * into what the node needs: the mode, the typed sources of destination and
 * data, the job options of tcp-job and the queue limits.
 */
import { escapedBytes } from "../base/escapes";
import { SCHEMA_ENV } from "../base/encoding";
import { ConfigError, persistConfig, propertyPath, readProps, SEND, SEND_DEFAULTS, str, type SendMode, type TypedProp } from "../schema";
import { JOB_DEFAULTS, type JobOptions } from "./job";
import type { BroadcastTargets, SlowClientPolicy } from "./broadcast";
import type { PersistConfig } from "../journal/keeper";

export type { PersistConfig } from "../journal/keeper";

export { DATA_TYPES, HOST_TYPES, MAX_DRAIN_MS, PORT_TYPES, type SendMode, type TypedProp } from "../schema";
export const DEFAULT_DRAIN_MS = SEND_DEFAULTS.drainMs;

export type ReplyOutput = "string" | "buffer";

export interface SendConfig {
  mode: SendMode;
  /** undefined: the node sets no host, so the message gives it (msg.destination, msg.host). */
  host: TypedProp | undefined;
  /** undefined: the node sets no port. */
  port: TypedProp | undefined;
  data: TypedProp;
  encoding: string;
  job: JobOptions;
  /** Where to save what the peer sent; undefined = do not keep it. */
  reply: { property: string; output: ReplyOutput } | undefined;
  concurrency: number;
  maxQueue: number;
  /** On redeploy: how long queued and running jobs may go on before they fail. */
  drainMs: number;
  /** reply mode: close the sender's connection after the reply went out. */
  closeAfterReply: boolean;
  /** broadcast mode: which connections, the sender left out or not, what to do with a slow client. */
  broadcast: { targets: BroadcastTargets; exceptSender: boolean; slow: SlowClientPolicy } | undefined;
  /** send mode: keep queued jobs on disk across restarts (lib/journal); undefined = in memory only. */
  persist: PersistConfig | undefined;
}

export interface SendProps {
  mode?: unknown;
  host?: unknown;
  hostType?: unknown;
  port?: unknown;
  portType?: unknown;
  data?: unknown;
  dataType?: unknown;
  encoding?: unknown;
  after?: unknown;
  eofTimeout?: unknown;
  disconnectDelay?: unknown;
  replyEnd?: unknown;
  saveReply?: unknown;
  replyProperty?: unknown;
  replyOutput?: unknown;
  connectTimeout?: unknown;
  writeTimeout?: unknown;
  attempts?: unknown;
  retryDelay?: unknown;
  retryMaxDelay?: unknown;
  retryWithin?: unknown;
  concurrency?: unknown;
  maxQueue?: unknown;
  drainTimeout?: unknown;
  closeAfterReply?: unknown;
  targets?: unknown;
  targetNode?: unknown;
  targetAddresses?: unknown;
  targetPort?: unknown;
  exceptSender?: unknown;
  slowClients?: unknown;
  persist?: unknown;
  persistMaxJobs?: unknown;
  persistMaxMB?: unknown;
  persistMaxAge?: unknown;
  persistSyncDelay?: unknown;
}

/** A msg property path for the reply, with or without "msg." in front. */
export function replyPath(v: unknown): string {
  const p = propertyPath(v);
  if (p === undefined) throw new ConfigError("replyProperty", str(v));
  return p;
}

/** The value of a property that applies in send mode (readProps read it). */
function given<T>(v: T | undefined): T {
  return v as T;
}

export function parseSendConfig(p: SendProps): SendConfig {
  const v = readProps(SEND, p as Record<string, unknown>, SCHEMA_ENV);
  const base = {
    mode: v.mode,
    data: v.data,
    encoding: v.encoding,
    drainMs: v.drainTimeout,
    concurrency: 1,
    maxQueue: SEND_DEFAULTS.maxQueue,
    closeAfterReply: v.closeAfterReply,
    broadcast: undefined,
    persist: undefined,
  };
  const toSessions = {
    ...base,
    host: undefined,
    port: undefined,
    reply: undefined,
    job: { ...JOB_DEFAULTS, writeTimeoutMs: v.writeTimeout },
  };
  if (v.mode === "reply") return toSessions;
  if (v.mode === "broadcast") {
    const kind = given(v.targets);
    const targets: BroadcastTargets =
      kind === "node"
        ? { kind, nodeId: given(v.targetNode) }
        : kind === "address"
          ? { kind, entries: given(v.targetAddresses) }
          : kind === "port"
            ? { kind, port: given(v.targetPort) }
            : { kind: "all" };
    return { ...toSessions, broadcast: { targets, exceptSender: given(v.exceptSender), slow: given(v.slowClients) } };
  }
  const after = given(v.after);
  const saveReply = given(v.saveReply);
  const retryDelayMs = given(v.retryDelay);
  const job: JobOptions = {
    after,
    eofTimeoutMs: given(v.eofTimeout),
    disconnectDelayMs: given(v.disconnectDelay),
    connectTimeoutMs: given(v.connectTimeout),
    writeTimeoutMs: v.writeTimeout,
    attempts: given(v.attempts),
    retryDelayMs,
    retryMaxDelayMs: Math.max(retryDelayMs, given(v.retryMaxDelay)),
    retryWithinMs: given(v.retryWithin),
    captureReply: saveReply,
    maxReplyBytes: JOB_DEFAULTS.maxReplyBytes,
    replyEnd: v.replyEnd === undefined ? undefined : escapedBytes(v.replyEnd),
  };
  return {
    ...base,
    host: v.host,
    port: v.port,
    reply: saveReply ? { property: given(v.replyProperty), output: given(v.replyOutput) } : undefined,
    job,
    concurrency: given(v.concurrency),
    maxQueue: given(v.maxQueue),
    persist: persistConfig(v),
  };
}
