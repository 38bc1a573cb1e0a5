/**
 * Send to connections: one message's bytes to every live session a filter
 * picks, each written on its own. A client that has more than the pending
 * bound waiting is skipped (or closed, as chosen) without touching the
 * others; bytes queued behind a slow client end when they have left, failed,
 * or were not taken within the write timeout (that connection is reset, as a
 * reply's is). The caller learns, once every session has settled, how many
 * were matched and written and which failed with which code.
 */
import { AccessControl, type AccessEntry } from "../inbound/access-control";
import { SessionError, sessionLabel, type Session, type SessionRegistry } from "../sessions/registry";
import { PendingReply, ReplyWriteError, sessionIdOf, writeReplyFast } from "./reply";

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

const failure = (session: string, peer: string, code: string, closed: boolean): BroadcastFailure => ({ session, peer, code, closed });

/**
 * Writes data to each target (live sessions, or ids looked up in the registry: unknown and closed ones
 * fail with their session code) and calls back once all have settled. Synchronous when no write waits.
 */
export function fanOut(
  registry: SessionRegistry,
  targets: readonly (Session | string)[],
  data: Buffer,
  o: FanOutOptions,
  cb: (r: BroadcastResult) => void,
): void {
  const r: BroadcastResult = { matched: targets.length, written: 0, bytes: data.length, failed: [] };
  let pending = 1; // this loop itself, so cb runs once, after it
  const settle = (): void => {
    if (--pending === 0) cb(r);
  };
  for (const target of targets) {
    const id = typeof target === "string" ? target : target.id;
    const w = writeReplyFast(registry, id, data, false, o.maxPending);
    if (w instanceof PendingReply) {
      pending++;
      w.wait(o.writeTimeoutMs, (err) => {
        if (err) r.failed.push(failure(err.sessionId, err.peer, err.code, err.code === "ETIMEDOUT" || err.code === "EBUFFERFULL"));
        else r.written++;
        settle();
      });
    } else if (w instanceof SessionError) {
      r.failed.push(failure(id, w.detail.peer ?? "", w.code, false));
    } else if (w instanceof ReplyWriteError) {
      const close = w.code === "EBUFFERFULL" && o.slow === "close";
      // A reset: what the slow client has not taken must not reach it after the flow was told it failed.
      if (close) registry.close(id, "slow", true);
      r.failed.push(failure(w.sessionId, w.peer, w.code, close));
    } else {
      r.written++;
    }
  }
  settle();
}

/** "address:port" of a session, for reports. */
export const peerOfSession = sessionLabel;
