/**
 * The tcp client node's stored properties, read through lib/schema (CLIENT)
 * and turned into what the link and the requests take. Pure: the node adds
 * the registry, owner, TLS options and handlers.
 */
import { SCHEMA_ENV } from "../base/encoding";
import { escapedBytes } from "../base/escapes";
import { parseFramingConfig, type FramingConfig } from "../inbound/framing-config";
import type { PersistConfig } from "../journal/keeper";
import { CLIENT, persistConfig, readProps, type ClientMode } from "../schema";
import type { BackoffOptions } from "./backoff";
import type { HeartbeatOptions } from "./heartbeat";
import type { ConnectPolicy, GreetingOptions } from "./link";
import type { OutboxLimits } from "./outbox";
import type { RequestOptions } from "./requests";

/** A link up this long counts as good: the next loss starts the waits from the first again. */
export const STABLE_MS = 10_000;

export interface ClientConfig {
  name: string;
  topic: string;
  events: boolean;
  host: string;
  port: number;
  localAddress?: string;
  connectTimeoutMs: number;
  connect: ConnectPolicy;
  idleCloseMs: number;
  backoff: BackoffOptions;
  mode: ClientMode;
  /** request mode: where the reply goes on the request's message (a path without "msg."). */
  replyProperty: string;
  request: RequestOptions;
  inputEncoding: string;
  framing: FramingConfig;
  queue: OutboxLimits;
  keepAliveMs: number;
  readTimeoutMs: number;
  writeTimeoutMs: number;
  heartbeat?: HeartbeatOptions;
  greeting?: GreetingOptions;
  /** Keep queued writes and requests on disk across restarts (lib/journal); absent = in memory only. */
  persist?: PersistConfig;
}

/** Throws ConfigError for the first property it cannot take. */
export function parseClientConfig(def: Readonly<Record<string, unknown>>): ClientConfig {
  const v = readProps(CLIENT, def, SCHEMA_ENV);
  const framing = parseFramingConfig(def);
  const cfg: ClientConfig = {
    name: v.name,
    topic: v.topic,
    events: v.events,
    host: v.host.host,
    port: v.port ?? (v.host.port as number),
    connectTimeoutMs: v.connectTimeout,
    connect: v.connect,
    idleCloseMs: v.idleClose ?? 0,
    backoff: { firstMs: v.backoffFirst, longestMs: v.backoffLongest, jitter: "equal", withinMs: v.retryWithin },
    mode: v.mode,
    replyProperty: v.replyProperty ?? "payload",
    request: {
      pipeline: v.pipeline ?? 1,
      replyTimeoutMs: v.replyTimeout ?? 5000,
      resetOnTimeout: v.resetOnTimeout ?? true,
      lateGraceMs: v.replyTimeout ?? 5000,
    },
    inputEncoding: v.inputEncoding,
    framing,
    queue: { maxMessages: v.maxQueue, maxBytes: v.maxQueueBytes, policy: v.queuePolicy, maxAgeMs: v.maxAge },
    keepAliveMs: v.keepAlive,
    readTimeoutMs: v.readTimeout,
    writeTimeoutMs: v.writeTimeout,
  };
  const persist = persistConfig(v);
  if (persist) cfg.persist = persist;
  if (v.localAddress !== undefined) cfg.localAddress = v.localAddress;
  if (v.heartbeat !== undefined)
    cfg.heartbeat = {
      bytes: escapedBytes(v.heartbeat),
      idleMs: v.heartbeatIdle ?? 1,
      answerMs: v.heartbeatAnswer ?? 1,
      consumeAnswer: v.heartbeatConsume ?? true,
    };
  if (v.greeting !== undefined) {
    cfg.greeting = { bytes: escapedBytes(v.greeting) };
    if (v.greetingWait) {
      const expect = v.greetingExpect;
      cfg.greeting.answer = { timeoutMs: v.greetingTimeout ?? 5000, ...(expect !== undefined ? { expect: escapedBytes(expect) } : {}) };
    }
  }
  return cfg;
}
