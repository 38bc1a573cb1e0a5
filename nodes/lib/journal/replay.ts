/**
 * What a journal file holds: the jobs that were kept and have not ended, in
 * the order they were kept. Jobs made for another fingerprint (the node's
 * destination or encoding changed) are counted, not kept.
 */
import { parseRecords } from "./record";

export interface KeptJob {
  /** The journal's number for the job, rising in the order jobs were kept. */
  seq: number;
  /** When it was kept, ms since 1970. */
  created: number;
  /** What the caller stored beside the bytes (the message, the destination). */
  meta: Buffer;
  data: Buffer;
}

export interface Replayed {
  /** Kept jobs in order, each with its record's bytes. */
  live: Map<number, { job: KeptJob; bytes: Buffer }>;
  /** The highest seq seen, ended jobs included. */
  lastSeq: number;
  /** Bytes of a torn or damaged tail, dropped. */
  droppedBytes: number;
  /** Jobs dropped because they were kept for another fingerprint. */
  changed: number;
}

export function replay(file: Buffer, fingerprint: string): Replayed {
  const { records, droppedBytes } = parseRecords(file);
  const live: Replayed["live"] = new Map();
  let lastSeq = 0;
  let theirs: string | undefined;
  for (const { record, bytes } of records) {
    if (record.type === "H") theirs = record.fingerprint;
    else if (record.type === "J") {
      live.set(record.seq, { job: { seq: record.seq, created: record.created, meta: record.meta, data: record.data }, bytes });
      lastSeq = Math.max(lastSeq, record.seq);
    } else {
      live.delete(record.seq);
      lastSeq = Math.max(lastSeq, record.seq);
    }
  }
  if (live.size > 0 && theirs !== fingerprint) {
    const changed = live.size;
    return { live: new Map(), lastSeq, droppedBytes, changed };
  }
  return { live, lastSeq, droppedBytes, changed: 0 };
}

/** Jobs kept and not ended in a journal file, whatever it was made for. */
export function countKept(file: Buffer): number {
  const kept = new Set<number>();
  for (const { record } of parseRecords(file).records) {
    if (record.type === "J") kept.add(record.seq);
    else if (record.type === "E") kept.delete(record.seq);
  }
  return kept.size;
}
