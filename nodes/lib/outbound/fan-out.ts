/**
 * The writes of a broadcast, gathered per turn of the event loop. Messages
 * that reach the node in one turn (a burst: Node-RED hands a node's inputs
 * over in setImmediate callbacks) are not written one by one to every
 * connection: at the end of the turn each connection gets its share of the
 * turn in ONE write, and connections that got the same messages share one
 * buffer. With 1000 clients, 1000 system calls per message become 1000 per
 * turn; that system call was nearly all of a broadcast's cost.
 *
 * What does not change: each connection gets its messages in input order; a
 * client with more than the pending bound waiting fails alone (skipped, or
 * closed with "slow"); bytes queued behind a slow client end when they have
 * left, failed, or were not taken within the write timeout (that connection
 * is reset). A message's result is known once every connection it went to
 * has settled: at the end of its turn, or later behind a slow client.
 */
import { SessionError, sessionLabel, type Session, type SessionRegistry } from "../sessions/registry";
import type { BroadcastFailure, BroadcastResult, FanOutOptions } from "./broadcast";
import { PendingReply, ReplyWriteError, writeReplyFast } from "./reply";

/** At most this many bytes wait for the end of a turn (less when the pending bound is lower): then they go at once. */
export const TURN_MAX_BYTES = 64 * 1024;
/** At most this many messages wait for the end of a turn. */
export const TURN_MAX_MESSAGES = 4096;

/** One message of the turn. */
interface Entry {
  readonly data: Buffer;
  readonly r: BroadcastResult;
  /** Connections not settled yet, plus one until the turn is written. */
  pending: number;
  readonly cb: (r: BroadcastResult) => void;
}

/**
 * One connection's share of the turn: the messages it takes, as indexes into the turn. Usually every
 * message of a turn goes to the same connections, so the share is a range (first..last); a connection
 * left out of some keeps an explicit list.
 */
interface Share {
  readonly session: Session;
  first: number;
  last: number;
  list?: number[];
  bytes: number;
}

const failure = (session: string, peer: string, code: string, closed: boolean): BroadcastFailure => ({ session, peer, code, closed });

export class FanOut {
  private entries: Entry[] = [];
  private shares = new Map<string, Share>();
  private bytes = 0;
  private scheduled = false;
  private readonly turnMax: number;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly o: FanOutOptions,
    private readonly defer: (fn: () => void) => void = setImmediate,
  ) {
    this.turnMax = Math.max(1, Math.min(TURN_MAX_BYTES, o.maxPending));
  }

  /** Messages waiting for the end of this turn (not behind a slow client: every message does, for a moment). */
  get inTurn(): number {
    return this.entries.length;
  }

  /**
   * Queues data for each target (live sessions, or ids looked up in the registry: unknown and closed ones
   * fail with their session code); cb gets the result once every target has settled, never synchronously.
   */
  send(targets: readonly (Session | string)[], data: Buffer, cb: (r: BroadcastResult) => void): void {
    if (this.entries.length >= TURN_MAX_MESSAGES || (this.bytes > 0 && this.bytes + data.length > this.turnMax)) this.flush();
    const index = this.entries.length;
    const e: Entry = { data, r: { matched: targets.length, written: 0, bytes: data.length, failed: [] }, pending: 1, cb };
    this.entries.push(e);
    this.bytes += data.length;
    for (const target of targets) {
      const id = typeof target === "string" ? target : target.id;
      let share = this.shares.get(id);
      if (share === undefined || share.session.closeReason !== undefined) {
        const found = this.registry.lookup(id);
        if (found instanceof SessionError) {
          e.r.failed.push(failure(id, found.detail.peer ?? "", found.code, false));
          continue;
        }
        if (share === undefined) {
          share = { session: found, first: index, last: index - 1, bytes: 0 };
          this.shares.set(id, share);
        }
      }
      const full = this.tooMuch(share, data.length);
      if (full !== undefined) {
        e.r.failed.push(full);
        continue;
      }
      take(share, index);
      share.bytes += data.length;
      e.pending++;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      this.defer(() => this.flush());
    }
  }

  /** The failure when the client has too much waiting (closing it when so chosen), else undefined. */
  private tooMuch(share: Share, length: number): BroadcastFailure | undefined {
    const { session } = share;
    const waiting = session.socket.writableLength + share.bytes;
    if (waiting === 0 || waiting + length <= this.o.maxPending) return undefined;
    const close = this.o.slow === "close";
    // A reset: what the slow client has not taken must not reach it after the flow was told it failed. Its
    // share of this turn goes with it (written, it fails as EBUFFERFULL through the session's close reason).
    if (close) this.registry.close(session.id, "slow", true);
    return failure(session.id, sessionLabel(session), "EBUFFERFULL", close);
  }

  /** Writes the turn: one write per connection, one buffer per distinct share. */
  private flush(): void {
    const { entries, shares } = this;
    this.entries = [];
    this.shares = new Map();
    this.bytes = 0;
    this.scheduled = false;
    const buffers = new Map<string, Buffer>();
    for (const share of shares.values()) {
      if (share.last < share.first) continue;
      const key = share.list ? share.list.join(",") : `${share.first}-${share.last}`;
      let buf = buffers.get(key);
      if (buf === undefined) {
        const parts: Buffer[] = [];
        forEachIndex(share, (i) => parts.push(entries[i].data));
        buf = parts.length === 1 ? parts[0] : Buffer.concat(parts);
        buffers.set(key, buf);
      }
      this.write(share, buf, entries);
    }
    for (const e of entries) settle(e);
  }

  private write(share: Share, buf: Buffer, entries: Entry[]): void {
    const { session } = share;
    const each = (fn: (e: Entry) => void): void =>
      forEachIndex(share, (i) => {
        fn(entries[i]);
        settle(entries[i]);
      });
    // The bound was checked as the messages came; the turn's bytes go in one write.
    const w = writeReplyFast(this.registry, session.id, buf, false, Infinity);
    if (w instanceof PendingReply) {
      w.wait(this.o.writeTimeoutMs, (err) => {
        if (!err) each((e) => e.r.written++);
        else {
          const f = failure(err.sessionId, err.peer, err.code, err.code === "ETIMEDOUT" || err.code === "EBUFFERFULL");
          each((e) => e.r.failed.push(f));
        }
      });
    } else if (w instanceof SessionError) {
      // Closed since its messages came: by the client, or as too slow by a later message of this turn.
      const code = session.closeReason === "slow" ? "EBUFFERFULL" : w.code;
      const f = failure(session.id, w.detail.peer ?? "", code, code === "EBUFFERFULL");
      each((e) => e.r.failed.push(f));
    } else if (w instanceof ReplyWriteError) {
      const f = failure(w.sessionId, w.peer, w.code, false);
      each((e) => e.r.failed.push(f));
    } else {
      each((e) => e.r.written++);
    }
  }
}

function take(share: Share, index: number): void {
  if (share.list) share.list.push(index);
  else if (share.last === index - 1) share.last = index;
  else {
    // Left out of a message in between: from now on an explicit list.
    const list: number[] = [];
    forEachIndex(share, (i) => list.push(i));
    list.push(index);
    share.list = list;
  }
}

function forEachIndex(share: Share, fn: (i: number) => void): void {
  if (share.list) for (const i of share.list) fn(i);
  else for (let i = share.first; i <= share.last; i++) fn(i);
}

function settle(e: Entry): void {
  if (--e.pending === 0) e.cb(e.r);
}
