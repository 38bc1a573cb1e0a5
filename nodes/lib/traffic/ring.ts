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

/** Where a kept chunk's bytes lie: stream offset and length; the bytes are in the ring's one buffer. */
interface Slot {
  t: number;
  seq: number;
  off: number;
  len: number;
}

/**
 * The bytes live in one buffer per direction, made at the first byte and written round (position = stream
 * offset modulo its size): a chunk costs a copy of its bytes and a small record, never an allocation of its
 * own, so a connection streaming at full speed gives the garbage collector nothing to do. The kept chunks
 * always cover one unbroken tail of the stream, no longer than the buffer, so new bytes only ever overwrite
 * bytes no longer kept. list() copies the bytes out (the view reads it about once a second).
 */
export class Ring {
  private slots: Slot[] = [];
  private head = 0;
  private buf: Buffer | undefined;
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
    const from = off + (n - keep);
    this.write(from, keep === n ? bytes : bytes.subarray(n - keep));
    this.slots.push({ t, seq, off: from, len: keep });
    this.cost += keep + CHUNK_COST;
    while (this.cost > this.limit) this.dropOldest();
  }

  /** Copies bytes into the buffer at the stream offset `at`, wrapping round its end. */
  private write(at: number, bytes: Uint8Array): void {
    const buf = (this.buf ??= Buffer.allocUnsafeSlow(this.limit));
    const pos = at % buf.length;
    const first = Math.min(bytes.length, buf.length - pos);
    buf.set(first === bytes.length ? bytes : bytes.subarray(0, first), pos);
    if (first < bytes.length) buf.set(bytes.subarray(first), 0);
  }

  private dropOldest(): void {
    const c = this.slots[this.head];
    this.slots[this.head++] = undefined as unknown as Slot;
    this.cost -= c.len + CHUNK_COST;
    if (this.head > 32 && this.head * 2 > this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
  }

  /** Where the oldest kept byte lies in the stream (total when nothing is kept). */
  get start(): number {
    return this.head < this.slots.length ? this.slots[this.head].off : this.total;
  }

  /** The kept chunks, oldest first, each with a copy of its bytes. */
  list(): KeptChunk[] {
    const out: KeptChunk[] = [];
    const buf = this.buf;
    if (!buf) return out;
    for (let i = this.head; i < this.slots.length; i++) {
      const { t, seq, off, len } = this.slots[i];
      const data = Buffer.alloc(len);
      const pos = off % buf.length;
      const first = Math.min(len, buf.length - pos);
      buf.copy(data, 0, pos, pos + first);
      if (first < len) buf.copy(data, first, 0, len - first);
      out.push({ t, seq, off, data });
    }
    return out;
  }
}
