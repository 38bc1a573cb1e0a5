/**
 * One outgoing connection attempt, for every part that dials (send to tcp
 * port's jobs, the bridge's dial-out): plain TCP, or TLS where connected means
 * the handshake is done and the server verified; one bound on the whole
 * attempt; and a guard against connecting to ourselves. Retries are the
 * caller's (a job retries with backoff, the bridge after its hold-off).
 *
 * Self-connect: a dial to a local port nothing listens on can be given that
 * very port as its own and connect to itself (TCP simultaneous open, on
 * Linux), with no one at the other end. That is what a refusal means, so it
 * is reported as ECONNREFUSED.
 *
 * Errors of the system (ECONNREFUSED, ENOTFOUND, a TLS verification error)
 * are passed on as they are; the dialer's own are DialErrors.
 */
import { connect, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { CodedError } from "./coded-error";
import { forHost } from "./tls-options";

/** Where a connection is made from: a local address and/or port (undefined = the system's choice). */
export interface LocalEnd {
  address?: string;
  port?: number;
}

/** Opens the socket of one attempt (tests pass their own). */
export type Connector = (host: string, port: number, tls?: ConnectionOptions, local?: LocalEnd) => Socket;

export const connectSocket: Connector = (host, port, tls, local) => {
  const where = { host, port, localAddress: local?.address, localPort: local?.port };
  return tls ? tlsConnect({ ...forHost(tls, host), ...where }) : connect(where);
};

export interface DialTarget {
  host: string;
  port: number;
  /** The whole attempt (TLS handshake included) ends with ETIMEDOUT after this. */
  timeoutMs: number;
  /** TLS client options (lib/tls-options); undefined = plain TCP. */
  tls?: ConnectionOptions;
  /** Connect from this local address/port (some devices accept known source ports only). */
  local?: LocalEnd;
}

/** ETIMEDOUT (no connection within the bound), ECONNRESET (closed while connecting), ECONNREFUSED (connected to itself). */
export class DialError extends CodedError {
  constructor(code: "ETIMEDOUT" | "ECONNRESET" | "ECONNREFUSED", message: string) {
    super(code, message);
    this.name = "DialError";
  }
}

/** Called once: with the connected socket (none of the dialer's listeners left on it), or with why not. */
export type DialDone = (err: Error | null, socket: Socket | undefined) => void;

/** A dial under way. */
export interface Dialing {
  /** Gives it up: the socket is destroyed and done is never called. */
  abandon(): void;
}

const ignore = (): void => undefined;

/** True for a socket connected to itself (see above). */
export function isSelfConnect(socket: Socket): boolean {
  return socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress;
}

export function dial(target: DialTarget, done: DialDone, connector: Connector = connectSocket): Dialing {
  const { host, port, tls, local } = target;
  const socket = local ? connector(host, port, tls, local) : tls ? connector(host, port, tls) : connector(host, port);
  const connected = tls ? "secureConnect" : "connect";
  let over = false;
  const detach = (): void => {
    over = true;
    clearTimeout(timer);
    socket.removeListener(connected, onConnect);
    socket.removeListener("error", onError);
    socket.removeListener("close", onClose);
  };
  const drop = (): void => {
    detach();
    socket.on("error", ignore); // a late error of a socket we gave up must not be uncaught
    socket.destroy();
  };
  const fail = (err: Error): void => {
    if (over) return;
    drop();
    done(err, undefined);
  };
  const onConnect = (): void => {
    if (over) return;
    if (isSelfConnect(socket)) {
      fail(new DialError("ECONNREFUSED", `connect to ${host}:${port} reached itself: nothing listens there`));
      return;
    }
    detach();
    done(null, socket);
  };
  const onError = (err: Error): void => fail(err);
  const onClose = (): void => fail(new DialError("ECONNRESET", `connection to ${host}:${port} closed while connecting`));
  const timer = setTimeout(() => fail(new DialError("ETIMEDOUT", "connect timed out")), target.timeoutMs);
  socket.once(connected, onConnect);
  socket.once("error", onError);
  socket.once("close", onClose);
  return {
    abandon: () => {
      if (!over) drop();
    },
  };
}
