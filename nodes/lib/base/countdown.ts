/**
 * A countdown in whole seconds for a node's status ("next attempt in 3 s").
 *
 * The shown number is ceil(left / 1000); it changes when `left` crosses a
 * whole second. A tick aimed exactly at that crossing lands on either side of
 * it (timers and Date.now() disagree by a millisecond, and a busy event loop
 * fires late), so the same number shows twice and the next one is skipped.
 * Each tick is aimed a margin past the crossing instead: the number it shows
 * is the next one down, whatever the jitter, up to the margin early and
 * almost a second late.
 */

/** How far past a whole-second crossing a tick is aimed. */
export const COUNTDOWN_MARGIN_MS = 50;

export interface CountdownStep {
  /** The whole seconds to show now, at least 0. */
  seconds: number;
  /** When to look again (ms from now), while the number shown is above 1; else undefined. */
  nextTickMs?: number;
}

/** What to show `leftMs` before the moment, and when to tick next. */
export function countdownStep(leftMs: number): CountdownStep {
  const seconds = Math.max(0, Math.ceil(leftMs / 1000));
  if (seconds <= 1) return { seconds };
  return { seconds, nextTickMs: leftMs - (seconds - 1) * 1000 + COUNTDOWN_MARGIN_MS };
}
