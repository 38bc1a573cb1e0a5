/**
 * Waits between connection attempts: exponential from a first to a longest
 * wait, with jitter so that many gateways that lost the same device do not
 * all dial it again in the same millisecond, forever or within a total bound.
 *
 * The nominal wait before retry n (n = 1 after the first failure) is
 * base(n) = min(longest, first * factor^(n-1)); the wait itself is, with
 *
 *   none   base(n)
 *   full   uniform in [0, base(n)]            ("full jitter")
 *   equal  base(n)/2 + uniform in [0, base(n)/2] ("equal jitter")
 *
 * rounded to whole ms. A round starts with its first failure; with a bound,
 * no attempt is scheduled to start later than `withinMs` after that. The
 * random source and the clock are injectable so the waits can be tested
 * exactly.
 */

export type Jitter = "none" | "full" | "equal";
export const JITTERS: readonly Jitter[] = ["none", "full", "equal"];

export interface BackoffOptions {
  firstMs: number;
  longestMs: number;
  /** Growth per retry, at least 1 (default 2). */
  factor?: number;
  jitter: Jitter;
  /** 0 = try forever; else no attempt starts later than this after the round's first failure. */
  withinMs: number;
}

export interface NextAttempt {
  /** Retry number in this round, 1 for the first retry. */
  retry: number;
  waitMs: number;
}

/** The wait before retry n (>= 1) for a random value r in [0, 1). */
export function backoffWait(o: BackoffOptions, n: number, r: number): number {
  const factor = o.factor ?? 2;
  // Capped as it grows: factor^(n-1) overflows to Infinity long before n does.
  let base = o.firstMs;
  for (let i = 1; i < n && base < o.longestMs; i++) base *= factor;
  base = Math.min(base, o.longestMs);
  switch (o.jitter) {
    case "full":
      return Math.round(r * base);
    case "equal":
      return Math.round(base / 2 + (r * base) / 2);
    default:
      return Math.round(base);
  }
}

export function checkBackoff(o: BackoffOptions): void {
  const ok =
    Number.isFinite(o.firstMs) &&
    o.firstMs >= 0 &&
    Number.isFinite(o.longestMs) &&
    o.longestMs >= o.firstMs &&
    (o.factor === undefined || (Number.isFinite(o.factor) && o.factor >= 1)) &&
    JITTERS.includes(o.jitter) &&
    Number.isFinite(o.withinMs) &&
    o.withinMs >= 0;
  if (!ok) throw new RangeError(`invalid backoff: ${JSON.stringify(o)}`);
}

/** One link's retries: counts them, and says when a round has used up its bound. */
export class Backoff {
  private retries = 0;
  private roundStart: number | undefined;

  constructor(
    private readonly o: BackoffOptions,
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {
    checkBackoff(o);
  }

  /** Retries scheduled in this round so far. */
  get retry(): number {
    return this.retries;
  }

  /** When the round began (its first failure), if one is under way. */
  get startedAt(): number | undefined {
    return this.roundStart;
  }

  /** ms since the round began, 0 when none is under way. */
  elapsed(): number {
    return this.roundStart === undefined ? 0 : this.now() - this.roundStart;
  }

  /** After a failure: the next retry and its wait, or undefined when the bound does not allow one. */
  next(): NextAttempt | undefined {
    this.roundStart ??= this.now();
    const n = this.retries + 1;
    const waitMs = backoffWait(this.o, n, this.random());
    if (this.o.withinMs > 0 && this.elapsed() + waitMs > this.o.withinMs) return undefined;
    this.retries = n;
    return { retry: n, waitMs };
  }

  /** The link is good again (or a new round is wanted): the next failure starts from the first wait. */
  reset(): void {
    this.retries = 0;
    this.roundStart = undefined;
  }
}
