/** Where a listening node listens (the trigger and the bridge), and the trigger's connection limits. */
import { host } from "./host";
import type { View } from "./core";
import { optionalEscapes } from "./escapes";
import { MAX_INT32, port, whole } from "./numbers";

/** Port and bind address; `defaultPort` is what a new node gets. */
export function listenAddress(defaultPort: number) {
  return {
    port: port({ value: defaultPort, message: "port" }),
    host: host({ value: "", message: "host" }),
  };
}

export const LISTEN_LIMITS = {
  /** 0 = unlimited. */
  maxConnections: whole({ value: 0, min: 0, max: 1_000_000, message: "whole" }),
  /** ms; 0 = off. */
  readTimeout: whole({ value: 0, min: 0, max: MAX_INT32, message: "whole" }),
};

const reading = (p: View): boolean =>
  (p.value("readTimeout") as number | undefined) !== undefined && (p.value("readTimeout") as number) > 0;
const probing = (p: View): boolean => reading(p) && p.value("probe") !== undefined;

/**
 * The trigger's probe: with a read timeout, these bytes go to a client that was silent that long, and it has
 * probeAnswer ms to send anything before it is closed. Declared after every other property (saved key order).
 */
export const PROBE = {
  probe: optionalEscapes({ value: "", when: reading, message: "escapes" }),
  probeAnswer: whole({ value: 5000, min: 1, max: MAX_INT32, when: probing, message: "positive" }),
};

/**
 * TCP keep-alive on each accepted connection: the first probe after this many ms
 * without traffic (0 = off). 60 s was the fixed value before it was a setting.
 * Declared after every other property of its nodes: saved flows keep their key order.
 */
export const KEEP_ALIVE = {
  keepAlive: whole({ value: 60_000, min: 0, max: MAX_INT32, message: "whole" }),
};

/** Bytes written to each new client before anything else (a banner, a prompt); "" = none. After KEEP_ALIVE, for the same reason. */
export const GREETING = {
  greeting: optionalEscapes({ value: "", message: "escapes" }),
};

/** The listen properties the runtime reads together (lib/inbound/listen-config). */
export const LISTEN = { ...listenAddress(7000), ...LISTEN_LIMITS, ...KEEP_ALIVE, ...GREETING };
