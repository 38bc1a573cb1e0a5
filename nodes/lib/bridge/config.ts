/**
 * The bridge's own editor properties (peer, when to dial, link timeout,
 * hold-off, buffer limits, packing), checked and turned into the numbers the
 * bridge core takes. The listen address and the framing are parsed by the
 * shared listen-config and framing-config modules.
 */
import { isKnownEncoding, normalizeEncoding } from "../base/encoding";
import { ConfigError, toInt, wholeNumber } from "../base/config";
import { isValidPort, normalizeHost } from "../inbound/listen-config";

export type BufferPolicy = "error" | "drop-oldest" | "drop-newest";

export const BUFFER_POLICIES: readonly BufferPolicy[] = ["error", "drop-oldest", "drop-newest"];
export const DEFAULT_MAX_BUFFER = 64 * 1024;
export const DEFAULT_HOLD_OFF_S = 10;
export const DEFAULT_CONNECT_TIMEOUT_S = 10;
/** setTimeout's limit, in seconds. */
const MAX_SECONDS = 2_147_483;

export interface BridgeConfig {
  peerHost: string;
  peerPort: number;
  /** 0: dial whenever there is no link (right after deploy, and after each hold-off). */
  eventBytes: number;
  /** 0 = never: no byte in either direction for this long closes the link. */
  idleTimeoutMs: number;
  /** Wait after a failed or closed dial-out before dialling again. */
  holdOffMs: number;
  /** A dial that has not connected after this long has failed. */
  connectTimeoutMs: number;
  /** Input bytes held while not linked (and not yet written while linked). */
  maxBuffer: number;
  bufferPolicy: BufferPolicy;
  /** 0 = off: input bytes are collected until a gap this long, then written as one segment. */
  frameIntervalMs: number;
  /** How string payloads on the input become bytes. */
  inputEncoding: string;
}

export interface BridgeProps {
  peerHost?: unknown;
  peerPort?: unknown;
  eventBytes?: unknown;
  timeout?: unknown;
  holdOff?: unknown;
  connectTimeout?: unknown;
  maxBuffer?: unknown;
  bufferPolicy?: unknown;
  frameInterval?: unknown;
  inputEncoding?: unknown;
}

/** A number of seconds (fractions allowed) within [min, max], in whole ms. */
export function secondsToMs(v: unknown, fallback: number, min: number, max: number, key: string): number {
  const n = toInt(v, fallback);
  if (typeof n !== "number" || !Number.isFinite(n) || n < min || n > max) throw new ConfigError(key, String(v));
  return Math.round(n * 1000);
}

export function parseBridgeConfig(p: BridgeProps): BridgeConfig {
  const peerHost = normalizeHostAs(p.peerHost, "peerHost");
  if (peerHost === undefined) throw new ConfigError("peerHost", "");
  if (!isValidPort(p.peerPort)) throw new ConfigError("peerPort", String(p.peerPort));
  const maxBuffer = wholeNumber(p.maxBuffer, DEFAULT_MAX_BUFFER, 1, 0x7fffffff, "maxBuffer");
  const policy = p.bufferPolicy === undefined || p.bufferPolicy === "" ? "error" : String(p.bufferPolicy);
  if (!(BUFFER_POLICIES as readonly string[]).includes(policy)) throw new ConfigError("bufferPolicy", policy);
  const inputEncoding = normalizeEncoding(p.inputEncoding);
  if (!isKnownEncoding(inputEncoding)) throw new ConfigError("inputEncoding", String(p.inputEncoding));
  return {
    peerHost,
    peerPort: toInt(p.peerPort, NaN),
    // More than the buffer holds could never be reached.
    eventBytes: wholeNumber(p.eventBytes, 0, 0, maxBuffer, "eventBytes"),
    idleTimeoutMs: secondsToMs(p.timeout, 0, 0, MAX_SECONDS, "timeout"),
    // At least 0.1 s: an unreachable peer must never be dialled in a tight loop.
    holdOffMs: secondsToMs(p.holdOff, DEFAULT_HOLD_OFF_S, 0.1, MAX_SECONDS, "holdOff"),
    connectTimeoutMs: secondsToMs(p.connectTimeout, DEFAULT_CONNECT_TIMEOUT_S, 0.1, MAX_SECONDS, "connectTimeout"),
    maxBuffer,
    bufferPolicy: policy as BufferPolicy,
    frameIntervalMs: wholeNumber(p.frameInterval, 0, 0, 0x7fffffff, "frameInterval"),
    inputEncoding,
  };
}

/** normalizeHost, reporting a bad value under this property's own name. */
function normalizeHostAs(v: unknown, key: string): string | undefined {
  try {
    return normalizeHost(v);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(key, err.detail);
    throw err;
  }
}
