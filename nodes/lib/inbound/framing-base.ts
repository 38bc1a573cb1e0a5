/**
 * What every framer shares: the sink frames go to, the remainder a closing
 * stream gets, the too-large error and the pending bytes with their limit.
 * Each framing mode lives in a file of its own or in framing.ts.
 */
import { ChunkList } from "../base/chunk-list";
import { CodedError, type CatalogEntry } from "../base/coded-error";

/** Called for every frame; ctx is what the caller passed to push(), so one sink function can serve every connection. */
export type FrameSink<C = unknown> = (buf: Buffer, start: number, end: number, ctx: C) => void;

export interface Remainder {
  frame: Buffer;
  /** false when the mode knows the frame is cut short (a length-prefixed frame missing bytes). */
  complete: boolean;
  /** For an incomplete length-prefixed frame: the length its header announced. */
  expected?: number;
}

/** Its catalog entry leaves the connection (peer, session) to the caller. */
export class FrameTooLargeError extends CodedError {
  declare readonly code: "EFRAMETOOLARGE";
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super("EFRAMETOOLARGE", `frame of ${size} bytes or more exceeds the maximum frame size of ${limit} bytes`);
    this.name = "FrameTooLargeError";
  }

  override catalog(): CatalogEntry {
    return { key: "frame-too-large", subs: { size: this.size, limit: this.limit } };
  }
}

export interface Framer {
  /** Feeds one chunk; calls sink for every frame it completes. Throws FrameTooLargeError (the partial frame is discarded). */
  push<C>(chunk: Buffer, sink: FrameSink<C>, ctx: C): void;
  /** Takes the bytes still waiting, e.g. when the connection closes or the idle timer fires. */
  flush(): Remainder | undefined;
  /** Bytes waiting for the rest of their frame. */
  readonly pendingBytes: number;
  /**
   * During a sink call: where in the chunk being pushed the frame's bytes end (its delimiter, end
   * bytes or line ending included), for the traffic view's frame marks. Set just before each sink call.
   */
  readonly frameEnd: number;
  /**
   * Bytes skipped since the last call (outside any frame, or a frame given
   * up for a new start), then resets the count: the caller reports them once
   * per chunk, never per byte. Always 0 in modes that skip nothing.
   */
  takeSkipped(): number;
}

export abstract class BaseFramer implements Framer {
  protected readonly pending = new ChunkList();
  /** Bytes skipped since takeSkipped() last ran. */
  protected skipped = 0;
  frameEnd = 0;
  constructor(protected readonly maxFrame: number) {}

  abstract push<C>(chunk: Buffer, sink: FrameSink<C>, ctx: C): void;

  get pendingBytes(): number {
    return this.pending.length;
  }

  takeSkipped(): number {
    const n = this.skipped;
    this.skipped = 0;
    return n;
  }

  flush(): Remainder | undefined {
    if (this.pending.length === 0) return undefined;
    return { frame: this.pending.drain(), complete: true };
  }

  /** A frame (or the bytes waiting for one) over the limit: discard and report. */
  protected tooLarge(size: number): never {
    this.pending.clear();
    throw new FrameTooLargeError(size, this.maxFrame);
  }

  /** Keeps buf[pos..] (all of buf when pos is 0, without a copy) for the next read; nothing when pos is at its end. */
  protected keepFrom(buf: Buffer, pos: number): void {
    if (pos === buf.length) return;
    if (pos === 0) this.pending.add(buf);
    else this.pending.addCopy(buf, pos);
  }

  protected checkPending(): void {
    if (this.pending.length > this.maxFrame) this.tooLarge(this.pending.length);
  }
}
