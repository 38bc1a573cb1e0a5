/**
 * Writes that wait for the link, bounded in messages and in bytes, oldest
 * first. A write that does not fit meets the policy:
 *
 *   refuse       (default) it is not taken: the caller fails it with EQUEUEFULL
 *   drop-newest  it is not taken either, reported as dropped
 *   drop-oldest  it is taken; the oldest waiting entries make room, each reported as dropped
 *
 * An entry larger than the byte limit on its own is never taken. An entry
 * older than the maximum age is taken out by expire() (the link fails it with
 * ESTALE) instead of being sent late. Nothing here has a timer or a socket:
 * the clock is passed in, and nextExpiry() tells the owner when to look.
 */
import type { QueuePolicy } from "./errors";

export const QUEUE_POLICIES: readonly QueuePolicy[] = ["refuse", "drop-oldest", "drop-newest"];

export interface OutboxLimits {
  /** Entries waiting, at least 1. */
  maxMessages: number;
  /** Bytes waiting, at least 1. */
  maxBytes: number;
  policy: QueuePolicy;
  /** 0 = no limit: an entry that waited this long (ms) is not sent any more. */
  maxAgeMs: number;
}

export interface OutboxEntry<T> {
  readonly bytes: Buffer;
  readonly ctx: T;
  /** When it was queued (the link's clock). */
  readonly at: number;
}

export interface PushOutcome<T> {
  /** false: the new entry was not taken (policy refuse or drop-newest, or larger than the byte limit). */
  taken: boolean;
  /** Older entries removed to make room (policy drop-oldest), oldest first. */
  dropped: OutboxEntry<T>[];
}

export class Outbox<T> {
  private items: Array<OutboxEntry<T> | undefined> = [];
  private head = 0;
  private _bytes = 0;

  constructor(readonly limits: OutboxLimits) {
    const l = limits;
    if (!(l.maxMessages >= 1 && l.maxBytes >= 1 && l.maxAgeMs >= 0)) throw new RangeError(`invalid queue limits: ${JSON.stringify(l)}`);
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this._bytes;
  }

  /** past: taken whatever the limits (a job kept on disk from before a restart: it was accepted then). */
  push(entry: OutboxEntry<T>, past = false): PushOutcome<T> {
    const l = this.limits;
    const dropped: OutboxEntry<T>[] = [];
    const size = entry.bytes.length;
    const fits = (): boolean => this.length < l.maxMessages && this._bytes + size <= l.maxBytes;
    if (!past && !fits()) {
      if (l.policy !== "drop-oldest" || size > l.maxBytes) return { taken: false, dropped };
      while (!fits()) dropped.push(this.shift() as OutboxEntry<T>);
    }
    this.items.push(entry);
    this._bytes += size;
    return { taken: true, dropped };
  }

  peek(): OutboxEntry<T> | undefined {
    return this.items[this.head];
  }

  shift(): OutboxEntry<T> | undefined {
    if (this.head >= this.items.length) return undefined;
    const e = this.items[this.head] as OutboxEntry<T>;
    this.items[this.head] = undefined;
    this.head++;
    this._bytes -= e.bytes.length;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return e;
  }

  /** Takes out, oldest first, every entry that has waited maxAgeMs or longer at `now`. */
  expire(now: number): OutboxEntry<T>[] {
    const out: OutboxEntry<T>[] = [];
    const max = this.limits.maxAgeMs;
    if (max === 0) return out;
    // Entries are in arrival order, so the expired ones are a prefix.
    for (let e = this.peek(); e && now - e.at >= max; e = this.peek()) out.push(this.shift() as OutboxEntry<T>);
    return out;
  }

  /** When the oldest entry expires (the link's clock), undefined when none can. */
  nextExpiry(): number | undefined {
    const e = this.peek();
    return e && this.limits.maxAgeMs > 0 ? e.at + this.limits.maxAgeMs : undefined;
  }

  /** Takes every entry out, oldest first. */
  drain(): OutboxEntry<T>[] {
    const out = this.items.slice(this.head) as OutboxEntry<T>[];
    this.items = [];
    this.head = 0;
    this._bytes = 0;
    return out;
  }
}
