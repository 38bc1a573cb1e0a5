/**
 * The bridge's own editor properties (peer, when to dial, link timeout,
 * hold-off, buffer limits, packing), read through lib/schema and turned into
 * the numbers the bridge core takes. The listen address and the framing are
 * parsed by the shared listen-config and framing-config modules.
 */
import { SCHEMA_ENV } from "../base/encoding";
import { BRIDGE_PEER, readProps, type BufferPolicy } from "../schema";

export { BUFFER_POLICIES, DEFAULT_MAX_BUFFER, type BufferPolicy } from "../schema";

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

/** Seconds (fractions allowed, as ezTCP has them) in whole ms. */
const ms = (seconds: number): number => Math.round(seconds * 1000);

export function parseBridgeConfig(p: BridgeProps): BridgeConfig {
  const v = readProps(BRIDGE_PEER, p as Record<string, unknown>, SCHEMA_ENV);
  return {
    peerHost: v.peerHost,
    peerPort: v.peerPort,
    eventBytes: v.eventBytes,
    idleTimeoutMs: ms(v.timeout),
    holdOffMs: ms(v.holdOff),
    connectTimeoutMs: ms(v.connectTimeout),
    maxBuffer: v.maxBuffer,
    bufferPolicy: v.bufferPolicy,
    frameIntervalMs: v.frameInterval,
    inputEncoding: v.inputEncoding,
  };
}
