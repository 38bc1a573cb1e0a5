/**
 * What the two controllers that write to live sessions (reply, broadcast)
 * share: each input's data read in arrival order, handed to write(); writes
 * that wait behind slow peers counted for the status, and at stop given the
 * drain bound, then ended with the controller's ESTOPPED error.
 */
import type { Translate } from "../base/coded-error";
import type { NodeMetrics } from "../metrics";
import { OrderedData } from "./ordered-data";
import { Outcomes, type Load } from "./outcomes";
import { WaitingSet, type Waiter } from "./waiting";
import type { Done, Evaluate, Msg, ReadNow, Send, ShowStatus } from "./node-io";

export interface SessionWriterOptions {
  /** The data for a message, from a callback. */
  data: Evaluate;
  /** The same, when it is known without a callback: the hot path. */
  dataNow?: ReadNow;
  encoding: string;
  /** At stop, how long writes still waiting may take. */
  drainMs: number;
  t: Translate;
  status: ShowStatus;
  wired: boolean;
  /** What the node counts (lib/metrics); also gives the status its rate. */
  metrics?: NodeMetrics;
}

export abstract class SessionWriter implements Load {
  private readonly data: OrderedData;
  protected readonly waiting = new WaitingSet();
  protected readonly out: Outcomes;

  constructor(
    private readonly so: SessionWriterOptions,
    /** The catalog key of the idle status (with the count). */
    idleKey: string,
  ) {
    this.data = new OrderedData(so);
    this.out = new Outcomes({ t: so.t, status: so.status, wired: so.wired, unverified: false, idleKey, metrics: so.metrics }, this);
  }

  /** Messages whose writes wait behind a slow peer. */
  get running(): number {
    return this.waiting.size;
  }

  get queued(): number {
    return 0;
  }

  input(msg: Msg, send: Send, done: Done): void {
    const now = this.data.now(msg);
    if (now !== undefined) {
      if (now instanceof Error) this.out.fail(done, now, "");
      else this.write(msg, send, done, now);
      return;
    }
    this.data.later(msg, (data) => (data instanceof Error ? this.out.fail(done, data, "") : this.write(msg, send, done, data)));
  }

  /**
   * Stops: writes still waiting get up to drainMs, then end with stopped() (never dropped silently);
   * calls back when every message has ended.
   */
  close(done: () => void): void {
    this.waiting.close(
      this.so.drainMs,
      (w) => this.stopped(w),
      () => this.out.stop(),
      done,
    );
  }

  /** Writes one message's bytes; ends it (out.deliver / out.fail), or adds it to waiting until its writes settle. */
  protected abstract write(msg: Msg, send: Send, done: Done, data: Buffer): void;

  /** The error a message still waiting at the drain bound ends with. */
  protected abstract stopped(w: Waiter): Error;
}
