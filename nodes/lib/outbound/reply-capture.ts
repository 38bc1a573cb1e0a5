/**
 * What the peer sends during a job: counted, kept up to a limit (flagging
 * what was cut), and watched for the bytes that end a device's reply.
 */
const EMPTY = Buffer.alloc(0);

export class ReplyCapture {
  /** Bytes the peer sent, kept or not. */
  received = 0;
  /** More arrived than could be kept. */
  truncated = false;
  private readonly chunks: Buffer[] = [];
  private kept = 0;

  /** keep: keep the bytes (at most max), else only count them. */
  constructor(
    private readonly keep: boolean,
    private readonly max: number,
  ) {}

  add(chunk: Buffer): void {
    this.received += chunk.length;
    if (!this.keep) return;
    const room = this.max - this.kept;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const part = chunk.length > room ? Buffer.from(chunk.subarray(0, room)) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
  }

  /** What was kept, in one Buffer (empty when nothing was). */
  get reply(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.kept);
  }
}

/** Finds the end of a reply ("\r\n", "OK") in the bytes fed to it, also when it comes split across reads. */
export class ReplyEnd {
  /** The end has been seen. */
  found = false;
  /** The last end.length - 1 bytes seen, so an end split across reads is still found. */
  private tail: Buffer = EMPTY;

  constructor(private readonly end: Buffer) {}

  /** Feeds one read; true when it completes the reply (only the first time). */
  feed(chunk: Buffer): boolean {
    if (this.found) return false;
    const seen = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk]);
    if (seen.indexOf(this.end) !== -1) {
      this.found = true;
      this.tail = EMPTY;
      return true;
    }
    this.tail = Buffer.from(seen.subarray(Math.max(0, seen.length - (this.end.length - 1))));
    return false;
  }
}
