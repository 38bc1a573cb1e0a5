/**
 * A socket becomes a registered session with a framed inbound stream. Used for
 * connections a peer opened (listener) and ones a node dialled (the bridge),
 * so both register, frame, time out and report alike.
 */
import { isIPv4, type Socket } from "node:net";
import { FrameTooLargeError } from "./framing";
import { InboundStream, type IncompleteFrameError, type InboundMessage, type InboundOptions, type Peer } from "./inbound";
import type { CloseReason, Session, SessionOwner, SessionRegistry } from "./sessions";

/** TCP keep-alive probes find peers that vanished without a FIN (power cut, cable pulled). */
export const KEEPALIVE_DELAY_MS = 60_000;

export interface Connection {
  readonly session: Session;
  readonly peer: Peer;
  readonly socket: Socket;
}

export interface ConnectionHandlers {
  messages(batch: InboundMessage[], conn: Connection): void;
  frameError(err: FrameTooLargeError | IncompleteFrameError, msg: InboundMessage, conn: Connection): void;
  readTimeout(conn: Connection): void;
  socketError(err: Error, conn: Connection): void;
  closed(conn: Connection, reason: CloseReason): void;
}

/** "::ffff:10.0.0.5" (an IPv4 peer on a dual-stack listener) is shown as "10.0.0.5". */
export function plainAddress(address: string): string {
  if (address.startsWith("::ffff:")) {
    const v4 = address.slice(7);
    if (isIPv4(v4)) return v4;
  }
  return address;
}

/** Registers and wires an open socket; undefined when it closed before we got to it. */
export function attachConnection(
  socket: Socket,
  registry: SessionRegistry,
  owner: SessionOwner,
  direction: "in" | "out",
  opts: InboundOptions,
  h: ConnectionHandlers,
): Connection | undefined {
  const address = socket.remoteAddress;
  const port = socket.remotePort;
  if (address === undefined || port === undefined || socket.destroyed) {
    socket.destroy();
    return undefined;
  }
  socket.setNoDelay(true);
  socket.setKeepAlive(true, KEEPALIVE_DELAY_MS);
  const ip = plainAddress(address);
  const localPort = socket.localPort ?? 0;
  const session = registry.add(socket, { remoteAddress: ip, remotePort: port, localPort, owner, direction });
  const peer: Peer = { sessionId: session.id, ip, port, localPort };
  const conn: Connection = { session, peer, socket };
  socket.on("error", (err) => {
    session.closeReason ??= "error";
    h.socketError(err, conn);
  });
  socket.on("end", () => {
    session.closeReason ??= "peer";
  });
  new InboundStream(socket, peer, opts, {
    messages: (batch) => h.messages(batch, conn),
    frameError: (err, msg) => {
      if (err instanceof FrameTooLargeError) session.closeReason ??= "frame-too-large";
      h.frameError(err, msg, conn);
    },
    readTimeout: () => {
      session.closeReason ??= "timeout";
      h.readTimeout(conn);
    },
  });
  socket.once("close", () => h.closed(conn, session.closeReason ?? "peer"));
  return conn;
}
