/**
 * The link's default dialer: one connection attempt over node:net, or
 * node:tls (connected = handshake done, server verified as the options say),
 * with a connect timeout and an abort signal. The link takes any function of
 * this shape, so a shared dialer can replace this one without touching it.
 *
 * Self-connect guard: dialling a port on this host where nothing listens,
 * Linux can pick that very port as the socket's own local port, and the
 * connection then connects to itself (TCP simultaneous open). That is no
 * device; it is reported as ECONNREFUSED, which is what it stands for.
 */
import { connect, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { forHost } from "../base/tls-options";

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

function coded(message: string, code: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(message);
  err.code = code;
  return err;
}

export const defaultDial: Dial = (o, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(coded("dial aborted", "ABORT_ERR"));
      return;
    }
    const base = { host: o.host, port: o.port, localAddress: o.localAddress, localPort: o.localPort };
    const socket: Socket = o.tls ? tlsConnect({ ...forHost(o.tls, o.host), ...base }) : connect(base);
    const connected = o.tls ? "secureConnect" : "connect";
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.removeListener(connected, onConnect);
      socket.removeListener("error", onError);
      if (err) {
        socket.on("error", () => undefined); // a late error of the socket being destroyed
        socket.destroy();
        reject(err);
      } else {
        resolve(socket);
      }
    };
    const onConnect = (): void => {
      if (socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress) {
        settle(coded(`connect ECONNREFUSED ${o.host}:${o.port} (the connection went to itself: nothing listens there)`, "ECONNREFUSED"));
        return;
      }
      settle();
    };
    const onError = (err: Error): void => settle(err);
    const onAbort = (): void => settle(coded("dial aborted", "ABORT_ERR"));
    const timer = setTimeout(
      () => settle(coded(`connect ETIMEDOUT ${o.host}:${o.port} (no connection within ${o.connectTimeoutMs} ms)`, "ETIMEDOUT")),
      o.connectTimeoutMs,
    );
    socket.once(connected, onConnect);
    socket.once("error", onError);
    signal.addEventListener("abort", onAbort, { once: true });
  });
