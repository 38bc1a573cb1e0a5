/**
 * The `tcpAutomation` tunables of Node-RED's settings.js (lib/tunables), read
 * by each node as it starts. Settings that are not taken are logged once, by
 * the connection manager's module when Node-RED loads the package.
 */
import { parseTunables, type Tunables, type TunableProblem } from "../lib/base";
import { parseSwitches, type Switches } from "../lib/base/switches";
import type { NodeAPI } from "../types/node-red";

export function tunables(RED: NodeAPI): Tunables {
  return parseTunables(RED.settings.tcpAutomation).tunables;
}

export function tunableProblems(RED: NodeAPI): TunableProblem[] {
  return [...parseTunables(RED.settings.tcpAutomation).problems, ...parseSwitches(RED.settings.tcpAutomation).problems];
}

/** The traffic view's bounds from settings.js (tcpAutomation.trafficPerDirection, trafficBudget). */
export function trafficLimits(RED: NodeAPI): { perDirection: number; budget: number } {
  const t = tunables(RED);
  return { perDirection: t.trafficPerDirectionBytes, budget: t.trafficBudgetBytes };
}

export function switches(RED: NodeAPI): Switches {
  return parseSwitches(RED.settings.tcpAutomation).switches;
}
