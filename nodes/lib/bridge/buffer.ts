/**
 * The bridge's input bytes not yet written to a peer, bounded, with a chosen
 * policy for input that does not fit:
 *
 * - "error": the input is refused as a whole; nothing of it is kept, so the
 *   caller can report it (with its message) and nothing is lost silently.
 * - "drop-newest": the input is discarded as a whole; the count is returned.
 * - "drop-oldest": the input is kept and the oldest waiting bytes make room
 *   (an input larger than the whole buffer keeps only its last bytes).
 *
 * Bytes are copied in, so a Buffer reused by the flow afterwards cannot
 * change what is sent later.
 */
import type { BufferPolicy } from "./config";

export interface PushResult {
  /** Bytes of this input now waiting. */
  accepted: number;
  /** Bytes discarded by a drop policy (of this input or older ones). */
  dropped: number;
  /** Policy "error" and no room: nothing of this input was taken. */
  full: boolean;
}

export class BoundedBuffer {
  private chunks: Buffer[] = [];
  private _length = 0;

  constructor(
    readonly capacity: number,
    readonly policy: BufferPolicy,
  ) {
    if (!(capacity >= 1)) throw new RangeError("buffer capacity must be at least 1 byte");
  }

  get length(): number {
    return this._length;
  }

  /**
   * Adds data. `reserved` counts bytes held elsewhere against the same capacity
   * (those already handed to the socket but not yet sent).
   */
  push(data: Buffer, reserved = 0): PushResult {
    const limit = Math.max(0, this.capacity - reserved);
    if (this._length + data.length <= limit) {
      this.add(data);
      return { accepted: data.length, dropped: 0, full: false };
    }
    if (this.policy === "error") return { accepted: 0, dropped: 0, full: true };
    if (this.policy === "drop-newest") return { accepted: 0, dropped: data.length, full: false };
    let keep = data;
    let dropped = 0;
    if (keep.length > limit) {
      dropped += keep.length - limit;
      keep = keep.subarray(keep.length - limit);
    }
    dropped += this.dropOldest(this._length + keep.length - limit);
    this.add(keep);
    return { accepted: keep.length, dropped, full: false };
  }

  /** Everything waiting, as one buffer; the buffer is emptied. */
  drain(): Buffer {
    const out = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this._length);
    this.chunks = [];
    this._length = 0;
    return out;
  }

  private add(data: Buffer): void {
    if (data.length === 0) return;
    this.chunks.push(Buffer.from(data));
    this._length += data.length;
  }

  /** Discards up to n bytes from the front; returns how many went. */
  private dropOldest(n: number): number {
    let left = Math.min(Math.max(n, 0), this._length);
    const total = left;
    let i = 0;
    while (left > 0) {
      const c = this.chunks[i];
      if (c.length <= left) {
        left -= c.length;
        i++;
      } else {
        this.chunks[i] = c.subarray(left);
        left = 0;
      }
    }
    this.chunks.splice(0, i);
    this._length -= total;
    return total;
  }
}
