/**
 * "Keep queued jobs across restarts" (issue 15), the same option on every node
 * that queues jobs (send-to-tcp-port in send mode, tcp-client-link): the
 * checkbox and its bounds. Each node puts the group after its other
 * properties (saved flows keep their key order); every property reads its
 * default when absent (flows saved before the option, nodes dragged in), so
 * an old flow stays properly configured in the editor and at runtime.
 */
import type { View } from "./core";
import { MAX_SECONDS, whole } from "./numbers";
import { bool } from "./plain";

/** The defaults, in the units the runtime uses (MB, s, ms). */
export const PERSIST_DEFAULTS = {
  persistMaxJobs: 10_000,
  persistMaxMB: 100,
  persistMaxAgeS: 86_400,
  persistSyncDelayMs: 5,
} as const;

/** The option's properties; applies: when the option can be used at all (the send node: send mode only). */
export function persistProps(applies: (p: View) => boolean = () => true) {
  const persisting = (p: View): boolean => applies(p) && p.value("persist") === true;
  return {
    persist: bool({ value: false, when: applies }),
    persistMaxJobs: whole({ value: PERSIST_DEFAULTS.persistMaxJobs, min: 1, max: 10_000_000, when: persisting, message: "positive" }),
    persistMaxMB: whole({ value: PERSIST_DEFAULTS.persistMaxMB, min: 1, max: 1_000_000, when: persisting, message: "positive" }),
    /** Seconds; 0 = no limit. */
    persistMaxAge: whole({ value: PERSIST_DEFAULTS.persistMaxAgeS, min: 0, max: MAX_SECONDS, when: persisting, message: "seconds" }),
    persistSyncDelay: whole({ value: PERSIST_DEFAULTS.persistSyncDelayMs, min: 0, max: 1000, when: persisting, message: "syncDelay" }),
  };
}

/** The option as read (readProps): on, with its bounds in the runtime's units, or undefined when off. */
export function persistConfig(v: {
  persist?: boolean;
  persistMaxJobs?: number;
  persistMaxMB?: number;
  persistMaxAge?: number;
  persistSyncDelay?: number;
}): { maxJobs: number; maxBytes: number; maxAgeMs: number; syncDelayMs: number } | undefined {
  if (v.persist !== true) return undefined;
  const d = PERSIST_DEFAULTS;
  return {
    maxJobs: v.persistMaxJobs ?? d.persistMaxJobs,
    maxBytes: (v.persistMaxMB ?? d.persistMaxMB) * 1024 * 1024,
    maxAgeMs: (v.persistMaxAge ?? d.persistMaxAgeS) * 1000,
    syncDelayMs: v.persistSyncDelay ?? d.persistSyncDelayMs,
  };
}
