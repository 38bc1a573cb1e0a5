/**
 * Ending a connection with a reset (RST) instead of a FIN: the kernel drops
 * what it still holds for the peer instead of sending it. Used where bytes
 * already reported as failed must not reach the peer later (a reply that
 * timed out). A TLS socket is reset through the TCP socket under it.
 */
import type { Socket } from "node:net";

const kRaw = Symbol("tcp-automation.raw-socket");
type Tagged = Socket & { [kRaw]?: Socket };

/** Remembers the TCP socket under a TLS socket (the listener made one from the other). */
export function rememberRaw(tlsSocket: Socket, raw: Socket): void {
  (tlsSocket as Tagged)[kRaw] = raw;
}

export function resetSocket(socket: Socket): void {
  const raw = (socket as Tagged)[kRaw] ?? socket;
  if (!raw.destroyed) {
    try {
      raw.resetAndDestroy();
    } catch {
      raw.destroy(); // no TCP handle to reset (already closing): a plain destroy is all there is
    }
  }
  if (raw !== socket) socket.destroy();
}
