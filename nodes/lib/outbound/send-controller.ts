/**
 * Send to a destination, without Node-RED: each input's data (and host and
 * port) is evaluated, in input order, and becomes a job on the delivery queue
 * of its destination; a finished job's message goes on with msg.tcp (and the
 * reply, when it is kept), a failed one ends with a catchable error.
 */
import { CodedError, type Translate } from "../base/coded-error";
import { makeDecoder } from "../base/encoding";
import type { Connector } from "../base/dial";
import { nextMessageId } from "../base/msgid";
import type { NodeMetrics } from "../metrics";
import { Delivery, QueueError } from "./delivery";
import { destinationLabel, resolveDestination, type Destination } from "./destination";
import { InOrder } from "./in-order";
import { JobError, type JobOptions, type JobResult } from "./job";
import { closeGuardMs, openWarnings, setJobId, type KeptAtStart } from "../journal";
import type { Keeper, KeptSendJob } from "./kept-jobs";
import type { Done, Evaluate, Msg, Send, ShowStatus } from "./node-io";
import { Outcomes, type Load } from "./outcomes";
import { toBytes } from "./payload";
import { evaluationError, sendErrorOf } from "./send-errors";
import type { ReplyOutput } from "./send-config";

export interface SendControllerOptions {
  data: Evaluate;
  /** The node's host and port; undefined = not set in the node, so the message gives them. */
  host?: Evaluate;
  port?: Evaluate;
  encoding: string;
  job: JobOptions;
  /** Where to save what the peer sent; undefined = do not keep it. */
  reply?: { property: string; output: ReplyOutput };
  concurrency: number;
  maxQueue: number;
  /** At stop, how long queued and running jobs may go on before they fail. */
  drainMs: number;
  /** Sets a message property by its path (RED.util.setMessageProperty, creating what is missing); throws when it cannot. */
  setProperty: (msg: Msg, path: string, value: unknown) => void;
  /** An error of the node's own making, with no message (a handler that threw). */
  report: (err: unknown) => void;
  t: Translate;
  status: ShowStatus;
  wired: boolean;
  /** TLS without verifying the server (job.tls set, verification off): said in every status. */
  unverified: boolean;
  /** What the node counts (lib/metrics): jobs, their time, bytes and retries; also gives the status its rate. */
  metrics?: NodeMetrics;
  /** Opens each job's socket (lib/base/dial); tests pass their own. */
  connector?: Connector;
  /** Keeps queued jobs on disk across restarts (kept-jobs); undefined = in memory only. */
  keeper?: Keeper;
  /** How jobs kept from before the start end, having no input's send and done: the node's output, and its error with the message. */
  restoredIo?: { send: Send; done: (msg: Msg) => Done };
  /** Says something once, as a warning (a damaged journal, jobs dropped at start). */
  warn?: (text: string) => void;
}

/** A job's context while it waits, runs and ends. */
interface Job {
  msg: Msg;
  send: Send;
  done: Done;
  dest: Destination;
  received: number;
  /** msg.tcp.jobId: the same after a restart, so a device or a flow can drop a job sent twice. */
  jobId: string;
  /** Its journal number while it is kept on disk. */
  seq?: number;
}

interface Prepared {
  data: Buffer;
  dest: Destination;
}

type Prepare = (err: Error | null, p?: Prepared) => void;

export class SendController implements Load {
  private readonly order = new InOrder();
  private readonly delivery: Delivery<Job>;
  private readonly out: Outcomes;
  private readonly decodeReply: ReturnType<typeof makeDecoder>;
  /** The node is being deleted: its kept jobs end now, like the others. */
  private removing = false;

  constructor(private readonly o: SendControllerOptions) {
    this.out = new Outcomes(
      {
        t: o.t,
        status: o.status,
        wired: o.wired,
        unverified: o.unverified,
        idleKey: "status.sent",
        metrics: o.metrics,
        rateKey: "status.rate-jobs",
      },
      this,
    );
    this.decodeReply = makeDecoder(o.encoding);
    this.delivery = new Delivery<Job>({
      concurrency: o.concurrency,
      maxQueue: o.maxQueue,
      connector: o.connector,
      handlers: {
        finished: (job, r) => {
          this.ended(job);
          this.finished(job, r);
        },
        failed: (job, err) => this.failed(job, err),
        changed: () => this.out.show(),
        handlerError: (err) => o.report(err),
      },
    });
    if (o.unverified) this.out.show();
    if (o.keeper) this.restoreFirst(o.keeper);
  }

  /** Jobs with a connection being made or open. */
  get running(): number {
    return this.delivery.running;
  }

  /** Jobs waiting for their destination. */
  get queued(): number {
    return this.delivery.queued;
  }

  input(msg: Msg, send: Send, done: Done): void {
    const ticket = this.order.take();
    const received = Date.now();
    const jobId = nextMessageId();
    setJobId(msg, jobId);
    // Set before the data is evaluated, so the data can carry it.
    this.prepare(msg, (err, p) =>
      this.order.complete(ticket, () => {
        if (err || !p) return this.out.fail(done, err ?? new CodedError("EIO", "no data"), "");
        const job: Job = { msg, send, done, dest: p.dest, received, jobId };
        const keeper = this.o.keeper;
        if (!keeper) return this.submit(job, p.data, false);
        // Queued once it is on disk: the journal calls back in the order jobs came.
        keeper.keep(jobId, p.dest, p.data, msg, (e, seq) => {
          if (e) return this.out.fail(done, e, destinationLabel(p.dest));
          job.seq = seq;
          this.submit(job, p.data, false);
        });
      }),
    );
  }

  /** Stops: queued and running jobs get up to drainMs, then end with ESTOPPED (kept ones stay on disk unless removed); calls back when all have ended. */
  close(done: () => void, removed = false): void {
    this.removing = removed;
    let ended = false;
    const finish = (): void => {
      if (ended) return;
      ended = true;
      clearTimeout(bound);
      this.out.stop();
      done();
    };
    // A safety net under the drain bound, with room for the journal's last sync when jobs are kept.
    const bound = setTimeout(finish, closeGuardMs(this.o.drainMs, this.o.keeper !== undefined));
    this.delivery
      .drain(this.o.drainMs)
      .then(() => this.closeKeeper(removed))
      .then(finish, finish);
  }

  private async closeKeeper(removed: boolean): Promise<void> {
    const { keeper, warn, t } = this.o;
    if (!keeper) return;
    const dropped = await keeper.close(removed);
    if (dropped > 0) warn?.(t("warn.journal-removed", { count: dropped }));
  }

  /** The jobs kept from before go first: every input waits behind this ticket until the journal is read. */
  private restoreFirst(keeper: Keeper): void {
    this.order.first(
      keeper.open(),
      (at) => this.restore(at),
      (err) => this.o.report(sendErrorOf(err as Error, "", this.o.t)),
      (err) => this.o.report(err),
    );
  }

  private restore(at: KeptAtStart<KeptSendJob>): void {
    const { t, warn, restoredIo } = this.o;
    for (const [key, subs] of openWarnings(at)) warn?.(t(`warn.${key}`, subs));
    if (!restoredIo) return;
    for (const { job, err } of at.stale) this.out.fail(restoredIo.done(job.msg), err, destinationLabel(job.dest));
    for (const k of at.jobs) {
      const job: Job = {
        msg: k.msg,
        send: restoredIo.send,
        done: restoredIo.done(k.msg),
        dest: k.dest,
        received: k.created,
        jobId: k.jobId,
        seq: k.seq,
      };
      this.submit(job, k.data, true);
    }
  }

  /** Hands a job to its destination's queue; kept jobs go past the queue limit (they were accepted before). */
  private submit(job: Job, data: Buffer, kept: boolean): void {
    try {
      this.delivery.submit(job.dest, data, this.o.job, job, kept);
    } catch (e) {
      // Kept, and the node stops: it stays on disk for the next start.
      if (e instanceof QueueError && e.code === "ESTOPPED" && job.seq !== undefined && !this.removing) return;
      this.ended(job);
      this.out.fail(job.done, e as Error, destinationLabel(job.dest));
    }
  }

  private failed(job: Job, err: JobError): void {
    if (err instanceof JobError) this.measure(err.elapsedMs, err.attempts, 0, err.bytesSent);
    if (err.code === "ESTOPPED" && job.seq !== undefined && !this.removing) return;
    this.ended(job);
    this.out.fail(job.done, err, destinationLabel(job.dest));
  }

  /** The job is over for good: off the disk. */
  private ended(job: Job): void {
    if (job.seq !== undefined) this.o.keeper?.end(job.seq);
  }

  /** One job's connection, done or failed: its time, retries and bytes. */
  private measure(ms: number, attempts: number, bytesIn: number, bytesOut: number): void {
    const m = this.o.metrics;
    if (!m || attempts === 0) return; // stopped while queued: no connection to measure
    m.jobTime(ms / 1000);
    if (attempts > 1) m.retries(attempts - 1);
    m.bytes(bytesIn, bytesOut);
  }

  private finished(job: Job, r: JobResult): void {
    this.measure(r.totalMs, r.attempts, r.bytesReceived, r.bytesSent);
    const { msg } = job;
    msg.tcp = {
      jobId: job.jobId,
      host: r.host,
      port: r.port,
      localPort: r.localPort,
      attempts: r.attempts,
      connectMs: r.connectMs,
      queuedMs: Math.max(0, Date.now() - job.received - r.totalMs),
      totalMs: r.totalMs,
      bytesSent: r.bytesSent,
      bytesReceived: r.bytesReceived,
      closedBy: r.closedBy,
      replyTruncated: r.replyTruncated,
    };
    const keep = this.o.reply;
    if (keep) {
      const value = keep.output === "buffer" ? r.reply : this.decodeReply(r.reply, 0, r.reply.length);
      try {
        this.o.setProperty(msg, keep.property, value);
      } catch (err) {
        // e.g. msg.printer is a string, so msg.printer.status cannot be set
        this.out.fail(job.done, err as Error, destinationLabel(job.dest));
        return;
      }
    }
    this.out.deliver(msg, job.send, job.done);
  }

  /** Evaluates data, host and port for one message; calls back with bytes and destination, or the error to report. */
  private prepare(msg: Msg, cb: Prepare): void {
    const { o } = this;
    o.data(msg, (err, value) => {
      if (err) return cb(evaluationError("data", err, o.t));
      let data: Buffer;
      try {
        data = toBytes(value, o.encoding);
      } catch (e) {
        return cb(e as Error);
      }
      this.optional(o.host, msg, "host", (errH, host) => {
        if (errH) return cb(errH);
        this.optional(o.port, msg, "port", (errP, port) => {
          if (errP) return cb(errP);
          let dest: Destination;
          try {
            dest = resolveDestination({
              nodeHost: host,
              nodePort: port,
              msgDestination: msg.destination,
              msgHost: msg.host,
              msgPort: msg.port,
            });
          } catch (e) {
            return cb(e as Error);
          }
          cb(null, { data, dest });
        });
      });
    });
  }

  private optional(ev: Evaluate | undefined, msg: Msg, what: string, cb: (err: Error | null, v?: unknown) => void): void {
    if (!ev) return cb(null, undefined);
    // A set node field that yields nothing stays "set" (null), so it is an error rather than a fallback to msg.
    ev(msg, (err, v) => (err ? cb(evaluationError(what, err, this.o.t)) : cb(null, v ?? null)));
  }
}
