/**
 * Send to connections: which live sessions a message goes to (a node's
 * targets, or msg._sessions), and what a broadcast reports. The writes
 * themselves are fan-out.ts's.
 */
import { AccessControl, type AccessEntry } from "../inbound/access-control";
import { sessionLabel, type Session, type SessionRegistry } from "../sessions/registry";
import { sessionIdOf } from "./reply";

/** Which sessions a broadcast goes to (msg._sessions, when given, names them instead). */
export type BroadcastTargets =
  { kind: "all" } | { kind: "node"; nodeId: string } | { kind: "address"; entries: AccessEntry[] } | { kind: "port"; port: number };

/** What to do with a client that has more than the pending bound waiting. */
export type SlowClientPolicy = "skip" | "close";

export interface FanOutOptions {
  /** Bytes one client may leave untaken (settings.js replyMaxPending). */
  maxPending: number;
  /** Bytes queued behind a client that has not taken them within this: ETIMEDOUT, connection reset. */
  writeTimeoutMs: number;
  slow: SlowClientPolicy;
}

/** One session the broadcast did not reach. */
export interface BroadcastFailure {
  session: string;
  peer: string;
  code: string;
  /** The connection was closed because of it (slow client with "close", write timeout). */
  closed: boolean;
}

export interface BroadcastResult {
  matched: number;
  written: number;
  bytes: number;
  failed: BroadcastFailure[];
}

/** The filter for a node's targets (made once per node: an address list builds its lookup here). */
export function sessionFilter(t: BroadcastTargets): (s: Session) => boolean {
  switch (t.kind) {
    case "all":
      return () => true;
    case "node":
      return (s) => s.owner.id === t.nodeId;
    case "port":
      return (s) => s.localPort === t.port;
    case "address": {
      const acl = new AccessControl(t.entries, []);
      return (s) => s.remoteAddress !== "" && acl.permits(s.remoteAddress);
    }
  }
}

/** The live sessions that pass the filter, in the order they connected; exceptId (the sender's) left out. */
export function selectSessions(registry: SessionRegistry, keep: (s: Session) => boolean, exceptId?: string): Session[] {
  const out: Session[] = [];
  for (const s of registry.sessions()) if (s.closeReason === undefined && s.id !== exceptId && keep(s)) out.push(s);
  return out;
}

/** Session ids from msg._sessions: an array of ids or of `_session` objects; undefined when it is not one. */
export function explicitIds(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const ids: string[] = [];
  for (const item of v as unknown[]) {
    const id = typeof item === "string" ? item : sessionIdOf(item);
    if (typeof id !== "string" || id === "") return undefined;
    ids.push(id);
  }
  return ids;
}

/** "address:port" of a session, for reports. */
export const peerOfSession = sessionLabel;
