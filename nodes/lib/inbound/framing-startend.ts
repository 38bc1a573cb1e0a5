/**
 * Start and end bytes ("STX/ETX"): a frame is what lies between a start
 * sequence and the next end sequence. Decisions, also in the help:
 *
 * - Bytes outside a frame are skipped and counted (takeSkipped), never framed.
 * - A start sequence inside an open frame restarts the frame there
 *   (resynchronise); the bytes of the frame given up count as skipped.
 * - The end is looked for before the start, so start and end may be the same
 *   byte (one flag byte between frames: "~a~~b~" gives a and b).
 * - With an escape byte, the byte after it is taken literally (never a start
 *   or an end) and the escape byte itself is dropped from the frame. Outside
 *   a frame the escape byte means nothing.
 * - A frame still open when the connection closes is incomplete: flush()
 *   gives nothing and its bytes count as skipped.
 * - The maximum frame size bounds the frame as emitted (with or without the
 *   start and end bytes): as soon as it is certain to be exceeded, the frame
 *   is discarded with FrameTooLargeError.
 *
 * Works byte by byte with a prefix table per sequence, so a sequence cut by a
 * chunk boundary (or one that overlaps itself) is matched exactly as if the
 * bytes had come in one piece; runs of bytes that can neither start nor end
 * anything are skipped or copied whole (indexOf), which gives the same result.
 */
import { FrameTooLargeError, type FrameSink, type Framer, type Remainder } from "./framing-base";

export interface StartEndOptions {
  start: Buffer;
  end: Buffer;
  /** Keep the start and end bytes in the frame. */
  keep: boolean;
  /** A byte that makes the next byte literal; undefined: none. */
  escape: number | undefined;
}

/** The Knuth-Morris-Pratt prefix table of a sequence. */
function prefixTable(seq: Buffer): Int32Array {
  const t = new Int32Array(seq.length);
  let k = 0;
  for (let i = 1; i < seq.length; i++) {
    while (k > 0 && seq[i] !== seq[k]) k = t[k - 1];
    if (seq[i] === seq[k]) k++;
    t[i] = k;
  }
  return t;
}

/** How many bytes of seq match after one more byte, given `matched` before it. */
function step(seq: Buffer, table: Int32Array, matched: number, b: number): number {
  let k = matched === seq.length ? table[matched - 1] : matched;
  while (k > 0 && seq[k] !== b) k = table[k - 1];
  return seq[k] === b ? k + 1 : 0;
}

export class StartEndFramer implements Framer {
  private readonly startTable: Int32Array;
  private readonly endTable: Int32Array;
  private inFrame = false;
  private escaped = false;
  frameEnd = 0;
  /** Bytes of the start (outside a frame, or inside one) and of the end matched so far. */
  private startMatch = 0;
  private endMatch = 0;
  /** The open frame as emitted with keep: start, unescaped content, the end bytes matched so far. */
  private frame: Buffer = Buffer.alloc(0);
  private frameLength = 0;
  /** The open frame's bytes as received (escape bytes included): what is skipped if it is given up. */
  private rawLength = 0;
  private skipped = 0;

  constructor(
    private readonly opts: StartEndOptions,
    private readonly maxFrame: number,
  ) {
    if (opts.start.length === 0 || opts.end.length === 0) throw new RangeError("the start and end sequences must not be empty");
    if (opts.escape !== undefined && !(Number.isInteger(opts.escape) && opts.escape >= 0 && opts.escape <= 255))
      throw new RangeError("the escape must be one byte");
    this.startTable = prefixTable(opts.start);
    this.endTable = prefixTable(opts.end);
  }

  get pendingBytes(): number {
    return this.inFrame ? this.rawLength : this.startMatch;
  }

  takeSkipped(): number {
    const n = this.skipped;
    this.skipped = 0;
    return n;
  }

  /** An open frame is cut short: nothing to emit, its bytes are skipped. */
  flush(): Remainder | undefined {
    this.skipped += this.pendingBytes;
    this.reset();
    return undefined;
  }

  push<C>(chunk: Buffer, sink: FrameSink<C>, ctx: C): void {
    const { start, end, escape } = this.opts;
    const len = chunk.length;
    // Where in this chunk the next start, end or escape byte lies: -2 not looked for yet, -1 none.
    let nextStart = -2;
    let nextEnd = -2;
    let nextEscape = escape === undefined ? -1 : -2;
    let i = 0;
    while (i < len) {
      // Fast paths (no partial match under way): skip or copy whole runs of bytes that cannot start or end anything.
      if (!this.inFrame && this.startMatch === 0) {
        if (nextStart !== -1 && nextStart < i) nextStart = chunk.indexOf(start[0], i);
        if (nextStart === -1) {
          this.skipped += len - i;
          return;
        }
        this.skipped += nextStart - i;
        i = nextStart;
      } else if (this.inFrame && !this.escaped && this.startMatch === 0 && this.endMatch === 0) {
        if (nextStart !== -1 && nextStart < i) nextStart = chunk.indexOf(start[0], i);
        if (nextEnd !== -1 && nextEnd < i) nextEnd = chunk.indexOf(end[0], i);
        if (nextEscape !== -1 && nextEscape < i) nextEscape = chunk.indexOf(escape as number, i);
        let stop = len;
        if (nextStart !== -1 && nextStart < stop) stop = nextStart;
        if (nextEnd !== -1 && nextEnd < stop) stop = nextEnd;
        if (nextEscape !== -1 && nextEscape < stop) stop = nextEscape;
        // Never past the size limit: the byte that crosses it goes the slow way and is refused there, as it would be alone.
        stop = Math.min(stop, i + Math.max(0, this.room()));
        if (stop > i) {
          this.appendRange(chunk, i, stop);
          this.rawLength += stop - i;
          i = stop;
          continue;
        }
      }
      const b = chunk[i++];
      if (!this.inFrame) {
        const m = step(start, this.startTable, this.startMatch, b);
        // The bytes that fell out of a partial start were not a start after all.
        this.skipped += this.startMatch + 1 - m;
        this.startMatch = m;
        if (m === start.length) this.open();
        continue;
      }
      this.rawLength++;
      if (this.escaped) {
        this.escaped = false;
        this.append(b);
        this.startMatch = 0;
        this.endMatch = 0;
      } else if (b === escape) {
        this.escaped = true;
        this.startMatch = 0;
        this.endMatch = 0;
        continue;
      } else {
        this.append(b);
        this.endMatch = step(end, this.endTable, this.endMatch, b);
        this.startMatch = step(start, this.startTable, this.startMatch, b);
        if (this.endMatch === end.length) {
          this.frameEnd = i;
          this.emit(sink, ctx);
          continue;
        }
        if (this.startMatch === start.length) {
          this.skipped += this.rawLength - start.length;
          this.open();
          continue;
        }
      }
      this.checkSize();
    }
  }

  /** A whole start was just matched: a new frame holding only the start. */
  private open(): void {
    const start = this.opts.start;
    this.inFrame = true;
    this.escaped = false;
    this.startMatch = 0;
    this.endMatch = 0;
    this.frameLength = 0;
    this.rawLength = start.length;
    for (let i = 0; i < start.length; i++) this.append(start[i]);
  }

  private append(b: number): void {
    if (this.frameLength === this.frame.length) {
      const grown = Buffer.allocUnsafe(Math.max(64, this.frame.length * 2));
      this.frame.copy(grown, 0, 0, this.frameLength);
      this.frame = grown;
    }
    this.frame[this.frameLength++] = b;
  }

  private appendRange(src: Buffer, from: number, to: number): void {
    const need = this.frameLength + (to - from);
    if (need > this.frame.length) {
      const grown = Buffer.allocUnsafe(Math.max(64, this.frame.length * 2, need));
      this.frame.copy(grown, 0, 0, this.frameLength);
      this.frame = grown;
    }
    src.copy(this.frame, this.frameLength, from, to);
    this.frameLength = need;
  }

  /** The least the open frame will be once emitted. */
  private atLeast(): number {
    const { start, end, keep } = this.opts;
    return keep ? this.frameLength - this.endMatch + end.length : this.frameLength - start.length - this.endMatch;
  }

  /** Bytes the open frame can still take without going over the limit. */
  private room(): number {
    return this.maxFrame - this.atLeast();
  }

  /** Over the limit, the open frame is given up now. */
  private checkSize(): void {
    const atLeast = this.atLeast();
    if (atLeast > this.maxFrame) {
      this.reset();
      throw new FrameTooLargeError(atLeast, this.maxFrame);
    }
  }

  private emit<C>(sink: FrameSink<C>, ctx: C): void {
    const { start, end, keep } = this.opts;
    const from = keep ? 0 : start.length;
    const to = keep ? this.frameLength : this.frameLength - end.length;
    const size = to - from;
    if (size > this.maxFrame) {
      this.reset();
      throw new FrameTooLargeError(size, this.maxFrame);
    }
    // A copy: the frame buffer is reused for the next frame.
    const out = Buffer.from(this.frame.subarray(from, to));
    this.inFrame = false;
    this.startMatch = 0;
    this.endMatch = 0;
    this.frameLength = 0;
    this.rawLength = 0;
    sink(out, 0, out.length, ctx);
  }

  private reset(): void {
    this.inFrame = false;
    this.escaped = false;
    this.startMatch = 0;
    this.endMatch = 0;
    this.frameLength = 0;
    this.rawLength = 0;
    if (this.frame.length > 4096) this.frame = Buffer.alloc(0);
  }
}
