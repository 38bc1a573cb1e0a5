/**
 * How a send node's messages end, the same for jobs and replies: a finished
 * one goes on (when the output is wired) and ends; a failed one ends with its
 * error in the node's words (send-errors); the status shows the work under
 * way, else the last error, else what was sent. Nothing here allocates per
 * message on the way of a message that succeeds.
 */
import { ThrottledStatus } from "../base/status-throttle";
import { RateTicker, type NodeMetrics } from "../metrics";
import type { Translate } from "../base/coded-error";
import type { NodeStatus } from "../../types/node-red";
import type { Done, Msg, Send, ShowStatus } from "./node-io";
import { sendErrorOf } from "./send-errors";

/** The work a controller has under way, for the status. */
export interface Load {
  readonly running: number;
  readonly queued: number;
}

export interface OutcomeOptions {
  t: Translate;
  status: ShowStatus;
  /** Node-RED's send() to an output with no wires still makes a message id (8 Math.random calls): skipped. */
  wired: boolean;
  /** TLS without verifying the server: said in every status. */
  unverified: boolean;
  /** The catalog key of the idle status: status.sent or status.replied (with the count). */
  idleKey: string;
  /** Counts every outcome (lib/metrics); with it, the status shows the rate (rateKey) while there is one. */
  metrics?: NodeMetrics;
  /** The catalog key that appends the rate: status.rate-jobs (send) or status.rate (reply, broadcast). */
  rateKey?: string;
}

export class Outcomes {
  private sent = 0;
  private lastError: { code: string; where: string } | undefined;
  private closed = false;
  private readonly status: ThrottledStatus;
  private readonly rate: RateTicker | undefined;
  private readonly make = (): NodeStatus => {
    let s = this.now();
    const rate = this.rate?.text();
    if (rate) s = { ...s, text: this.o.t(this.o.rateKey ?? "status.rate", { text: s.text, rate }) };
    return this.o.unverified ? { ...s, text: this.o.t("status.unverified", { text: s.text }) } : s;
  };

  constructor(
    private readonly o: OutcomeOptions,
    private readonly load: Load,
  ) {
    this.status = new ThrottledStatus({ status: o.status });
    const m = o.metrics;
    this.rate = m
      ? new RateTicker(
          () => m.jobsTotal,
          () => this.show(),
        )
      : undefined;
  }

  /** Passes a finished message on; a send that throws still ends the message, with that error. */
  deliver(msg: Msg, send: Send, done: Done): void {
    this.sent++;
    this.o.metrics?.jobOk();
    this.lastError = undefined;
    this.show();
    try {
      if (this.o.wired) send(msg);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  }

  /** A message that goes on (its output shows what was done) and still ends with err: part of its work failed. */
  partly(msg: Msg, send: Send, done: Done, err: Error, where: string): void {
    this.sent++;
    try {
      if (this.o.wired) send(msg);
    } catch (e) {
      done(e as Error);
      return;
    }
    this.fail(done, err, where);
  }

  /** Ends a message with err in the node's words; where: the destination or session, for the text and status. */
  fail(done: Done, err: Error, where: string): void {
    const coded = sendErrorOf(err, where, this.o.t);
    this.o.metrics?.jobFailed(coded.code);
    this.lastError = { code: coded.code, where };
    this.show();
    done(coded);
  }

  show(): void {
    if (!this.closed) this.status.update(this.make);
  }

  /** The node stopped: no more status. */
  stop(): void {
    this.closed = true;
    this.rate?.stop();
    this.status.stop();
  }

  private now(): NodeStatus {
    const { t } = this.o;
    const { running, queued } = this.load;
    if (running + queued > 0) return { fill: "blue", shape: "dot", text: t("status.sending", { running, queued }) };
    if (this.lastError) return { fill: "red", shape: "ring", text: t("status.error", this.lastError) };
    return { fill: "green", shape: "dot", text: t(this.o.idleKey, { count: this.sent }) };
  }
}
