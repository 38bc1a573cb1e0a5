/**
 * Messages whose writes wait behind slow peers, for the controllers that
 * write to live sessions (reply, broadcast): each ends exactly once, when its
 * writes settle or, at stop, after the drain bound with ESTOPPED (never
 * dropped silently).
 */
import type { Done, Msg } from "./node-io";

export interface Waiter {
  readonly msg: Msg;
  readonly done: Done;
  ended: boolean;
}

export class WaitingSet {
  private readonly set = new Set<Waiter>();

  get size(): number {
    return this.set.size;
  }

  add(msg: Msg, done: Done): Waiter {
    const w: Waiter = { msg, done, ended: false };
    this.set.add(w);
    return w;
  }

  /** Marks w ended; false when it had ended already (reported at stop), so the caller must not end it again. */
  end(w: Waiter): boolean {
    if (w.ended) return false;
    w.ended = true;
    this.set.delete(w);
    return true;
  }

  /**
   * Stops: what still waits gets up to drainMs, then ends with stopped(w); then
   * onStop() and done(). A safety net under the bound: Node-RED gives a close handler 15 s.
   */
  close(drainMs: number, stopped: (w: Waiter) => Error, onStop: () => void, done: () => void): void {
    let finished = false;
    const end = Date.now() + drainMs;
    let poll: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(bound);
      clearTimeout(poll);
      onStop();
      for (const w of [...this.set]) if (this.end(w)) w.done(stopped(w));
      done();
    };
    const bound = setTimeout(finish, drainMs + 500);
    const check = (): void => {
      if (this.set.size === 0 || Date.now() >= end) finish();
      else poll = setTimeout(check, 20);
    };
    check();
  }
}
