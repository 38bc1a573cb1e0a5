/**
 * Where a node keeps its queued jobs: under Node-RED's user directory
 * (settings.userDir, set by Node-RED at start; its own default when absent),
 * in tcp-automation/journal/<node id>.log. The fingerprint names what a kept
 * job depends on in the node's settings: a change of destination or
 * encoding drops the jobs kept for the old ones.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { journalFile } from "../lib/outbound";
import type { NodeAPI, NodeDef } from "../types/node-red";

export function journalPath(RED: NodeAPI, nodeId: string): string {
  const dir = RED.settings.userDir;
  return journalFile(typeof dir === "string" && dir !== "" ? dir : join(homedir(), ".node-red"), nodeId);
}

export function journalFingerprint(def: NodeDef): string {
  const d = def as Record<string, unknown>;
  return JSON.stringify(["host", "hostType", "port", "portType", "encoding", "tls"].map((k) => d[k] ?? ""));
}
