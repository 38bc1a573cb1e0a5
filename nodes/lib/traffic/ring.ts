/**
 * The last bytes of one direction of one connection, as the chunks they came
 * in, bounded: a chunk costs its bytes plus CHUNK_COST of bookkeeping against
 * the limit, so a peer sending one byte at a time cannot grow the list past
 * it either. The oldest chunks go first; a chunk larger than the limit keeps
 * only its last bytes.
 */

/** What a kept chunk costs beyond its bytes (the object, the array slot, the Buffer header), roughly. */
export const CHUNK_COST = 64;

export interface KeptChunk {
  /** When it was read or written (ms since the epoch). */
  t: number;
  /** Order across both directions of a connection. */
  seq: number;
  /** Where its first byte lies in this direction's stream (bytes since the connection opened). */
  off: number;
  data: Buffer;
}

export class Ring {
  private chunks: KeptChunk[] = [];
  private head = 0;
  /** What the kept chunks cost against the limit. */
  cost = 0;
  /** Bytes this direction carried since the connection opened (kept or not). */
  total = 0;

  constructor(readonly limit: number) {}

  /** Keeps a copy of (the tail of) bytes; never a view, so no socket read buffer is pinned. */
  push(bytes: Uint8Array, t: number, seq: number): void {
    const n = bytes.length;
    const off = this.total;
    this.total += n;
    if (n === 0) return;
    const room = this.limit - CHUNK_COST;
    if (room <= 0) return;
    const keep = Math.min(n, room);
    const data = Buffer.allocUnsafeSlow(keep);
    data.set(keep === n ? bytes : bytes.subarray(n - keep));
    this.chunks.push({ t, seq, off: off + (n - keep), data });
    this.cost += keep + CHUNK_COST;
    while (this.cost > this.limit) this.dropOldest();
  }

  private dropOldest(): void {
    const c = this.chunks[this.head];
    this.chunks[this.head++] = undefined as unknown as KeptChunk;
    this.cost -= c.data.length + CHUNK_COST;
    if (this.head > 32 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** Where the oldest kept byte lies in the stream (total when nothing is kept). */
  get start(): number {
    return this.head < this.chunks.length ? this.chunks[this.head].off : this.total;
  }

  /** The kept chunks, oldest first (a copy of the list, not of the bytes). */
  list(): KeptChunk[] {
    return this.chunks.slice(this.head);
  }
}
