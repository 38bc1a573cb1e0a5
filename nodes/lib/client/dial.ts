/**
 * The link's dialer: the package's one dialer (base/dial: plain or TLS, one
 * bound on the whole attempt, the self-connect guard, the system's errors as
 * they are) in the shape the link takes, a promise with an abort signal. The
 * link takes any function of this shape (tests pass their own).
 */
import type { Socket } from "node:net";
import type { ConnectionOptions } from "node:tls";
import { CodedError } from "../base/coded-error";
import { dial } from "../base/dial";

export interface DialOptions {
  host: string;
  port: number;
  /** Local address to connect from (undefined = the system's choice). */
  localAddress?: string;
  /** Local port to connect from (undefined = an ephemeral one); some devices only accept known source ports. */
  localPort?: number;
  /** TLS client options (lib/base/tls-options); undefined = plain TCP. */
  tls?: ConnectionOptions;
  /** A connection (and TLS handshake) not made within this long fails with ETIMEDOUT. */
  connectTimeoutMs: number;
}

/** Resolves with a connected socket; rejects with an error carrying a system code (ECONNREFUSED, ETIMEDOUT, ...) or ABORT_ERR. */
export type Dial = (opts: DialOptions, signal: AbortSignal) => Promise<Socket>;

const aborted = (): CodedError => new CodedError("ABORT_ERR", "dial aborted");

export const defaultDial: Dial = (o, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(aborted());
      return;
    }
    const local = o.localAddress !== undefined || o.localPort !== undefined ? { address: o.localAddress, port: o.localPort } : undefined;
    const onAbort = (): void => {
      attempt.abandon();
      reject(aborted());
    };
    const attempt = dial({ host: o.host, port: o.port, timeoutMs: o.connectTimeoutMs, tls: o.tls, local }, (err, socket) => {
      signal.removeEventListener("abort", onAbort);
      if (err || !socket) reject(err ?? aborted());
      else resolve(socket);
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
