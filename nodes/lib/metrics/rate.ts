/**
 * A rate over a sliding window, for node status ("1.2k msg/s"): a running
 * total is sampled once per tick (a second), and the rate is what it grew
 * over the last `window` ticks. The hot path only grows the total (a
 * NodeMetrics field); nothing here runs per message.
 */
export const RATE_TICK_MS = 1000;
export const RATE_WINDOW_TICKS = 5;

export class RateWindow {
  /** Totals at the last window + 1 ticks, oldest first. */
  private readonly samples: number[] = [];

  constructor(private readonly window = RATE_WINDOW_TICKS) {}

  /** Takes one sample of the running total; returns the rate per tick over the window (0 with one sample). */
  sample(total: number): number {
    this.samples.push(total);
    if (this.samples.length > this.window + 1) this.samples.shift();
    return this.rate();
  }

  rate(): number {
    const n = this.samples.length;
    if (n < 2) return 0;
    return (this.samples[n - 1] - this.samples[0]) / (n - 1);
  }
}
