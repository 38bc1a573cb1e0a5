/**
 * The on/off settings of settings.js's `tcpAutomation` (the numbers are in
 * tunables.ts). An operator sets one to false to turn a feature off for good,
 * whatever the flows say:
 *
 *   tcpAutomation: {
 *     traffic: false,   // no node keeps connection traffic for the traffic view (lib/traffic)
 *     metrics: false,   // no Prometheus metrics: GET /tcp-connection-manager/metrics answers 404 (lib/metrics)
 *   }
 */
import type { TunableProblem } from "./tunables";

export interface Switches {
  /** Nodes may keep recent traffic where their `traffic` checkbox says so. */
  traffic: boolean;
  /** The Prometheus metrics at the manager's admin path; the status rates count either way. */
  metrics: boolean;
}

export const DEFAULT_SWITCHES: Readonly<Switches> = Object.freeze({ traffic: true, metrics: true });

/** The names parseTunables leaves to parseSwitches. */
export const SWITCH_NAMES: ReadonlySet<string> = new Set(Object.keys(DEFAULT_SWITCHES));

/** The switches from settings.tcpAutomation (any value); anything but true or false keeps the default and is a problem. */
export function parseSwitches(raw: unknown): { switches: Switches; problems: TunableProblem[] } {
  const switches: Switches = { ...DEFAULT_SWITCHES };
  const problems: TunableProblem[] = [];
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return { switches, problems };
  const given = raw as Record<string, unknown>;
  for (const name of SWITCH_NAMES) {
    if (!Object.prototype.hasOwnProperty.call(given, name) || given[name] === undefined) continue;
    const value = given[name];
    if (typeof value === "boolean") switches[name as keyof Switches] = value;
    else
      problems.push({
        kind: "switch",
        name,
        value: typeof value === "string" ? JSON.stringify(value) : typeof value === "number" ? String(value) : typeof value,
        min: 0,
        max: 0,
      });
  }
  return { switches, problems };
}
