/**
 * A length field at an offset (Modbus/TCP MBAP, IEC 60870-5-104 APCI and the
 * like): `offset` bytes, then a 1, 2 or 4 byte unsigned length, and the
 * length says how long the frame is. The whole frame, header included, is
 * emitted (a Modbus flow needs the transaction id). Decisions, also in the
 * help:
 *
 * - What the length counts: "payload" the bytes after the field, "frame" the
 *   whole frame, "plus" the bytes after the field plus `adjust` (signed).
 * - A frame whose length says it is shorter than its own header cannot be
 *   real: its first byte is skipped (counted) and the search goes on there.
 * - With `start` bytes (0x68 for IEC 104), every frame must begin with them:
 *   bytes before them are skipped and counted (resynchronise).
 * - A frame longer than the maximum frame size is refused as soon as its
 *   header is read (FrameTooLargeError), as the length-prefix mode does.
 * - A frame cut short by the end of the connection comes back from flush()
 *   as incomplete, `expected` being its whole length (undefined while the
 *   header itself is incomplete).
 */
import { BaseFramer, type FrameSink, type Remainder } from "./framing-base";

export type LengthCounts = "payload" | "frame" | "plus";

export interface FieldOptions {
  /** Bytes before the length field. */
  offset: number;
  fieldBytes: 1 | 2 | 4;
  littleEndian: boolean;
  counts: LengthCounts;
  /** For "plus": added to the bytes after the field (may be negative). */
  adjust: number;
  /** Bytes every frame begins with; empty: any. */
  start: Buffer;
}

export class FieldFramer extends BaseFramer {
  /** offset + field: the bytes needed to know a frame's length. */
  private readonly headerLength: number;
  /** Whole length of the frame the pending bytes begin; -1 until its header is complete. */
  private need = -1;
  /** How many bytes of the buffer being scanned came before the chunk being pushed (frameEnd is in the chunk). */
  private shift = 0;

  constructor(
    private readonly opts: FieldOptions,
    maxFrame: number,
  ) {
    super(maxFrame);
    if (!Number.isInteger(opts.offset) || opts.offset < 0) throw new RangeError("the offset must be a whole number of 0 or more");
    if (![1, 2, 4].includes(opts.fieldBytes)) throw new RangeError("length field must be 1, 2 or 4 bytes");
    if (!Number.isInteger(opts.adjust)) throw new RangeError("the adjustment must be a whole number");
    this.headerLength = Math.max(opts.offset + opts.fieldBytes, opts.start.length);
  }

  push<C>(chunk: Buffer, sink: FrameSink<C>, ctx: C): void {
    let buf = chunk;
    if (this.pending.length > 0) {
      this.pending.add(chunk);
      if (this.pending.length < (this.need === -1 ? this.headerLength : this.need)) return;
      buf = this.pending.drain();
    }
    this.need = -1;
    this.shift = buf.length - chunk.length;
    this.keepFrom(buf, this.scan(buf, sink, ctx));
  }

  override flush(): Remainder | undefined {
    const expected = this.need === -1 ? undefined : this.need;
    this.need = -1;
    if (this.pending.length === 0) return undefined;
    return { frame: this.pending.drain(), complete: false, expected };
  }

  /** Emits every whole frame in buf, skipping what cannot be one; returns where the bytes still waiting begin. */
  private scan<C>(buf: Buffer, sink: FrameSink<C>, ctx: C): number {
    const start = this.opts.start;
    let pos = 0;
    for (;;) {
      if (start.length > 0) {
        const at = findStart(buf, pos, start);
        this.skipped += at - pos;
        pos = at;
      }
      // A partial start at the end is shorter than a header, so a whole header here begins with the start.
      if (buf.length - pos < this.headerLength) return pos;
      const total = this.frameLength(buf, pos);
      if (total < this.headerLength) {
        this.skipped += 1;
        pos += 1;
        continue;
      }
      if (total > this.maxFrame) this.tooLarge(total);
      if (buf.length - pos < total) {
        this.need = total;
        return pos;
      }
      this.frameEnd = pos + total - this.shift;
      sink(buf, pos, pos + total, ctx);
      pos += total;
    }
  }

  /** The whole length the header at `at` announces. */
  private frameLength(buf: Buffer, at: number): number {
    const { offset, fieldBytes, littleEndian, counts, adjust } = this.opts;
    const f = at + offset;
    let n: number;
    if (fieldBytes === 1) n = buf[f];
    else if (fieldBytes === 2) n = littleEndian ? buf.readUInt16LE(f) : buf.readUInt16BE(f);
    else n = littleEndian ? buf.readUInt32LE(f) : buf.readUInt32BE(f);
    if (counts === "frame") return n;
    return offset + fieldBytes + n + (counts === "plus" ? adjust : 0);
  }
}

/**
 * Where the start sequence begins at or after `from`: the first whole match,
 * else the first partial match running to the end of buf (the rest of it may
 * still come), else buf.length.
 */
function findStart(buf: Buffer, from: number, start: Buffer): number {
  const whole = buf.indexOf(start, from);
  if (whole !== -1) return whole;
  for (let i = Math.max(from, buf.length - start.length + 1); i < buf.length; i++) {
    if (buf.compare(start, 0, buf.length - i, i, buf.length) === 0) return i;
  }
  return buf.length;
}
