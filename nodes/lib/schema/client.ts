/**
 * tcp-client-link's own properties: the device (host and port, or one
 * "host:port" text), when to connect and how long to wait between attempts,
 * stream or request/reply, the queue while the link is down, liveness
 * (keep-alive, read and write timeouts, heartbeat) and the greeting. Framing,
 * topic/events and TLS come from the shared groups (nodes.ts).
 *
 * Defaults (README "tcp client"): dial at deploy and always again; waits
 * from 1 s doubling to 30 s, forever; stream mode; request mode one request
 * in flight, 5 s reply timeout that resets the link; a queue of 1000
 * messages / 1 MiB that refuses new input when full, messages older than
 * 60 s fail with ESTALE; TCP keep-alive after 10 s; no heartbeat, no greeting.
 */
import { ok, refused, str, type Common, declared, type Declared, isEnvRef, type View } from "./core";
import { AUTO, ENCODINGS, encoding } from "./encoding";
import { optionalEscapes } from "./escapes";
import { host as bindHost, splitHostPort } from "./host";
import { MAX_INT32, whole } from "./numbers";
import { bool, choice } from "./plain";
import { messageProperty } from "./property-path";

export const CLIENT_CONNECT = ["always", "on-first-write", "per-write"] as const;
export const CLIENT_MODES = ["stream", "request"] as const;
export type ClientMode = (typeof CLIENT_MODES)[number];
export const CLIENT_QUEUE_POLICIES = ["refuse", "drop-oldest", "drop-newest"] as const;

/** The defaults, in the units the runtime uses. */
export const CLIENT_DEFAULTS = {
  connectTimeoutMs: 10_000,
  idleCloseMs: 10_000,
  backoffFirstMs: 1000,
  backoffLongestMs: 30_000,
  replyTimeoutMs: 5000,
  pipeline: 1,
  maxQueue: 1000,
  maxQueueBytes: 1024 * 1024,
  maxAgeMs: 60_000,
  keepAliveMs: 10_000,
  writeTimeoutMs: 10_000,
  heartbeatIdleMs: 10_000,
  heartbeatAnswerMs: 5000,
  greetingTimeoutMs: 5000,
} as const;

/** The device: "host" (port in its own field) or "host:port" / "[v6]:port"; required. */
function deviceHost<D extends Common & { message: string }>(spec: D): Declared<{ host: string; port?: number }, D> {
  return declared<{ host: string; port?: number }, D>({
    ...spec,
    read(raw) {
      if (raw !== undefined && raw !== null && typeof raw !== "string") return refused(String(raw));
      const s = str(raw);
      const r = splitHostPort(s);
      if (!r.ok) return refused(s);
      return ok(r.port === undefined ? { host: r.host } : { host: r.host, port: r.port });
    },
  });
}

/** The port: 1 to 65535, or "" when the host text carries it (then a port here is refused as ambiguous). */
function devicePort<D extends Common & { message: string; needsPort: string }>(spec: D): Declared<number | undefined, D> {
  return declared<number | undefined, D>({
    ...spec,
    read(raw, p: View) {
      const h = p.value("host") as { port?: number } | undefined;
      const s = str(raw).trim();
      // A host from an environment variable ("${DEVICE}") may carry the port: the editor cannot tell, the runtime will.
      if (s === "") return h?.port !== undefined || isEnvRef(p.raw("host")) ? ok(undefined) : refused("", spec.needsPort);
      const n = Number(s);
      if (!(Number.isInteger(n) && n >= 1 && n <= 65535)) return refused(s);
      return h?.port !== undefined && h.port !== n ? refused(s, spec.needsPort) : ok(n);
    },
  });
}

const requesting = (p: View): boolean => p.value("mode") === "request";
const perWrite = (p: View): boolean => p.value("connect") === "per-write";
const beating = (p: View): boolean => p.value("heartbeat") !== undefined;
const greeting = (p: View): boolean => p.value("greeting") !== undefined;
const ms = (value: number, min = 0) => whole({ value, min, max: MAX_INT32, message: min === 0 ? "ms" : "positive" });

export const CLIENT_WHERE = {
  host: deviceHost({ value: "", message: "host" }),
  port: devicePort({ value: "", message: "port", needsPort: "port-needed" }),
  localAddress: bindHost({ value: "", message: "localAddress" }),
  connectTimeout: ms(CLIENT_DEFAULTS.connectTimeoutMs, 1),
};

export const CLIENT_WHEN = {
  connect: choice({ value: "always", values: CLIENT_CONNECT, message: "choice", text: (v) => `connect.${v}` }),
  idleClose: whole({ value: CLIENT_DEFAULTS.idleCloseMs, min: 1, max: MAX_INT32, when: perWrite, message: "positive" }),
  backoffFirst: ms(CLIENT_DEFAULTS.backoffFirstMs, 1),
  /** At least the first wait. */
  backoffLongest: whole({
    value: CLIENT_DEFAULTS.backoffLongestMs,
    min: (p) => p.value("backoffFirst"),
    max: MAX_INT32,
    message: "longest",
  }),
  /** 0 = forever. */
  retryWithin: ms(0),
};

export const CLIENT_WHAT = {
  mode: choice({ value: "stream", values: CLIENT_MODES, message: "choice", text: (v) => `mode.${v}` }),
  replyProperty: messageProperty({ value: "payload", when: requesting, message: "property" }),
  replyTimeout: whole({ value: CLIENT_DEFAULTS.replyTimeoutMs, min: 1, max: MAX_INT32, when: requesting, message: "positive" }),
  resetOnTimeout: bool({ value: true, when: requesting }),
  pipeline: whole({ value: CLIENT_DEFAULTS.pipeline, min: 1, max: 1000, when: requesting, message: "pipeline" }),
  inputEncoding: encoding({
    value: AUTO,
    message: "encoding",
    options: { values: ENCODINGS, text: (v) => (v === AUTO ? "encoding.autoInput" : undefined) },
  }),
};

export const CLIENT_LIMITS = {
  maxQueue: whole({ value: CLIENT_DEFAULTS.maxQueue, min: 1, max: 10_000_000, message: "positive" }),
  maxQueueBytes: whole({ value: CLIENT_DEFAULTS.maxQueueBytes, min: 1, max: MAX_INT32, message: "positive" }),
  queuePolicy: choice({ value: "refuse", values: CLIENT_QUEUE_POLICIES, message: "choice", text: (v) => `policy.${v}` }),
  /** 0 = no limit. */
  maxAge: ms(CLIENT_DEFAULTS.maxAgeMs),
  /** 0 = off. */
  keepAlive: ms(CLIENT_DEFAULTS.keepAliveMs),
  /** 0 = off. */
  readTimeout: ms(0),
  /** 0 = off. */
  writeTimeout: ms(CLIENT_DEFAULTS.writeTimeoutMs),
  /** "" = no heartbeat. */
  heartbeat: optionalEscapes({ value: "", message: "bytes" }),
  heartbeatIdle: whole({ value: CLIENT_DEFAULTS.heartbeatIdleMs, min: 1, max: MAX_INT32, when: beating, message: "positive" }),
  heartbeatAnswer: whole({ value: CLIENT_DEFAULTS.heartbeatAnswerMs, min: 1, max: MAX_INT32, when: beating, message: "positive" }),
  heartbeatConsume: bool({ value: true, when: beating }),
};

export const CLIENT_GREETING = {
  /** "" = none. */
  greeting: optionalEscapes({ value: "", message: "bytes" }),
  greetingWait: bool({ value: false, when: greeting }),
  greetingExpect: optionalEscapes({ value: "", when: (p) => greeting(p) && p.value("greetingWait") === true, message: "bytes" }),
  greetingTimeout: whole({
    value: CLIENT_DEFAULTS.greetingTimeoutMs,
    min: 1,
    max: MAX_INT32,
    when: (p) => greeting(p) && p.value("greetingWait") === true,
    message: "positive",
  }),
};
