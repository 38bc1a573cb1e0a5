/**
 * Runtime-wide tunables an operator sets once in Node-RED's settings.js, the
 * way core's tcp nodes read `socketTimeout` or `tcpMsgQueueSize`, namespaced
 * under `tcpAutomation`:
 *
 *   tcpAutomation: {
 *     listenRetry: 5000,            // ms before a listener tries a port again that was taken
 *     tlsHandshakeTimeout: 10000,   // ms a TLS client has to finish its handshake
 *     proxyHeaderTimeout: 5000,     // ms a PROXY-protocol port waits for the header
 *     closeTimeout: 10000,          // ms a listening node waits for its connections on stop (<= 14000)
 *     replyMaxPending: 1048576,     // reply bytes one client may have waiting before EBUFFERFULL
 *     trafficPerDirection: 8192,    // traffic view: bytes kept each way per captured connection
 *     trafficBudget: 33554432,      // traffic view: bytes all captures of one manager may reserve
 *     traffic: false, metrics: false, // on/off settings: switches.ts
 *   }
 *
 * A missing key keeps its default; a bad value keeps the default too and is
 * reported as a problem (the caller logs it), so a typo never stops a flow.
 */
import { SWITCH_NAMES } from "./switches";

export interface Tunables {
  listenRetryMs: number;
  tlsHandshakeTimeoutMs: number;
  proxyHeaderTimeoutMs: number;
  closeTimeoutMs: number;
  replyMaxPendingBytes: number;
  trafficPerDirectionBytes: number;
  trafficBudgetBytes: number;
}

interface Rule {
  field: keyof Tunables;
  def: number;
  min: number;
  max: number;
}

/** Setting name -> where it goes, its default and range. Node-RED stops waiting for a node's close at 15 s. */
export const TUNABLE_RULES: Readonly<Record<string, Rule>> = {
  listenRetry: { field: "listenRetryMs", def: 5000, min: 100, max: 3_600_000 },
  tlsHandshakeTimeout: { field: "tlsHandshakeTimeoutMs", def: 10_000, min: 100, max: 600_000 },
  proxyHeaderTimeout: { field: "proxyHeaderTimeoutMs", def: 5000, min: 100, max: 600_000 },
  closeTimeout: { field: "closeTimeoutMs", def: 10_000, min: 100, max: 14_000 },
  replyMaxPending: { field: "replyMaxPendingBytes", def: 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024 },
  trafficPerDirection: { field: "trafficPerDirectionBytes", def: 8 * 1024, min: 256, max: 1024 * 1024 },
  trafficBudget: { field: "trafficBudgetBytes", def: 32 * 1024 * 1024, min: 64 * 1024, max: 1024 * 1024 * 1024 },
};

export const DEFAULT_TUNABLES: Readonly<Tunables> = Object.freeze(
  Object.fromEntries(Object.values(TUNABLE_RULES).map((r) => [r.field, r.def])) as unknown as Tunables,
);

/** One setting that was not taken: its name, what it was, and the range it must be in. */
export interface TunableProblem {
  /** range: a known setting with a bad value; unknown: no such setting; type: tcpAutomation is no object; switch: not true or false (switches.ts). */
  kind: "range" | "unknown" | "type" | "switch";
  name: string;
  value: string;
  min: number;
  max: number;
}

/** The tunables from settings.tcpAutomation (any value), with the settings that were not taken. */
export function parseTunables(raw: unknown): { tunables: Tunables; problems: TunableProblem[] } {
  const tunables: Tunables = { ...DEFAULT_TUNABLES };
  const problems: TunableProblem[] = [];
  if (raw === undefined || raw === null) return { tunables, problems };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    problems.push({ kind: "type", name: "tcpAutomation", value: typeof raw, min: 0, max: 0 });
    return { tunables, problems };
  }
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (SWITCH_NAMES.has(name)) continue; // on/off settings: switches.ts
    const rule = Object.prototype.hasOwnProperty.call(TUNABLE_RULES, name) ? TUNABLE_RULES[name] : undefined;
    if (!rule) {
      problems.push({ kind: "unknown", name, value: "", min: 0, max: 0 });
      continue;
    }
    if (value === undefined) continue;
    if (typeof value === "number" && Number.isInteger(value) && value >= rule.min && value <= rule.max) tunables[rule.field] = value;
    else
      problems.push({
        kind: "range",
        name,
        value: typeof value === "string" ? JSON.stringify(value) : String(value),
        min: rule.min,
        max: rule.max,
      });
  }
  return { tunables, problems };
}
