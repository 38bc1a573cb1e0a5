/**
 * The recent traffic of one connection: the last bytes in each direction
 * (ring.ts), where the node's framing ended each inbound frame, and why the
 * connection closed. Plain data, no socket: tap.ts feeds it.
 */
import { Ring, type KeptChunk } from "./ring";

export interface CaptureInfo {
  session: string;
  /** "address:port" of the peer. */
  peer: string;
  owner: { id: string; type: string; name: string };
  localPort: number;
  /** "in": the peer connected to us; "out": we dialled it. */
  direction: "in" | "out";
}

export interface CaptureClose {
  reason: string;
  error: { code?: string; message: string } | null;
  t: number;
}

export interface TrafficChunk {
  t: number;
  dir: "in" | "out";
  /** Where its first byte lies in its direction's stream. */
  off: number;
  data: Buffer;
}

export interface TrafficView extends CaptureInfo {
  chunks: TrafficChunk[];
  /** Inbound stream offsets just past each frame the node's framing cut (delimiter included), oldest first. */
  frames: number[];
  closed: CaptureClose | null;
  /** Bytes each direction carried, and whether older ones were dropped to stay in the bound. */
  bytes: { in: number; out: number };
  truncated: boolean;
}

/** Receives where the framing ended a frame: `back` bytes before the end of the inbound bytes seen so far. */
export interface FrameTap {
  frameEnd(back: number): void;
}

export class Capture implements FrameTap {
  readonly in: Ring;
  readonly out: Ring;
  private frames: number[] = [];
  private seq = 0;
  closed: CaptureClose | null = null;
  error: CaptureClose["error"] = null;

  constructor(
    readonly info: CaptureInfo,
    perDirection: number,
    private readonly now: () => number = Date.now,
  ) {
    this.in = new Ring(perDirection);
    this.out = new Ring(perDirection);
  }

  received(bytes: Uint8Array): void {
    this.in.push(bytes, this.now(), this.seq++);
    // Boundaries inside bytes no longer kept mean nothing to a reader: drop them with the bytes.
    const start = this.in.start;
    if (this.frames.length > 0 && this.frames[0] <= start) this.frames = this.frames.filter((f) => f > start);
  }

  sent(bytes: Uint8Array): void {
    this.out.push(bytes, this.now(), this.seq++);
  }

  frameEnd(back: number): void {
    const at = this.in.total - back;
    if (at > this.in.start) this.frames.push(at);
  }

  failed(err: Error & { code?: unknown }): void {
    this.error ??= { code: typeof err.code === "string" ? err.code : undefined, message: err.message };
  }

  close(reason: string): void {
    this.closed ??= { reason, error: this.error, t: this.now() };
  }

  view(): TrafficView {
    const merged: (KeptChunk & { dir: "in" | "out" })[] = [
      ...this.in.list().map((c) => ({ ...c, dir: "in" as const })),
      ...this.out.list().map((c) => ({ ...c, dir: "out" as const })),
    ].sort((a, b) => a.seq - b.seq);
    return {
      ...this.info,
      chunks: merged.map((c) => ({ t: c.t, dir: c.dir, off: c.off, data: c.data })),
      frames: [...this.frames],
      closed: this.closed,
      bytes: { in: this.in.total, out: this.out.total },
      truncated: this.in.start > 0 || this.out.start > 0,
    };
  }
}
