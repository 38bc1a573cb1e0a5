/**
 * Bytes waiting for the rest of their frame, kept as the chunks they arrived in.
 *
 * Concatenating on every arrival would copy a large frame once per chunk
 * (quadratic); the list copies once, when the frame is complete.
 */
/** Shared by every empty list, never written to: most connections wait with nothing pending. */
const EMPTY: Buffer[] = [];

export class ChunkList {
  private chunks: Buffer[] = EMPTY;
  length = 0;

  add(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.chunks === EMPTY) this.chunks = [];
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Keeps a private copy, so a few leftover bytes never pin a whole socket read buffer. */
  addCopy(chunk: Buffer, start: number): void {
    if (start >= chunk.length) return;
    this.add(Buffer.from(chunk.subarray(start)));
  }

  /** All pending bytes followed by extra[start..end), as one buffer; the list is emptied. */
  drain(extra?: Buffer, start = 0, end = 0): Buffer {
    if (extra && end > start) this.add(extra.subarray(start, end));
    const out = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
    this.clear();
    return out;
  }

  /** The first n bytes (n <= length), without consuming them. */
  peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0].subarray(0, n);
    return Buffer.concat(this.chunks, this.length).subarray(0, n);
  }

  /** The last n bytes (n <= length), without consuming them. */
  tail(n: number): Buffer {
    const last = this.chunks[this.chunks.length - 1];
    if (last.length >= n) return last.subarray(last.length - n);
    return Buffer.concat(this.chunks, this.length).subarray(this.length - n);
  }

  clear(): void {
    this.chunks = EMPTY;
    this.length = 0;
  }
}
