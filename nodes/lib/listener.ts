/**
 * A TCP listener that owns the connections it accepts: admits or refuses
 * each one, attaches it (session + framing), retries a bind that failed, and
 * on stop ends exactly its own sockets and releases the port.
 */
import { createServer, type Server, type Socket } from "node:net";
import { attachConnection, plainAddress, type Connection, type ConnectionHandlers } from "./connection";
import type { InboundOptions } from "./inbound";
import type { ListenConfig } from "./listen-config";
import type { SessionOwner, SessionRegistry } from "./sessions";

export const LISTEN_RETRY_MS = 5000;

export type RefuseReason = "max-connections" | "busy";

export interface ListenerHandlers extends ConnectionHandlers {
  listening(port: number): void;
  /** The bind failed; the listener tries again after retryMs. */
  listenError(err: NodeJS.ErrnoException, retryMs: number): void;
  accepted(conn: Connection): void;
  refused(ip: string, port: number, localPort: number, reason: RefuseReason): void;
}

export interface ListenerOptions {
  listen: ListenConfig;
  inbound: InboundOptions;
  registry: SessionRegistry;
  owner: SessionOwner;
  handlers: ListenerHandlers;
  /** An extra admission rule (the bridge's one link at a time); returns why to refuse, or undefined. */
  admit?: () => RefuseReason | undefined;
  retryMs?: number;
}

export class Listener {
  private readonly server: Server;
  private readonly conns = new Set<Connection>();
  private retryTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** The node's handlers, plus bookkeeping of this listener's own connections; shared by all of them. */
  private readonly connHandlers: ConnectionHandlers;

  constructor(private readonly o: ListenerOptions) {
    const h = o.handlers;
    this.connHandlers = {
      messages: (batch, c) => h.messages(batch, c),
      frameError: (err, msg, c) => h.frameError(err, msg, c),
      readTimeout: (c) => h.readTimeout(c),
      socketError: (err, c) => h.socketError(err, c),
      closed: (c, why) => {
        this.conns.delete(c);
        h.closed(c, why);
      },
    };
    this.server = createServer({ noDelay: true }, (socket) => this.onConnection(socket));
    this.server.on("error", (err: NodeJS.ErrnoException) => this.onListenError(err));
    this.server.on("listening", () => {
      const addr = this.server.address();
      o.handlers.listening(typeof addr === "object" && addr ? addr.port : o.listen.port);
    });
  }

  start(): void {
    if (this.stopping) return;
    this.server.listen({ port: this.o.listen.port, host: this.o.listen.host });
  }

  get listening(): boolean {
    return this.server.listening;
  }

  get port(): number | undefined {
    const addr = this.server.address();
    return typeof addr === "object" && addr ? addr.port : undefined;
  }

  get size(): number {
    return this.conns.size;
  }

  connections(): Iterable<Connection> {
    return this.conns;
  }

  /** Ends this listener's own connections and releases the port. */
  stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const c of this.conns) {
      c.session.closeReason ??= "stopped";
      c.socket.destroy();
    }
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
    });
  }

  private onListenError(err: NodeJS.ErrnoException): void {
    if (this.stopping) return;
    const retryMs = this.o.retryMs ?? LISTEN_RETRY_MS;
    this.o.handlers.listenError(err, retryMs);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.start();
    }, retryMs);
  }

  private onConnection(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const max = this.o.listen.maxConnections;
    const reason: RefuseReason | undefined = max > 0 && this.conns.size >= max ? "max-connections" : this.o.admit?.();
    if (reason) {
      // An error listener first: a reset racing the destroy must not become an uncaught exception.
      socket.on("error", () => undefined);
      const ip = plainAddress(socket.remoteAddress ?? "");
      const port = socket.remotePort ?? 0;
      const localPort = socket.localPort ?? 0;
      socket.destroy();
      this.o.handlers.refused(ip, port, localPort, reason);
      return;
    }
    const conn = attachConnection(socket, this.o.registry, this.o.owner, "in", this.o.inbound, this.connHandlers);
    if (!conn) return;
    this.conns.add(conn);
    this.o.handlers.accepted(conn);
  }
}
