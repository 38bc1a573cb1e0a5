/**
 * A socket becomes a registered session with a framed inbound stream. Used for
 * connections a peer opened (listener) and ones a node dialled (the bridge),
 * so both register, frame, time out and report alike.
 *
 * Memory per connection matters (gateways hold thousands): the socket
 * listeners are shared functions that find their connection through a symbol
 * on the socket, and one adapter serves every connection of a handlers object.
 */
import { isIPv4, type Socket } from "node:net";
import { FrameTooLargeError } from "./framing";
import {
  InboundStream,
  type IncompleteFrameError,
  type InboundHandlers,
  type InboundMessage,
  type InboundOptions,
  type Peer,
} from "./stream";
import { UNKNOWN_PEER, type CloseReason, type Session, type SessionOwner, type SessionRegistry } from "../sessions/registry";

/** TCP keep-alive probes find peers that vanished without a FIN (power cut, cable pulled). */
export const KEEPALIVE_DELAY_MS = 60_000;

export interface Connection {
  readonly session: Session;
  /** The connection itself is its peer (one object less per connection). */
  readonly peer: Peer;
  readonly socket: Socket;
}

export interface ConnectionHandlers {
  messages(batch: InboundMessage[], conn: Connection): void;
  frameError(err: FrameTooLargeError | IncompleteFrameError, msg: InboundMessage, conn: Connection): void;
  readTimeout(conn: Connection, probed: boolean): void;
  /** Bytes outside any frame, skipped (start/end and length-field modes): one call per socket read. */
  skipped(count: number, conn: Connection): void;
  socketError(err: Error, conn: Connection): void;
  closed(conn: Connection, reason: CloseReason): void;
}

interface LiveConnection extends Connection, Peer {
  readonly h: ConnectionHandlers;
  readonly stream: InboundStream<LiveConnection>;
}

const kConn = Symbol("tcp-automation.connection");
type Tagged = Socket & { [kConn]?: LiveConnection };

/** "::ffff:10.0.0.5" (an IPv4 peer on a dual-stack listener) is shown as "10.0.0.5". */
export function plainAddress(address: string): string {
  if (address.startsWith("::ffff:")) {
    const v4 = address.slice(7);
    if (isIPv4(v4)) return v4;
  }
  return address;
}

function onData(this: Tagged, chunk: Buffer): void {
  this[kConn]?.stream.push(chunk);
}

function onEnd(this: Tagged): void {
  const c = this[kConn];
  if (c) c.session.closeReason ??= "peer";
}

function onError(this: Tagged, err: Error): void {
  const c = this[kConn];
  if (!c) return;
  c.session.closeReason ??= "error";
  c.h.socketError(err, c);
}

function onClose(this: Tagged): void {
  const c = this[kConn];
  if (!c) return;
  c.stream.finish();
  c.h.closed(c, c.session.closeReason ?? "peer");
}

const adapters = new WeakMap<ConnectionHandlers, InboundHandlers<LiveConnection>>();

function adapterFor(h: ConnectionHandlers): InboundHandlers<LiveConnection> {
  let a = adapters.get(h);
  if (!a) {
    a = {
      messages: (batch, c) => h.messages(batch, c),
      frameError: (err, msg, c) => {
        if (err instanceof FrameTooLargeError) c.session.closeReason ??= "frame-too-large";
        h.frameError(err, msg, c);
      },
      readTimeout: (c, probed) => {
        c.session.closeReason ??= "timeout";
        h.readTimeout(c, probed);
      },
      skipped: (n, c) => h.skipped(n, c),
    };
    adapters.set(h, a);
  }
  return a;
}

/**
 * Registers and wires an open socket; undefined when it was destroyed before
 * we got to it. Pass the same handlers object for every connection of a node.
 *
 * A client that sent its bytes and reset the connection before the event loop
 * got to accept it has no peer address any more (the kernel forgot it), but
 * its bytes are still readable: it is attached all the same, with ip "" and
 * port 0, and its messages and events say peerUnknown: true.
 */
export function attachConnection(
  socket: Socket,
  registry: SessionRegistry,
  owner: SessionOwner,
  direction: "in" | "out",
  opts: InboundOptions,
  h: ConnectionHandlers,
  /** The peer to record instead of the socket's own (the real client named by a PROXY protocol header). */
  peer?: { address: string; port: number },
): Connection | undefined {
  const address = peer ? peer.address : socket.remoteAddress;
  const port = peer ? peer.port : socket.remotePort;
  if (socket.destroyed) return undefined;
  socket.setNoDelay(true);
  const keepAlive = opts.keepAliveMs ?? KEEPALIVE_DELAY_MS;
  if (keepAlive > 0) socket.setKeepAlive(true, keepAlive);
  const ip = address === undefined ? UNKNOWN_PEER : plainAddress(address);
  const localPort = socket.localPort ?? 0;
  const session = registry.add(socket, { remoteAddress: ip, remotePort: port ?? 0, localPort, owner, direction });
  // The greeting goes first: nothing else can have been written to a connection just accepted.
  if (opts.greeting && direction === "in") socket.write(opts.greeting);
  const conn = { session, socket, h, sessionId: session.id, ip, port: port ?? 0, localPort } as {
    -readonly [K in keyof LiveConnection]: LiveConnection[K];
  };
  conn.peer = conn;
  conn.stream = new InboundStream(socket, conn, opts, adapterFor(h), conn);
  if (session.traffic) conn.stream.tap = session.traffic;
  const tagged = socket as Tagged;
  tagged[kConn] = conn;
  socket.on("error", onError);
  socket.on("end", onEnd);
  socket.on("data", onData);
  socket.on("close", onClose);
  return conn;
}
