/**
 * The ordered job queue of one sending node: one lane per destination
 * ("host:port"), each running at most `concurrency` jobs at once (1 by
 * default: jobs start, and with 1 also finish, in arrival order) and holding
 * at most `maxQueue` waiting jobs. Lanes run in parallel. Each job runs
 * (job.ts) over a connection of its own, so bytes of two jobs never mix.
 *
 * Every submitted job ends exactly once, in `finished` or `failed`: also when
 * the node stops, where drain() lets the work go on for a bound and then
 * fails whatever is left with ESTOPPED.
 */
import { destinationLabel, type Destination } from "./destination";
import { CodedError, type CatalogEntry } from "../base/coded-error";
import { JobError, runJob, type JobOptions, type JobResult } from "./job";
import { connectSocket, type Connector } from "../base/dial";

/** The lane of a destination is full (or the queue is stopping); nothing was queued. */
export class QueueError extends CodedError {
  declare readonly code: "EQUEUEFULL" | "ESTOPPED";
  constructor(
    code: "EQUEUEFULL" | "ESTOPPED",
    readonly destination: string,
    readonly limit: number,
  ) {
    super(code, code === "EQUEUEFULL" ? `${limit} jobs already wait for ${destination}` : `not accepting jobs: stopping`);
    this.name = "QueueError";
  }

  override catalog(): CatalogEntry {
    return { key: this.code === "EQUEUEFULL" ? "queue-full" : "stopped", subs: { where: this.destination, limit: this.limit, sent: 0 } };
  }
}

export interface DeliveryHandlers<T> {
  /** The job's connection closed normally. */
  finished(ctx: T, result: JobResult): void;
  failed(ctx: T, err: JobError): void;
  /** Something moved: a job queued, started or ended (for status display). */
  changed?(): void;
  /** finished/failed/changed threw; the queue went on. */
  handlerError?(err: unknown): void;
}

export interface DeliveryOptions<T> {
  /** Jobs running at once per destination, at least 1. */
  concurrency: number;
  /** Jobs waiting per destination (not counting running ones), at least 1. */
  maxQueue: number;
  handlers: DeliveryHandlers<T>;
  /** Opens each job's socket (lib/base/dial); tests pass their own. */
  connector?: Connector;
}

interface Job<T> {
  dest: Destination;
  data: Buffer;
  opts: JobOptions;
  ctx: T;
}

interface Running<T> {
  job: Job<T>;
  abort: AbortController;
}

/** A first-in first-out list with O(1) take. */
class Fifo<V> {
  private items: V[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(v: V): void {
    this.items.push(v);
  }

  shift(): V | undefined {
    if (this.head >= this.items.length) return undefined;
    const v = this.items[this.head];
    this.items[this.head] = undefined as unknown as V;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }
}

interface Lane<T> {
  key: string;
  waiting: Fifo<Job<T>>;
  running: Set<Running<T>>;
}

export class Delivery<T> {
  private readonly lanes = new Map<string, Lane<T>>();
  private readonly connector: Connector;
  private queuedCount = 0;
  private runningCount = 0;
  private stopping = false;
  private aborting = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: DeliveryOptions<T>) {
    this.connector = o.connector ?? connectSocket;
  }

  /** Jobs waiting to start, over all destinations. */
  get queued(): number {
    return this.queuedCount;
  }

  /** Jobs with a connection being made or open. */
  get running(): number {
    return this.runningCount;
  }

  /** Queues a job; throws QueueError when its destination's lane is full (unless pastLimit) or the queue stops. */
  submit(dest: Destination, data: Buffer, opts: JobOptions, ctx: T, pastLimit = false): void {
    const key = destinationLabel(dest);
    if (this.stopping) throw new QueueError("ESTOPPED", key, this.o.maxQueue);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { key, waiting: new Fifo(), running: new Set() };
      this.lanes.set(key, lane);
    }
    if (!pastLimit && lane.running.size >= this.o.concurrency && lane.waiting.length >= this.o.maxQueue) {
      throw new QueueError("EQUEUEFULL", key, this.o.maxQueue);
    }
    lane.waiting.push({ dest, data, opts, ctx });
    this.queuedCount++;
    this.pump(lane);
    this.end(() => this.o.handlers.changed?.());
  }

  /**
   * Takes no new jobs; lets queued and running ones go on for up to boundMs,
   * then fails the rest with ESTOPPED. Resolves once every job has ended.
   */
  drain(boundMs: number): Promise<void> {
    this.stopping = true;
    const timer = setTimeout(() => this.abortAll(), boundMs);
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      if (this.queuedCount + this.runningCount === 0) done();
      else this.idleWaiters.push(done);
    });
  }

  /** Fails what is left, in arrival order per destination: running jobs first (aborted), then the waiting ones. */
  private abortAll(): void {
    this.aborting = true;
    for (const lane of [...this.lanes.values()]) {
      if (lane.running.size > 0) {
        for (const r of lane.running) r.abort.abort();
      } else {
        this.pump(lane);
      }
    }
    this.checkIdle();
  }

  /** Starts waiting jobs while there is room; once aborting, fails them in order instead. */
  private pump(lane: Lane<T>): void {
    if (this.aborting) {
      if (lane.running.size > 0) return;
      for (let job = lane.waiting.shift(); job; job = lane.waiting.shift()) {
        this.queuedCount--;
        const ctx = job.ctx;
        this.end(() => this.o.handlers.failed(ctx, new JobError("ESTOPPED", "stopped", 0, 0, 0)));
      }
      this.lanes.delete(lane.key);
      return;
    }
    while (lane.running.size < this.o.concurrency && lane.waiting.length > 0) {
      const job = lane.waiting.shift() as Job<T>;
      this.queuedCount--;
      this.start(lane, job);
    }
  }

  private start(lane: Lane<T>, job: Job<T>): void {
    const r: Running<T> = { job, abort: new AbortController() };
    lane.running.add(r);
    this.runningCount++;
    runJob(job.dest, job.data, job.opts, r.abort.signal, this.connector).then(
      (result) => this.settle(lane, r, () => this.o.handlers.finished(job.ctx, result)),
      (err: unknown) => {
        const e = err instanceof JobError ? err : new JobError("EIO", "send", 0, 0, 0, err as Error);
        this.settle(lane, r, () => this.o.handlers.failed(job.ctx, e));
      },
    );
  }

  private settle(lane: Lane<T>, r: Running<T>, report: () => void): void {
    lane.running.delete(r);
    this.runningCount--;
    this.end(report);
    this.pump(lane);
    if (lane.running.size === 0 && lane.waiting.length === 0) this.lanes.delete(lane.key);
    this.end(() => this.o.handlers.changed?.());
    this.checkIdle();
  }

  /** Runs a handler so that one that throws cannot stall the queue. */
  private end(report: () => void): void {
    try {
      report();
    } catch (err) {
      this.o.handlers.handlerError?.(err);
    }
  }

  private checkIdle(): void {
    if (this.queuedCount + this.runningCount !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
