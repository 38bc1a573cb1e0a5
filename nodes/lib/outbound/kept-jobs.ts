/**
 * The send node's jobs on disk (lib/journal): what a kept job stores beside
 * its bytes (its id, destination and message), the jobs found at start
 * (those past the age bound apart), and a journal that could not be opened,
 * which fails every new job with EPERSIST while the node goes on.
 */
import { join } from "node:path";
import { CodedError, type CatalogEntry } from "../base/coded-error";
import { Journal, nodeFs, PersistError, type JournalFs, type OpenReport } from "../journal";
import type { Destination } from "./destination";
import { msgToJson, parseWithBuffers } from "./kept-msg";
import type { Msg } from "./node-io";
import type { PersistConfig } from "./send-config";

/** A job kept from before the start; seq is its journal number. */
export interface KeptSendJob {
  seq: number;
  jobId: string;
  dest: Destination;
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

/** What opening found: jobs to send, jobs too old (already ended), and what was dropped. */
export interface KeptAtStart {
  jobs: KeptSendJob[];
  stale: Array<{ job: KeptSendJob; err: StaleError }>;
  droppedBytes: number;
  changed: number;
}

export interface KeeperOptions extends PersistConfig {
  /** The journal file, e.g. <userDir>/tcp-automation/journal/<node id>.log (journalFile). */
  file: string;
  /** What the jobs are made for (destination and encoding settings); another one drops the journal. */
  fingerprint: string;
  fs?: JournalFs;
  now?: () => number;
}

/** Where a node's journal lives under Node-RED's user directory. */
export function journalFile(userDir: string, nodeId: string): string {
  return join(userDir, "tcp-automation", "journal", `${nodeId.replace(/[^A-Za-z0-9_.-]/g, "_")}.log`);
}

type Kept = (err: Error | null, seq?: number) => void;

/** What a kept job stores beside its bytes: its id, destination and message (kept-msg), as JSON text. */
export function keptMeta(jobId: string, dest: Destination, msg: Msg): Buffer {
  const text = `{"jobId":${JSON.stringify(jobId)},"host":${JSON.stringify(dest.host)},"port":${dest.port},"msg":${msgToJson(msg)}}`;
  return Buffer.from(text, "utf8");
}

export class Keeper {
  private journal: Journal | undefined;
  private broken: Error | undefined;
  private opening: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly o: KeeperOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Opens the journal; a journal that cannot be opened rejects, and every job after fails with EPERSIST. */
  open(): Promise<KeptAtStart> {
    const p = this.openJournal();
    // A close that comes while it opens (a quick redeploy) waits for it, so the file is closed or deleted all the same.
    this.opening = p.catch(() => undefined);
    return p;
  }

  private async openJournal(): Promise<KeptAtStart> {
    let report: OpenReport;
    try {
      const r = await Journal.open({ ...this.o, fs: this.o.fs ?? nodeFs });
      this.journal = r.journal;
      report = r.report;
    } catch (err) {
      this.broken = err as Error;
      throw new PersistError("io", 0, err as Error);
    }
    const out: KeptAtStart = { jobs: [], stale: [], droppedBytes: report.droppedBytes, changed: report.changed };
    const now = this.now();
    for (const k of report.jobs) {
      let meta: { jobId: string; host: string; port: number; msg: Msg };
      try {
        meta = parseWithBuffers(k.meta.toString("utf8")) as typeof meta;
      } catch {
        this.journal.end(k.seq); // passed its checksum yet unreadable: written by something else
        continue;
      }
      const job: KeptSendJob = {
        seq: k.seq,
        jobId: meta.jobId,
        dest: { host: meta.host, port: meta.port },
        data: k.data,
        msg: meta.msg,
        created: k.created,
      };
      const ageMs = now - k.created;
      if (this.o.maxAgeMs > 0 && ageMs > this.o.maxAgeMs) {
        this.journal.end(k.seq);
        out.stale.push({ job, err: new StaleError(Math.round(ageMs / 1000), Math.round(this.o.maxAgeMs / 1000)) });
      } else out.jobs.push(job);
    }
    return out;
  }

  /** Keeps a job; kept is called once it is on disk, with its seq, or with the PersistError that kept it off. */
  keep(jobId: string, dest: Destination, data: Buffer, msg: Msg, kept: Kept): void {
    const journal = this.journal;
    if (!journal) {
      kept(new PersistError(this.broken ? "io" : "closed", 0, this.broken));
      return;
    }
    let seq: number;
    try {
      seq = journal.add(this.now(), keptMeta(jobId, dest, msg), data, (err) => (err ? kept(err) : kept(null, seq)));
    } catch (err) {
      kept(err as Error);
    }
  }

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
