/**
 * The tcp client's writes (stream mode) and requests (request mode) kept on
 * disk across restarts, crashes and power cuts (issue 15, with the shared
 * keeper of lib/journal). No Node-RED import: the node passes how a job
 * reaches the link and how one ends that never did.
 *
 * A new job is kept first and handed to the link once its record is on the
 * disk (fdatasync'd, batched within the sync delay), so a job the node took
 * can always be found again. Jobs kept from before the start go to the link
 * first, past the queue's limits (they were accepted then), in their order;
 * new inputs wait behind them until the journal has been read.
 *
 * A job leaves the disk when it ends: stream, when the kernel took its bytes
 * (the socket's write callback, the node's done()); request, when its reply
 * came (or the reply could not be put on the message), or when it failed
 * with a final error (EQUEUEFULL, ESTALE, ESENDFAILED, ETIMEDOUT, ENOREPLY,
 * the dial's code when the reconnect bound gave up, ...). One that ends with
 * ESTOPPED (a redeploy, a restart) stays on disk for the next start and its
 * message is not ended; when the node is deleted it ends like any other.
 *
 * At-least-once: a job whose bytes went out but whose end was not on disk
 * when the process died is written again after the start, with the same
 * msg.tcp.jobId. A request cut by a stop while it waited for its reply is
 * sent again too (its ESTOPPED keeps it).
 */
import { JobKeeper, openWarnings, type KeptAtStart, type KeptNodeJob, type Msg } from "../journal";
import { InOrder } from "../outbound/in-order";

/** What a kept job carries on its way through the link. */
export interface KeptCtx {
  msg: Msg;
  jobId: string;
  /** Its journal number while it is on disk. */
  seq?: number;
}

export interface KeptWritesOptions<J extends KeptCtx> {
  keeper: JobKeeper<Record<string, never>>;
  /** Hands a job to the link (Link.write, Requests.request); kept: one from before the start, past the queue's limits. */
  write(bytes: Buffer, job: J, kept: boolean): void;
  /** A job kept from before the start, with the node's ways to end it (it has no input's send and done). */
  restored(k: KeptNodeJob<Record<string, never>>): J;
  /** A job that never reached the link: EPERSIST (not kept), ESTALE (too old at start). */
  fail(job: J, err: Error): void;
  /** The journal could not be opened (EPERSIST; every job after fails with it too). */
  report(err: unknown): void;
  /** Says what opening dropped: a catalog key under warn. and its substitutions. */
  warn(key: string, subs: Record<string, unknown>): void;
}

export class KeptWrites<J extends KeptCtx> {
  private readonly order = new InOrder();
  /** The node is being deleted: its kept jobs end now, like the others. */
  private removing = false;

  constructor(private readonly o: KeptWritesOptions<J>) {
    const report = (err: unknown): void => o.report(err);
    this.order.first(o.keeper.open(), (at) => this.restore(at), report, report);
  }

  /** A new job: kept on disk, then handed to the link; in input order, behind the jobs kept from before. */
  add(bytes: Buffer, job: J): void {
    const ticket = this.order.take();
    this.order.complete(ticket, () =>
      this.o.keeper.keep(job.jobId, {}, bytes, job.msg, (err, seq) => {
        if (err) return this.o.fail(job, err);
        job.seq = seq;
        // Called from the journal's write loop: a handler that throws must not stop it.
        try {
          this.o.write(bytes, job, false);
        } catch (e) {
          this.o.report(e);
        }
      }),
    );
  }

  /**
   * The job ended (code: its error's, undefined when it went well). true: it is off the disk and its message ends
   * now; false: it stays kept for the next start (ESTOPPED while the node is not being deleted) and its message does not end.
   */
  ended(job: J, code?: string): boolean {
    if (job.seq === undefined) return true;
    if (code === "ESTOPPED" && !this.removing) return false;
    this.o.keeper.end(job.seq);
    job.seq = undefined;
    return true;
  }

  /** The node stops; removed: it is being deleted, so what is kept ends (say this before the link stops). */
  stopping(removed: boolean): void {
    this.removing = removed;
  }

  /** Closes the journal once the link has stopped; removed: deletes it, and gives the number of kept jobs it dropped. */
  close(): Promise<number> {
    return this.o.keeper.close(this.removing);
  }

  private restore(at: KeptAtStart<KeptNodeJob<Record<string, never>>>): void {
    for (const [key, subs] of openWarnings(at)) this.o.warn(key, subs);
    for (const { job, err } of at.stale) this.o.fail(this.o.restored(job), err);
    for (const k of at.jobs) {
      const job = this.o.restored(k);
      job.seq = k.seq;
      this.o.write(k.data, job, true);
    }
  }
}
