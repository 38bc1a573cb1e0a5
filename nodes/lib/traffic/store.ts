/**
 * The captures of one connection manager, bounded as a whole: each capture
 * reserves what it may grow to (two directions at the per-direction limit,
 * plus a fixed overhead) out of the manager's byte budget when it opens, and
 * gives it back when it is forgotten. When the budget is used up, new
 * connections are not captured (and the view says so), so 10 000
 * connections cannot make the captures use more than the budget.
 *
 * Closed connections' captures stay for a while (the last keepClosed, within
 * the budget), so a user can still see why a device dropped.
 */
import { Capture, type CaptureInfo } from "./capture";

export interface TrafficLimits {
  /** Bytes kept per direction of one connection (bookkeeping included). */
  perDirection: number;
  /** Bytes all captures of one manager may reserve together. */
  budget: number;
  /** Captures of closed connections kept. */
  keepClosed: number;
}

export const DEFAULT_TRAFFIC_LIMITS: Readonly<TrafficLimits> = Object.freeze({
  perDirection: 8 * 1024,
  budget: 32 * 1024 * 1024,
  keepClosed: 32,
});

/** What a capture costs beyond its two rings: the objects, the frame offsets' array, the info. */
export const CAPTURE_OVERHEAD = 1024;

export class TrafficStore {
  private readonly live = new Map<string, Capture>();
  private limitsNow: TrafficLimits;
  private readonly closed = new Map<string, Capture>();
  private reserved = 0;
  /** Connections not captured because the budget was used up. */
  refused = 0;

  constructor(
    limits: TrafficLimits = DEFAULT_TRAFFIC_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.limitsNow = { ...limits };
  }

  get limits(): Readonly<TrafficLimits> {
    return this.limitsNow;
  }

  /**
   * New limits (settings.js, read when a manager starts). Only while nothing is captured: each capture
   * reserved what the limits said when it opened. Returns whether they were taken.
   */
  configure(limits: Partial<TrafficLimits>): boolean {
    if (this.live.size > 0 || this.closed.size > 0) return false;
    this.limitsNow = { ...this.limitsNow, ...limits };
    return true;
  }

  /** What one capture reserves. */
  get perCapture(): number {
    return 2 * this.limits.perDirection + CAPTURE_OVERHEAD;
  }

  /** Bytes reserved by the captures kept now. */
  get used(): number {
    return this.reserved;
  }

  /** A new capture, or null when the budget cannot hold one more (closed ones are forgotten first). */
  open(info: CaptureInfo): Capture | null {
    const cost = this.perCapture;
    while (this.reserved + cost > this.limits.budget && this.closed.size > 0) this.forgetOldestClosed();
    if (this.reserved + cost > this.limits.budget) {
      this.refused++;
      return null;
    }
    this.reserved += cost;
    const c = new Capture(info, this.limits.perDirection, this.now);
    this.live.set(info.session, c);
    return c;
  }

  /** The connection of c closed: keep its capture among the recently closed ones. */
  ended(c: Capture, reason: string): void {
    c.close(reason);
    if (this.live.get(c.info.session) !== c) return;
    this.live.delete(c.info.session);
    if (this.limits.keepClosed <= 0) {
      this.reserved -= this.perCapture;
      return;
    }
    this.closed.set(c.info.session, c);
    while (this.closed.size > this.limits.keepClosed) this.forgetOldestClosed();
  }

  get(session: string): Capture | undefined {
    return this.live.get(session) ?? this.closed.get(session);
  }

  /** Ids of the closed connections whose capture is still kept, oldest first. */
  closedIds(): string[] {
    return [...this.closed.keys()];
  }

  private forgetOldestClosed(): void {
    const oldest = this.closed.keys().next().value;
    if (oldest === undefined) return;
    this.closed.delete(oldest);
    this.reserved -= this.perCapture;
  }
}
