/**
 * Chunks in, frames out. Every "execution event" of the trigger and the bridge
 * lives here, independent of Node-RED and of sockets.
 *
 * Frames are reported through a sink as (buffer, start, end) so that the hot
 * path (many small frames inside one socket read) allocates nothing per frame
 * here; the caller decides whether to copy the bytes or decode them straight
 * from the read buffer. The frames never depend on how the bytes were split
 * into chunks. The two modes that skip bytes (start/end, length field at an
 * offset) are in files of their own.
 */
import { BaseFramer, type FrameSink, type Framer, type Remainder } from "./framing-base";
import { FieldFramer, type FieldOptions } from "./framing-field";
import { StartEndFramer, type StartEndOptions } from "./framing-startend";

export { FrameTooLargeError, type FrameSink, type Framer, type Remainder } from "./framing-base";
export type { LengthCounts } from "./framing-field";

export type LineEnding = "any" | "crlf" | "crlfstrict" | "lf" | "null";

export type FrameMode =
  /** Everything the connection sent, emitted when it closes. */
  | { kind: "close" }
  /** Every `count` bytes. */
  | { kind: "count"; count: number }
  /** Up to and including a byte sequence; `keep` keeps the sequence in the frame. */
  | { kind: "delimiter"; delimiter: Buffer; keep: boolean }
  /** Everything since the last frame, emitted when the caller's idle timer calls flush(). */
  | { kind: "idle" }
  /** Each chunk as it arrived. */
  | { kind: "chunk" }
  /** Q-SYS ReadLine end-of-line styles; the line ending is never part of the frame. */
  | { kind: "line"; eol: LineEnding }
  /** A 1, 2 or 4 byte unsigned length header, then that many bytes. */
  | { kind: "length"; headerBytes: 1 | 2 | 4; littleEndian: boolean; keepHeader: boolean }
  /** Between start and end byte sequences ("STX/ETX"); bytes outside frames are skipped (framing-startend.ts). */
  | ({ kind: "startend" } & StartEndOptions)
  /** A length field at an offset (Modbus/TCP MBAP, IEC 104 APCI); the header stays in the frame (framing-field.ts). */
  | ({ kind: "field" } & FieldOptions);

const CR = 0x0d;
const LF = 0x0a;

const EOL_DELIMITERS: Record<Exclude<LineEnding, "any">, Buffer> = {
  crlf: Buffer.from("\n"),
  crlfstrict: Buffer.from("\r\n"),
  lf: Buffer.from("\n"),
  null: Buffer.from([0]),
};

export function createFramer(mode: FrameMode, maxFrame: number): Framer {
  if (!(maxFrame > 0)) throw new RangeError("maximum frame size must be a positive number");
  switch (mode.kind) {
    case "close":
    case "idle":
      return new AccumulateFramer(maxFrame);
    case "chunk":
      return new ChunkFramer(maxFrame);
    case "count":
      if (!Number.isInteger(mode.count) || mode.count < 1) throw new RangeError("byte count must be a whole number of 1 or more");
      if (mode.count > maxFrame) throw new RangeError("byte count is larger than the maximum frame size");
      return new CountFramer(mode.count, maxFrame);
    case "delimiter":
      if (mode.delimiter.length === 0) throw new RangeError("the character sequence is empty");
      return new DelimiterFramer(mode.delimiter, mode.keep, false, maxFrame);
    case "line":
      if (mode.eol === "any") return new AnyEolFramer(maxFrame);
      if (!(mode.eol in EOL_DELIMITERS)) throw new RangeError(`unknown line ending ${mode.eol}`);
      return new DelimiterFramer(EOL_DELIMITERS[mode.eol], false, mode.eol === "crlf", maxFrame);
    case "length":
      if (![1, 2, 4].includes(mode.headerBytes)) throw new RangeError("length header must be 1, 2 or 4 bytes");
      return new LengthFramer(mode.headerBytes, mode.littleEndian, mode.keepHeader, maxFrame);
    case "startend":
      return new StartEndFramer(mode, maxFrame);
    case "field":
      return new FieldFramer(mode, maxFrame);
    default:
      throw new RangeError(`unknown execution event ${String((mode as { kind: unknown }).kind)}`);
  }
}

class AccumulateFramer extends BaseFramer {
  push(chunk: Buffer): void {
    this.pending.add(chunk);
    this.checkPending();
  }
}

class ChunkFramer extends BaseFramer {
  push<C>(chunk: Buffer, sink: FrameSink<C>, ctx: C): void {
    if (chunk.length > this.maxFrame) this.tooLarge(chunk.length);
    this.frameEnd = chunk.length;
    if (chunk.length > 0) sink(chunk, 0, chunk.length, ctx);
  }
}

class CountFramer extends BaseFramer {
  constructor(
    private readonly count: number,
    maxFrame: number,
  ) {
    super(maxFrame);
  }

  push<C>(chunk: Buffer, sink: FrameSink<C>, ctx: C): void {
    const count = this.count;
    let pos = 0;
    if (this.pending.length > 0) {
      const need = count - this.pending.length;
      if (chunk.length < need) {
        this.pending.add(chunk);
        return;
      }
      const whole = this.pending.drain(chunk, 0, need);
      this.frameEnd = need;
      sink(whole, 0, count, ctx);
      pos = need;
    }
    while (chunk.length - pos >= count) {
      this.frameEnd = pos + count;
      sink(chunk, pos, pos + count, ctx);
      pos += count;
    }
    this.pending.addCopy(chunk, pos);
  }
}

class DelimiterFramer extends BaseFramer {
  constructor(
    private readonly delimiter: Buffer,
    private readonly keep: boolean,
    /** CrLf line style: a CR right before the LF is part of the line ending. */
    private readonly stripCR: boolean,
    maxFrame: number,
  ) {
    super(maxFrame);
  }

  push<C>(chunk: Buffer, sink: FrameSink<C>, ctx: C): void {
    const d = this.delimiter;
    const dl = d.length;
    let pos = 0;
    if (this.pending.length > 0) {
      const end = this.firstEnd(chunk);
      if (end === -1) {
        this.pending.add(chunk);
        this.checkPending();
        return;
      }
      const whole = this.pending.drain(chunk, 0, end);
      this.frameEnd = end;
      this.emit(whole, 0, whole.length, sink, ctx);
      pos = end;
    }
    for (;;) {
      const j = chunk.indexOf(d, pos);
      if (j === -1) break;
      this.frameEnd = j + dl;
      this.emit(chunk, pos, j + dl, sink, ctx);
      pos = j + dl;
    }
    if (pos === 0) this.pending.add(chunk);
    else this.pending.addCopy(chunk, pos);
    this.checkPending();
  }

  /** Where in chunk the first delimiter ends, counting one that started in the pending bytes; -1 if none. */
  private firstEnd(chunk: Buffer): number {
    const d = this.delimiter;
    const dl = d.length;
    if (dl > 1) {
      const t = Math.min(dl - 1, this.pending.length);
      const probe = Buffer.concat([this.pending.tail(t), chunk.subarray(0, dl - 1)]);
      const i = probe.indexOf(d);
      if (i !== -1 && i < t) return i + dl - t;
    }
    const j = chunk.indexOf(d);
    return j === -1 ? -1 : j + dl;
  }

  /** buf[start..endWithDelimiter) is one frame followed by its delimiter. */
  private emit<C>(buf: Buffer, start: number, endWithDelimiter: number, sink: FrameSink<C>, ctx: C): void {
    let end = this.keep ? endWithDelimiter : endWithDelimiter - this.delimiter.length;
    if (this.stripCR && end > start && buf[end - 1] === CR) end -= 1;
    if (end - start > this.maxFrame) this.tooLarge(end - start);
    sink(buf, start, end, ctx);
  }
}

/**
 * Q-SYS "Any": a line ends at the first CR or LF, and the whole run of CR/LF
 * bytes that follows is one line ending, so empty lines are never emitted.
 */
class AnyEolFramer extends BaseFramer {
  /** Inside a run of CR/LF bytes: skip them before the next line starts (also at the start of a connection). */
  private skipping = true;

  push<C>(chunk: Buffer, sink: FrameSink<C>, ctx: C): void {
    const len = chunk.length;
    let pos = 0;
    if (this.skipping) {
      pos = skipEol(chunk, 0);
      if (pos === len) return;
      this.skipping = false;
    }
    let nextLF = -2;
    let nextCR = -2;
    for (;;) {
      if (nextLF !== -1 && nextLF < pos) nextLF = chunk.indexOf(LF, pos);
      if (nextCR !== -1 && nextCR < pos) nextCR = chunk.indexOf(CR, pos);
      const e = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR);
      if (e === -1) break;
      // Just past its first line-ending byte: the rest of the run may come in the next read (skipped then).
      this.frameEnd = e + 1;
      if (this.pending.length > 0) {
        const whole = this.pending.drain(chunk, pos, e);
        if (whole.length > this.maxFrame) this.tooLarge(whole.length);
        sink(whole, 0, whole.length, ctx);
      } else {
        if (e - pos > this.maxFrame) this.tooLarge(e - pos);
        sink(chunk, pos, e, ctx);
      }
      pos = skipEol(chunk, e);
      if (pos === len) {
        this.skipping = true;
        return;
      }
    }
    if (pos === 0) this.pending.add(chunk);
    else this.pending.addCopy(chunk, pos);
    this.checkPending();
  }
}

function skipEol(buf: Buffer, from: number): number {
  let i = from;
  while (i < buf.length && (buf[i] === CR || buf[i] === LF)) i++;
  return i;
}

class LengthFramer extends BaseFramer {
  /** Total bytes (header included) of the frame the pending bytes belong to; -1 until its header is complete. */
  private need = -1;
  /** How many bytes of the buffer being scanned came before the chunk being pushed (frameEnd is in the chunk). */
  private shift = 0;

  constructor(
    private readonly headerBytes: 1 | 2 | 4,
    private readonly littleEndian: boolean,
    private readonly keepHeader: boolean,
    maxFrame: number,
  ) {
    super(maxFrame);
  }

  push<C>(chunk: Buffer, sink: FrameSink<C>, ctx: C): void {
    let buf = chunk;
    if (this.pending.length > 0) {
      this.pending.add(chunk);
      if (this.need === -1) {
        if (this.pending.length < this.headerBytes) return;
        this.need = this.headerBytes + this.bodyLength(this.pending.peek(this.headerBytes), 0);
      }
      if (this.pending.length < this.need) return;
      buf = this.pending.drain();
    }
    this.need = -1;
    this.shift = buf.length - chunk.length;
    const pos = this.scan(buf, sink, ctx);
    if (pos === buf.length) return;
    this.keepFrom(buf, pos);
    if (this.pending.length >= this.headerBytes) {
      this.need = this.headerBytes + this.bodyLength(this.pending.peek(this.headerBytes), 0);
    }
  }

  override flush(): Remainder | undefined {
    const expected = this.need === -1 ? undefined : this.need - this.headerBytes;
    this.need = -1;
    if (this.pending.length === 0) return undefined;
    return { frame: this.pending.drain(), complete: false, expected };
  }

  /** Emits every whole frame in buf; returns where the first incomplete one starts. */
  private scan<C>(buf: Buffer, sink: FrameSink<C>, ctx: C): number {
    const hb = this.headerBytes;
    let pos = 0;
    while (buf.length - pos >= hb) {
      const body = this.bodyLength(buf, pos);
      const end = pos + hb + body;
      if (end > buf.length) break;
      this.frameEnd = end - this.shift;
      sink(buf, this.keepHeader ? pos : pos + hb, end, ctx);
      pos = end;
    }
    return pos;
  }

  /** Reads a header; a length over the limit is refused before its bytes arrive. */
  private bodyLength(buf: Buffer, at: number): number {
    let n: number;
    if (this.headerBytes === 1) n = buf[at];
    else if (this.headerBytes === 2) n = this.littleEndian ? buf.readUInt16LE(at) : buf.readUInt16BE(at);
    else n = this.littleEndian ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
    if (n > this.maxFrame) this.tooLarge(n);
    return n;
  }
}
