/**
 * Writes entries to one socket and says, entry by entry, which were taken by
 * the kernel: TrackedWriter (lib/base) for whole entries instead of bytes.
 *
 * An entry is confirmed by its write callback on a live socket. Node reports
 * a write that was still in flight when the socket was destroyed as a success
 * (callback without error), so a callback that finds the socket destroyed is
 * unconfirmed, and so is every later one. Callbacks come in write order, so
 * the confirmed entries are always a prefix; what is left when the socket
 * closes is taken back with unconfirmed() for the caller to report.
 *
 * Confirmed means the local kernel took the bytes, which is all TCP tells a
 * sender; it does not mean the device has read them.
 */
import type { Socket } from "node:net";

export class EntryWriter<E> {
  private pending: Array<{ e: E; size: number }> = [];
  private broken = false;
  private _bytes = 0;

  constructor(
    private readonly socket: Socket,
    private readonly confirmed: (e: E) => void,
  ) {
    socket.on("error", () => {
      this.broken = true;
    });
  }

  /** Entries written and not yet confirmed. */
  get length(): number {
    return this.pending.length;
  }

  /** Their bytes. */
  get bytes(): number {
    return this._bytes;
  }

  /** Writes e's bytes; returns false when the socket wants a 'drain' before more. */
  write(bytes: Buffer, e: E): boolean {
    this.pending.push({ e, size: bytes.length });
    this._bytes += bytes.length;
    return this.socket.write(bytes, (err) => this.done(err));
  }

  private done(err: Error | null | undefined): void {
    if (err || this.socket.destroyed) this.broken = true;
    if (this.broken || this.pending.length === 0) return;
    const p = this.pending.shift() as { e: E; size: number };
    this._bytes -= p.size;
    this.confirmed(p.e);
  }

  /** The entries never confirmed, oldest first; call once the socket has closed. */
  unconfirmed(): E[] {
    this.broken = true;
    const out = this.pending.map((p) => p.e);
    this.pending = [];
    this._bytes = 0;
    return out;
  }
}
