/**
 * A node's queued jobs on disk, whatever the node (send-to-tcp-port,
 * tcp-client-link): what a kept job stores beside its bytes (its id, the
 * node's own fields such as a destination, and its message), the jobs found
 * at start (those past the age bound apart, ended and failed with ESTALE),
 * what opening dropped (a damaged tail, jobs of another fingerprint), and a
 * journal that could not be opened, which fails every new job with EPERSIST
 * while the node goes on. Where the file lives: journalFile.
 *
 * No Node-RED import: the node gives the file, the fingerprint and the
 * bounds, and turns what comes back into its own jobs and words.
 */
import { join } from "node:path";
import { CodedError, type CatalogEntry } from "../base/coded-error";
import { PersistError } from "./errors";
import { nodeFs, type JournalFs } from "./fs";
import { Journal, type OpenReport } from "./journal";
import { msgToJson, parseWithBuffers, type Msg } from "./kept-msg";

/** The bounds of the option "Keep queued jobs across restarts" (schema/persist.ts), in the runtime's units. */
export interface PersistConfig {
  maxJobs: number;
  maxBytes: number;
  /** A kept job older than this fails with ESTALE at start; 0 = no limit. */
  maxAgeMs: number;
  syncDelayMs: number;
}

/** What a node stores of a job beside its id and message: a few named texts and numbers (e.g. host and port). */
export type KeptFields = Record<string, string | number>;

/** A job kept from before the start; seq is its journal number. */
export interface KeptNodeJob<F extends KeptFields = KeptFields> {
  seq: number;
  jobId: string;
  fields: F;
  data: Buffer;
  msg: Msg;
  created: number;
}

/** A kept job older than the age bound: failed at start instead of sent. */
export class StaleError extends CodedError {
  declare readonly code: "ESTALE";
  constructor(
    readonly ageS: number,
    readonly limitS: number,
  ) {
    super("ESTALE", `kept job is ${ageS} s old (limit ${limitS} s)`);
    this.name = "StaleError";
  }

  override catalog(): CatalogEntry {
    return { key: "stale", subs: { age: this.ageS, limit: this.limitS } };
  }
}

/** What opening found: jobs to run, jobs too old (already ended), and what was dropped. */
export interface KeptAtStart<J> {
  jobs: J[];
  stale: Array<{ job: J; err: StaleError }>;
  /** Bytes of a damaged tail dropped (a power cut during a write). */
  droppedBytes: number;
  /** Jobs dropped because the node's fingerprint changed. */
  changed: number;
}

export interface KeeperOptions extends PersistConfig {
  /** The journal file, e.g. <userDir>/tcp-automation/journal/<node id>.log (journalFile). */
  file: string;
  /** What the jobs are made for (destination, mode, encoding); another one drops the journal. */
  fingerprint: string;
  fs?: JournalFs;
  now?: () => number;
}

/** Where a node's journal lives under Node-RED's user directory. */
export function journalFile(userDir: string, nodeId: string): string {
  return join(userDir, "tcp-automation", "journal", `${nodeId.replace(/[^A-Za-z0-9_.-]/g, "_")}.log`);
}

/** A report of opening, for the node to say: [catalog key under warn., substitutions], none when nothing was dropped. */
export function openWarnings(at: KeptAtStart<unknown>): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  if (at.droppedBytes > 0) out.push(["journal-damaged", { bytes: at.droppedBytes, count: at.jobs.length + at.stale.length }]);
  if (at.changed > 0) out.push(["journal-changed", { count: at.changed }]);
  return out;
}

/**
 * msg.tcp.jobId, the id that stays the same after a restart (so a device or a
 * flow can drop a job sent twice); an object msg.tcp keeps its other keys.
 */
export function setJobId(msg: Msg, jobId: string): void {
  const tcp = msg.tcp;
  if (tcp !== null && typeof tcp === "object" && !Array.isArray(tcp) && Object.isExtensible(tcp)) {
    try {
      (tcp as Record<string, unknown>).jobId = jobId;
      return;
    } catch {
      // a read-only jobId: the message gets a msg.tcp of its own
    }
  }
  msg.tcp = { jobId };
}

/** What a kept job stores beside its bytes, as JSON text: {"jobId":..., the fields in order, "msg":...}. */
export function keptMeta(jobId: string, fields: KeptFields, msg: Msg): Buffer {
  let text = `{"jobId":${JSON.stringify(jobId)}`;
  for (const [k, v] of Object.entries(fields)) text += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
  return Buffer.from(`${text},"msg":${msgToJson(msg)}}`, "utf8");
}

type Kept = (err: Error | null, seq?: number) => void;

export class JobKeeper<F extends KeptFields = KeptFields> {
  private journal: Journal | undefined;
  private broken: Error | undefined;
  private opening: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly o: KeeperOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Opens the journal; a journal that cannot be opened rejects with EPERSIST, and every job after fails with it. */
  open(): Promise<KeptAtStart<KeptNodeJob<F>>> {
    const p = this.openJournal();
    // A close that comes while it opens (a quick redeploy) waits for it, so the file is closed or deleted all the same.
    this.opening = p.catch(() => undefined);
    return p;
  }

  private async openJournal(): Promise<KeptAtStart<KeptNodeJob<F>>> {
    let report: OpenReport;
    let journal: Journal;
    try {
      const r = await Journal.open({ ...this.o, fs: this.o.fs ?? nodeFs });
      journal = this.journal = r.journal;
      report = r.report;
    } catch (err) {
      this.broken = err as Error;
      throw new PersistError("io", 0, err as Error);
    }
    const out: KeptAtStart<KeptNodeJob<F>> = { jobs: [], stale: [], droppedBytes: report.droppedBytes, changed: report.changed };
    const now = this.now();
    for (const k of report.jobs) {
      let meta: { jobId: string; msg: Msg } & Record<string, unknown>;
      try {
        meta = parseWithBuffers(k.meta.toString("utf8")) as typeof meta;
      } catch {
        journal.end(k.seq); // passed its checksum yet unreadable: written by something else
        continue;
      }
      const { jobId, msg, ...fields } = meta;
      const job: KeptNodeJob<F> = { seq: k.seq, jobId, fields: fields as F, data: k.data, msg, created: k.created };
      const ageMs = now - k.created;
      if (this.o.maxAgeMs > 0 && ageMs > this.o.maxAgeMs) {
        journal.end(k.seq);
        out.stale.push({ job, err: new StaleError(Math.round(ageMs / 1000), Math.round(this.o.maxAgeMs / 1000)) });
      } else out.jobs.push(job);
    }
    return out;
  }

  /** Keeps a job; kept is called once it is on disk, with its seq, or with the PersistError that kept it off (maybe at once). */
  keep(jobId: string, fields: F, data: Buffer, msg: Msg, kept: Kept): void {
    const journal = this.journal;
    if (!journal) {
      kept(new PersistError(this.broken ? "io" : "closed", 0, this.broken));
      return;
    }
    let seq: number;
    try {
      seq = journal.add(this.now(), keptMeta(jobId, fields, msg), data, (err) => (err ? kept(err) : kept(null, seq)));
    } catch (err) {
      kept(err as Error);
    }
  }

  /** The job is over for good (done, or failed with a final error): off the disk. */
  end(seq: number): void {
    this.journal?.end(seq);
  }

  /** Closes the journal (kept jobs stay); removed: deletes it and gives the number of kept jobs dropped. */
  async close(removed: boolean): Promise<number> {
    await this.opening;
    const journal = this.journal;
    this.journal = undefined;
    if (!journal) return 0;
    return removed ? journal.remove() : journal.close().then(() => 0);
  }
}
