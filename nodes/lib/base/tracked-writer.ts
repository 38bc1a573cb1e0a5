/**
 * Writes to a socket and remembers which bytes were not confirmed written,
 * so a link that breaks can say exactly what may not have reached the peer.
 *
 * Node reports a write that was in flight when the socket was destroyed as a
 * success (callback without error); a callback that finds the socket
 * destroyed therefore counts as unconfirmed, as does every later one.
 * Callbacks come in write order, so the confirmed bytes are always a prefix.
 */
import type { Socket } from "node:net";

export class TrackedWriter {
  private pending: Buffer[] = [];
  private broken = false;
  private firstError: Error | undefined;

  constructor(private readonly socket: Socket) {
    socket.on("error", (err) => this.fail(err));
  }

  write(bytes: Buffer): void {
    this.pending.push(bytes);
    this.socket.write(bytes, (err) => {
      if (err || this.socket.destroyed) this.fail(err ?? undefined);
      else if (!this.broken) this.pending.shift();
    });
  }

  /** Bytes written but not confirmed (call once the socket has closed), with the first error seen. */
  unconfirmed(): { bytes: Buffer; error: Error | undefined } | undefined {
    if (this.pending.length === 0) return undefined;
    const bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    return { bytes, error: this.firstError };
  }

  private fail(err: Error | undefined): void {
    this.broken = true;
    this.firstError ??= err;
  }
}
