/**
 * An append-only journal of queued jobs for one node: a job is added when it
 * is queued and ended when it is done; what is added and not ended is there
 * again after a restart, a crash or a power cut.
 *
 * Durability: add() calls back once the job's record is on the disk
 * (written and fdatasync'd). Records made within syncDelayMs of each other
 * share one write and one sync; 0 syncs as soon as the current moment's
 * records are in (still one sync for all made in the same tick). An end is
 * written in the same batches but nobody waits for it: losing it in a power
 * cut sends that job again (at-least-once), never loses one.
 *
 * Bounds: at most maxJobs kept jobs and maxBytes of their records; beyond,
 * add() throws PersistError. A write that fails (disk full, read-only) fails
 * the jobs of its batch with EPERSIST, cuts the file back to its last good
 * byte and goes on with the next batch.
 *
 * Compaction: when the records of ended jobs outweigh the kept ones (and the
 * file is past compactMinBytes) the file is rewritten with the kept jobs only
 * (rewrite.ts: temp file, sync, rename). Opening rewrites it too, so a
 * damaged tail never sits before new records.
 */
import { dirname } from "node:path";
import type { JournalFs } from "./fs";
import { PersistError } from "./errors";
import { encodeEnd, encodeHeader, encodeJob } from "./record";
import { countKept, replay, type KeptJob } from "./replay";
import { rewrite, tempOf, writeAll } from "./rewrite";

export interface JournalOptions {
  fs: JournalFs;
  /** The journal file; its directory is made when missing. */
  file: string;
  /** What the jobs are made for; a journal of another fingerprint is dropped at open. */
  fingerprint: string;
  maxJobs: number;
  maxBytes: number;
  /** Longest wait from a record to the start of its sync; 0 = at once. */
  syncDelayMs: number;
  /** No compaction below this file size. */
  compactMinBytes?: number;
}

export interface OpenReport {
  /** The kept jobs, in the order they were added. */
  jobs: KeptJob[];
  /** Bytes of a torn or damaged tail that were dropped. */
  droppedBytes: number;
  /** Jobs dropped because the fingerprint changed. */
  changed: number;
}

type Added = (err: Error | null) => void;

interface Pending {
  bytes: Buffer;
  /** Set for a job: its seq and who waits for it to be on disk. */
  seq?: number;
  added?: Added;
}

const COMPACT_MIN = 64 * 1024;

export class Journal {
  private readonly live = new Map<number, Buffer>();
  private liveBytes = 0;
  private seq: number;
  private size: number;
  private fd: number;
  private pending: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing = false;
  /** The last write failed and the file may hold part of it: cut it back before the next. */
  private torn = false;
  /** A compaction failed at this size: try again when the file has grown past twice it. */
  private compactFailedAt = 0;
  private closed = false;
  private idle: Array<() => void> = [];
  private readonly header: Buffer;

  private constructor(
    private readonly o: JournalOptions,
    fd: number,
    size: number,
    lastSeq: number,
    jobs: Array<{ job: KeptJob; bytes: Buffer }>,
  ) {
    this.fd = fd;
    this.size = size;
    this.seq = lastSeq;
    this.header = encodeHeader(o.fingerprint);
    for (const { job, bytes } of jobs) {
      this.live.set(job.seq, bytes);
      this.liveBytes += bytes.length;
    }
  }

  /** Reads the journal (a missing one is empty), drops a damaged tail and jobs of another fingerprint, and opens it for adding. */
  static async open(o: JournalOptions): Promise<{ journal: Journal; report: OpenReport }> {
    const { fs, file } = o;
    await fs.mkdir(dirname(file));
    await fs.unlink(tempOf(file));
    const content = (await fs.readFile(file)) ?? Buffer.alloc(0);
    const r = replay(content, o.fingerprint);
    const kept = [...r.live.values()];
    const size = await rewrite(fs, file, [encodeHeader(o.fingerprint), ...kept.map((k) => k.bytes)]);
    const fd = await fs.open(file, "a");
    const journal = new Journal(o, fd, size, r.lastSeq, kept);
    return { journal, report: { jobs: kept.map((k) => k.job), droppedBytes: r.droppedBytes, changed: r.changed } };
  }

  /** Deletes a journal that is no longer wanted (the option was turned off); the number of kept jobs it held. */
  static async discard(fs: JournalFs, file: string): Promise<number> {
    const content = await fs.readFile(file);
    if (!content) return 0;
    await fs.unlink(file);
    await fs.unlink(tempOf(file));
    return countKept(content);
  }

  /** Jobs added and not ended. */
  get jobs(): number {
    return this.live.size;
  }

  /** Bytes of their records. */
  get bytes(): number {
    return this.liveBytes;
  }

  /**
   * Keeps a job; added is called once it is on disk, or with the PersistError
   * that kept it off. Throws PersistError when a bound would be passed or the journal is closed.
   */
  add(created: number, meta: Buffer, data: Buffer, added: Added): number {
    const { o } = this;
    if (this.closed) throw new PersistError("closed", 0);
    if (this.live.size >= o.maxJobs) throw new PersistError("full-jobs", o.maxJobs);
    const seq = this.seq + 1;
    const bytes = encodeJob(seq, created, meta, data);
    if (this.liveBytes + bytes.length > o.maxBytes) throw new PersistError("full-bytes", o.maxBytes);
    this.seq = seq;
    this.live.set(seq, bytes);
    this.liveBytes += bytes.length;
    this.enqueue({ bytes, seq, added });
    return seq;
  }

  /** The job is done (sent, or failed for good): it will not be there after a restart. */
  end(seq: number): void {
    const bytes = this.live.get(seq);
    if (!bytes || this.closed) return;
    this.live.delete(seq);
    this.liveBytes -= bytes.length;
    this.enqueue({ bytes: encodeEnd(seq) });
  }

  /** Writes what is pending, then closes the file; jobs added and not ended stay in it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pending.length > 0 && !this.flushing) this.flushSoon(0);
    if (this.flushing || this.pending.length > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.o.fs.close(this.fd).catch(() => undefined);
  }

  /** Closes and deletes the journal; the number of kept jobs it dropped. */
  async remove(): Promise<number> {
    const dropped = this.live.size;
    await this.close();
    await this.o.fs.unlink(this.o.file);
    await this.o.fs.unlink(tempOf(this.o.file));
    return dropped;
  }

  private enqueue(p: Pending): void {
    this.pending.push(p);
    if (this.pending.length === 1 && !this.flushing) this.flushSoon(this.o.syncDelayMs);
  }

  private flushSoon(ms: number): void {
    if (this.timer) return;
    const run = (): void => {
      this.timer = undefined;
      void this.flush();
    };
    this.timer = ms > 0 ? setTimeout(run, ms) : (setImmediate(run) as unknown as ReturnType<typeof setTimeout>);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    const batch = this.pending;
    this.pending = [];
    const buf = batch.length === 1 ? batch[0].bytes : Buffer.concat(batch.map((p) => p.bytes));
    let failure: Error | undefined;
    try {
      if (this.torn) {
        await this.o.fs.truncate(this.fd, this.size);
        this.torn = false;
      }
      await writeAll(this.o.fs, this.fd, buf);
      await this.o.fs.datasync(this.fd);
      this.size += buf.length;
    } catch (err) {
      failure = err as Error;
      this.torn = true;
      await this.o.fs
        .truncate(this.fd, this.size)
        .then(() => (this.torn = false))
        .catch(() => undefined);
    }
    for (const p of batch) {
      if (p.seq === undefined) continue;
      if (failure) this.forget(p.seq);
      p.added?.(failure ? new PersistError("io", 0, failure) : null);
    }
    if (!failure) await this.compactIfDue();
    this.flushing = false;
    if (this.pending.length > 0) this.flushSoon(0);
    else this.settle();
  }

  /** A job whose record did not reach the disk. */
  private forget(seq: number): void {
    const bytes = this.live.get(seq);
    if (!bytes) return;
    this.live.delete(seq);
    this.liveBytes -= bytes.length;
  }

  private async compactIfDue(): Promise<void> {
    const min = this.o.compactMinBytes ?? COMPACT_MIN;
    const kept = this.header.length + this.liveBytes;
    if (this.size < min || this.size - kept <= kept || (this.compactFailedAt > 0 && this.size < 2 * this.compactFailedAt)) return;
    const { fs, file } = this.o;
    try {
      const size = await rewrite(fs, file, [this.header, ...this.live.values()]);
      const fd = await fs.open(file, "a");
      await fs.close(this.fd).catch(() => undefined);
      this.fd = fd;
      this.size = size;
      this.compactFailedAt = 0;
    } catch {
      // The old file is whole (rewrite.ts): go on appending to it, try again later.
      this.compactFailedAt = this.size;
    }
  }

  private settle(): void {
    if (this.pending.length > 0 || this.flushing) return;
    const waiters = this.idle;
    this.idle = [];
    for (const w of waiters) w();
  }
}
