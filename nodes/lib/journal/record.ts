/**
 * The journal's records on disk, each checked on its own:
 *
 *   u32 LE  body length
 *   u32 LE  CRC-32 of the type byte and the body
 *   u8      type: H header, J job, E end of a job
 *   body
 *
 * H  the fingerprint of what the jobs were made for (JSON text)
 * J  f64 seq, f64 created (ms since 1970), u32 meta length, meta, data bytes
 * E  f64 seq
 *
 * Reading stops at the first record that is cut short or fails its check:
 * a power cut tears at most the tail, and what follows a torn record cannot
 * be trusted to start where the torn one says it ends.
 */
import { crc32 } from "./crc32";

export const HEAD = 9;
/** Larger than any record this package writes: a length beyond it is damage, not a record. */
export const MAX_BODY = 1 << 30;

export type Record =
  { type: "H"; fingerprint: string } | { type: "J"; seq: number; created: number; meta: Buffer; data: Buffer } | { type: "E"; seq: number };

function frame(type: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEAD + body.length);
  out.writeUInt32LE(body.length, 0);
  out.write(type, 8, "latin1");
  body.copy(out, HEAD);
  out.writeUInt32LE(crc32(out, 8, out.length), 4);
  return out;
}

export function encodeHeader(fingerprint: string): Buffer {
  return frame("H", Buffer.from(fingerprint, "utf8"));
}

export function encodeJob(seq: number, created: number, meta: Buffer, data: Buffer): Buffer {
  const body = Buffer.allocUnsafe(20 + meta.length + data.length);
  body.writeDoubleLE(seq, 0);
  body.writeDoubleLE(created, 8);
  body.writeUInt32LE(meta.length, 16);
  meta.copy(body, 20);
  data.copy(body, 20 + meta.length);
  return frame("J", body);
}

export function encodeEnd(seq: number): Buffer {
  const body = Buffer.allocUnsafe(8);
  body.writeDoubleLE(seq, 0);
  return frame("E", body);
}

function decodeBody(type: string, body: Buffer): Record | undefined {
  if (type === "H") return { type, fingerprint: body.toString("utf8") };
  if (type === "E" && body.length === 8) return { type, seq: body.readDoubleLE(0) };
  if (type !== "J" || body.length < 20) return undefined;
  const metaLen = body.readUInt32LE(16);
  if (20 + metaLen > body.length) return undefined;
  return {
    type,
    seq: body.readDoubleLE(0),
    created: body.readDoubleLE(8),
    meta: Buffer.from(body.subarray(20, 20 + metaLen)),
    data: Buffer.from(body.subarray(20 + metaLen)),
  };
}

export interface Parsed {
  /** Each good record with the bytes it was read from. */
  records: Array<{ record: Record; bytes: Buffer }>;
  /** Bytes after the last good record: a torn or damaged tail. */
  droppedBytes: number;
}

/** The good records of a journal file, up to the first damaged one. */
export function parseRecords(file: Buffer): Parsed {
  const records: Parsed["records"] = [];
  let at = 0;
  while (at + HEAD <= file.length) {
    const len = file.readUInt32LE(at);
    if (len > MAX_BODY || at + HEAD + len > file.length) break;
    const end = at + HEAD + len;
    if (crc32(file, at + 8, end) !== file.readUInt32LE(at + 4)) break;
    const record = decodeBody(file.toString("latin1", at + 8, at + 9), file.subarray(at + HEAD, end));
    if (!record) break;
    records.push({ record, bytes: file.subarray(at, end) });
    at = end;
  }
  return { records, droppedBytes: file.length - at };
}
