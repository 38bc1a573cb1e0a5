/**
 * The bridge's own properties: its peer, when it dials, the link's timeout
 * and hold-off (in seconds, as ezTCP has them), the input buffer and packing.
 */
import { AUTO, ENCODINGS, encoding } from "./encoding";
import { requiredHost } from "./host";
import { MAX_INT32, MAX_SECONDS, port, seconds, whole } from "./numbers";
import { choice } from "./plain";

export const BUFFER_POLICIES = ["error", "drop-oldest", "drop-newest"] as const;
export type BufferPolicy = (typeof BUFFER_POLICIES)[number];
export const DEFAULT_MAX_BUFFER = 64 * 1024;

export const BRIDGE_PEER = {
  peerHost: requiredHost({ value: "", message: "peerHost" }),
  peerPort: port({ value: 1470, message: "port" }),
  /** A dial that has not connected after this long has failed. */
  connectTimeout: seconds({ value: 10, min: 0.1, max: MAX_SECONDS, message: "seconds-min" }),
  /** 0: dial whenever there is no link; more than the buffer holds could never be reached. */
  eventBytes: whole({ value: 0, min: 0, max: (p) => p.value("maxBuffer"), message: "eventBytes" }),
  /** 0 = never. */
  timeout: seconds({ value: 0, min: 0, max: MAX_SECONDS, message: "seconds" }),
  /** At least 0.1 s: an unreachable peer must never be dialled in a tight loop. */
  holdOff: seconds({ value: 10, min: 0.1, max: MAX_SECONDS, message: "seconds-min" }),
  inputEncoding: encoding({
    value: AUTO,
    message: "encoding",
    options: { values: ENCODINGS, text: (v) => (v === AUTO ? "encoding.autoInput" : undefined) },
  }),
  /** ms; 0 = off. */
  frameInterval: whole({ value: 0, min: 0, max: MAX_INT32, message: "whole" }),
  maxBuffer: whole({ value: DEFAULT_MAX_BUFFER, min: 1, max: MAX_INT32, message: "positive" }),
  bufferPolicy: choice({ value: "error", values: BUFFER_POLICIES, message: "choice", text: (v) => `policy.${v}` }),
};
