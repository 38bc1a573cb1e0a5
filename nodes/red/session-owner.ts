/**
 * The owner a node registers its connections under: who it is, whether its
 * messages come only after their connection closed (so a reply to them cannot
 * work: send-errors), where the bytes of its closed sessions add up
 * (lib/metrics), and whether it keeps their traffic (lib/traffic).
 */
import type { SessionOwner } from "../lib/sessions/registry";
import type { NodeMetrics } from "../lib/metrics";
import type { NodeAPI, NodeDef } from "../types/node-red";
import { keepsTraffic } from "./traffic";

export function sessionOwner(
  RED: NodeAPI,
  def: NodeDef,
  type: string,
  name: string | undefined,
  framingKind: string,
  metrics: NodeMetrics,
): SessionOwner {
  return { id: def.id, type, name, emitsOnClose: framingKind === "close", tally: metrics.tally, traffic: keepsTraffic(RED, def) };
}
