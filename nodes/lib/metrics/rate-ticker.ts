/**
 * A node's status rate: once a tick, samples a running total into a
 * RateWindow and, when the shown figure changes (to or from nothing too),
 * asks the node to show its status again (through its throttle, as today).
 * The timer does not keep the process alive.
 */
import { compactNumber } from "./compact";
import { RATE_TICK_MS, RATE_WINDOW_TICKS, RateWindow } from "./rate";

export class RateTicker {
  private readonly window: RateWindow;
  private readonly timer: NodeJS.Timeout;
  private shown = "";

  constructor(
    private readonly total: () => number,
    private readonly changed: () => void,
    tickMs = RATE_TICK_MS,
    windowTicks = RATE_WINDOW_TICKS,
  ) {
    this.window = new RateWindow(windowTicks);
    this.window.sample(total());
    const perSecond = 1000 / tickMs;
    this.timer = setInterval(() => {
      const text = compactRate(this.window.sample(this.total()) * perSecond);
      if (text === this.shown) return;
      this.shown = text;
      this.changed();
    }, tickMs);
    this.timer.unref();
  }

  /** The rate per second as the status shows it, or "" when there was nothing in the window. */
  text(): string {
    return this.shown;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** "" for no traffic (the status then says nothing of a rate), else the compact figure. */
export function compactRate(perSecond: number): string {
  return perSecond > 0 ? compactNumber(perSecond) : "";
}
