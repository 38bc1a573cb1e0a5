/**
 * Where a node keeps its queued jobs: under Node-RED's user directory
 * (settings.userDir, set by Node-RED at start; its own default when absent),
 * in tcp-automation/journal/<node id>.log. The fingerprint names what a kept
 * job depends on in the node's settings: a change of destination, mode or
 * encoding drops the jobs kept for the old ones. Shared by every node with
 * "Keep queued jobs across restarts" (send-to-tcp-port, tcp-client-link).
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { Journal, journalFile, nodeFs } from "../lib/journal";
import type { NodeAPI, NodeDef } from "../types/node-red";

export function journalPath(RED: NodeAPI, nodeId: string): string {
  const dir = RED.settings.userDir;
  return journalFile(typeof dir === "string" && dir !== "" ? dir : join(homedir(), ".node-red"), nodeId);
}

/** The send node's: its destination, encoding and TLS. */
export const SEND_FINGERPRINT = ["host", "hostType", "port", "portType", "encoding", "tls"] as const;

export function journalFingerprint(def: NodeDef, keys: readonly string[] = SEND_FINGERPRINT): string {
  const d = def as Record<string, unknown>;
  return JSON.stringify(keys.map((k) => d[k] ?? ""));
}

/** The option is off: jobs kept before (it was on) are dropped, and warned counts them. */
export function discardJournal(RED: NodeAPI, nodeId: string, warned: (count: number) => void): void {
  Journal.discard(nodeFs, journalPath(RED, nodeId)).then(
    (count) => count > 0 && warned(count),
    () => undefined,
  );
}
