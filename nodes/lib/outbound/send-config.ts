/**
 * The send-to-tcp-port editor properties, checked and turned into what the
 * node needs: the mode, the typed sources of destination and data, the job
 * options of tcp-job and the queue limits. Defaults live here, once.
 */
import { isKnownEncoding, normalizeEncoding } from "../base/encoding";
import { ConfigError, toBool, wholeNumber } from "../base/config";
import { checkPort, DestinationError, splitHostPort } from "./destination";
import { DEFAULT_MAX_QUEUE } from "./delivery";
import { EscapeError, parseEscapes } from "../base/escapes";
import { JOB_DEFAULTS, type AfterSend, type JobOptions } from "./job";

export type SendMode = "send" | "reply";
export type ReplyOutput = "string" | "buffer";

/** A typedInput as the editor stores it: value and type. */
export interface TypedProp {
  type: string;
  value: string;
}

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
}

export const HOST_TYPES = ["str", "msg", "flow", "global", "env"];
export const PORT_TYPES = ["num", "str", "msg", "flow", "global", "env"];
export const DATA_TYPES = ["msg", "flow", "global", "str", "num", "json", "bin", "jsonata", "env"];
/** A close handler must end within 15 s; leave room for the sockets to close. */
export const MAX_DRAIN_MS = 14_000;
export const DEFAULT_DRAIN_MS = 10_000;
const MAX_MS = 2_147_483_647;
const PROPERTY = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\[[0-9]+\])*$/;

function str(v: unknown): string {
  return v === undefined || v === null ? "" : String(v);
}

function typed(value: unknown, type: unknown, allowed: string[], fallbackType: string, key: string): TypedProp {
  const t = str(type) === "" ? fallbackType : str(type);
  if (!allowed.includes(t)) throw new ConfigError(key, `type ${t}`);
  return { type: t, value: str(value) };
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], fallback: T, key: string): T {
  const s = str(v) === "" ? fallback : str(v);
  if (!(allowed as readonly string[]).includes(s)) throw new ConfigError(key, s);
  return s as T;
}

function ms(v: unknown, fallback: number, min: number, key: string): number {
  return wholeNumber(v, fallback, min, MAX_MS, key);
}

/** A msg property path for the reply, with or without "msg." in front. */
export function replyPath(v: unknown): string {
  const p = str(v).trim().replace(/^msg\./, "");
  if (!PROPERTY.test(p)) throw new ConfigError("replyProperty", str(v));
  return p;
}

/** "\r\n"-style text: the bytes that end a device's reply; empty = none. */
function replyEndBytes(v: unknown): Buffer | undefined {
  const text = str(v);
  if (text === "") return undefined;
  try {
    return parseEscapes(text);
  } catch (err) {
    if (err instanceof EscapeError) throw new ConfigError("replyEnd", text);
    throw err;
  }
}

function parseDestinationProps(p: SendProps): { host: TypedProp | undefined; port: TypedProp | undefined } {
  const hostProp = typed(p.host, p.hostType, HOST_TYPES, "str", "host");
  const portProp = typed(p.port, p.portType, PORT_TYPES, "num", "port");
  const host = hostProp.type === "str" && hostProp.value.trim() === "" ? undefined : hostProp;
  const port = (portProp.type === "num" || portProp.type === "str") && portProp.value.trim() === "" ? undefined : portProp;
  let fixedHostHasPort = false;
  if (host && host.type === "str") {
    try {
      fixedHostHasPort = splitHostPort(host.value).port !== undefined;
    } catch (err) {
      if (err instanceof DestinationError) throw new ConfigError("host", host.value);
      throw err;
    }
  }
  if (port && (port.type === "num" || port.type === "str")) {
    try {
      checkPort(port.value);
    } catch {
      throw new ConfigError("port", port.value);
    }
  }
  // A fixed host needs a port of its own: msg.port of a trigger's message is the client's port, not the printer's.
  if (host && host.type === "str" && !fixedHostHasPort && !port) throw new ConfigError("port", "");
  return { host, port };
}

export function parseSendConfig(p: SendProps): SendConfig {
  const mode = oneOf<SendMode>(p.mode, ["send", "reply"], "send", "mode");
  const data = typed(p.data === undefined ? "payload" : p.data, p.dataType, DATA_TYPES, "msg", "data");
  if (data.type === "msg" && data.value.trim() === "") throw new ConfigError("data", "msg.");
  const encoding = normalizeEncoding(p.encoding);
  if (!isKnownEncoding(encoding)) throw new ConfigError("encoding", str(p.encoding));
  const drainMs = wholeNumber(p.drainTimeout, DEFAULT_DRAIN_MS, 0, MAX_DRAIN_MS, "drainTimeout");
  const writeTimeoutMs = ms(p.writeTimeout, JOB_DEFAULTS.writeTimeoutMs, 1, "writeTimeout");
  const base = {
    mode,
    data,
    encoding,
    drainMs,
    concurrency: 1,
    maxQueue: DEFAULT_MAX_QUEUE,
    closeAfterReply: toBool(p.closeAfterReply),
  };
  if (mode === "reply") {
    return { ...base, host: undefined, port: undefined, reply: undefined, job: { ...JOB_DEFAULTS, writeTimeoutMs } };
  }
  const { host, port } = parseDestinationProps(p);
  const after = oneOf<AfterSend>(p.after, ["close", "eof", "delay"], JOB_DEFAULTS.after, "after");
  const saveReply = toBool(p.saveReply);
  const reply = saveReply
    ? { property: replyPath(p.replyProperty === undefined ? "reply" : p.replyProperty), output: oneOf<ReplyOutput>(p.replyOutput, ["string", "buffer"], "string", "replyOutput") }
    : undefined;
  const retryDelayMs = ms(p.retryDelay, JOB_DEFAULTS.retryDelayMs, 0, "retryDelay");
  const job: JobOptions = {
    after,
    eofTimeoutMs: ms(p.eofTimeout, JOB_DEFAULTS.eofTimeoutMs, 1, "eofTimeout"),
    disconnectDelayMs: ms(p.disconnectDelay, JOB_DEFAULTS.disconnectDelayMs, 0, "disconnectDelay"),
    connectTimeoutMs: ms(p.connectTimeout, JOB_DEFAULTS.connectTimeoutMs, 1, "connectTimeout"),
    writeTimeoutMs,
    attempts: wholeNumber(p.attempts, JOB_DEFAULTS.attempts, 1, 1_000_000, "attempts"),
    retryDelayMs,
    retryMaxDelayMs: Math.max(retryDelayMs, ms(p.retryMaxDelay, JOB_DEFAULTS.retryMaxDelayMs, 0, "retryMaxDelay")),
    retryWithinMs: ms(p.retryWithin, JOB_DEFAULTS.retryWithinMs, 0, "retryWithin"),
    captureReply: saveReply,
    maxReplyBytes: JOB_DEFAULTS.maxReplyBytes,
    replyEnd: after === "close" ? undefined : replyEndBytes(p.replyEnd),
  };
  return {
    ...base,
    host,
    port,
    reply,
    job,
    concurrency: wholeNumber(p.concurrency, 1, 1, 1000, "concurrency"),
    maxQueue: wholeNumber(p.maxQueue, DEFAULT_MAX_QUEUE, 1, 10_000_000, "maxQueue"),
  };
}
