/**
 * A TCP listener that owns the connections it accepts: admits or refuses
 * each one, attaches it (session + framing), retries a bind that failed, and
 * on stop ends exactly its own sockets and releases the port.
 */
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from "node:tls";
import type { AccessControl } from "./access-control";
import { attachConnection, plainAddress, type Connection, type ConnectionHandlers } from "./connection";
import { ProxyHeaderParser, type ProxyMode } from "./proxy-protocol";
import { rememberRaw } from "../base/socket-reset";
import type { ServerTls } from "../base/tls-options";
import type { InboundOptions } from "./stream";
import type { ListenConfig } from "./listen-config";
import type { SessionOwner, SessionRegistry } from "../sessions/registry";

export const LISTEN_RETRY_MS = 5000;
/** How long a PROXY-enabled port waits for the header, and a TLS port for the handshake. */
export const PROXY_HEADER_TIMEOUT_MS = 5000;
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Why a connection was refused: "denied" by the allow/deny lists, "per-ip-limit"
 * (that address has its maximum of connections), "proxy-header" (missing,
 * malformed or late PROXY header), "proxy-untrusted" (a PROXY port reached by
 * a peer that is not one of its load balancers), "tls" (no or failed TLS
 * handshake, incl. a client certificate that is missing or not trusted).
 */
export type RefuseReason = "max-connections" | "busy" | "denied" | "per-ip-limit" | "proxy-header" | "proxy-untrusted" | "tls";

/** Who may connect and how; every part optional. With none set, accepting costs nothing extra. */
export interface ListenSecurity {
  /** undefined: everyone may connect. */
  access?: AccessControl;
  /** Connections at a time from one address (the real client's with PROXY); 0 = unlimited. */
  maxPerIp?: number;
  proxy?: ProxyMode;
  /** The load balancers that may send the PROXY header; undefined: any peer. */
  proxyFrom?: AccessControl;
  proxyTimeoutMs?: number;
  /** TLS server (mutual when it requires client certificates). */
  tls?: ServerTls;
  handshakeTimeoutMs?: number;
}

/** A connection being admitted (PROXY header, TLS handshake) before it becomes a Connection. */
interface Admission {
  ip: string;
  port: number;
  localPort: number;
  raw: Socket;
  /** The TLS handshake completed (a raw socket that closes unsettled was refused as "tls"). */
  settled: boolean;
  /** Why the handshake failed, when TLS said so (reported with the "tls" refusal). */
  error?: Error;
}

export interface ListenerHandlers extends ConnectionHandlers {
  listening(port: number): void;
  /** The bind failed; the listener tries again after retryMs. */
  listenError(err: NodeJS.ErrnoException, retryMs: number): void;
  accepted(conn: Connection): void;
  /** error: what the TLS handshake failed on, for reason "tls" (none for a peer that just hung up). */
  refused(ip: string, port: number, localPort: number, reason: RefuseReason, error?: Error): void;
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
  security?: ListenSecurity;
}

let unknownPeers = 0;

/**
 * The key of a connection being admitted: its peer "address|port". A peer that reset before it was
 * accepted has none (connection.ts); it gets a key of its own so it cannot take another one's place.
 */
function admissionKey(s: Socket): string {
  return s.remoteAddress === undefined ? `?${++unknownPeers}` : `${s.remoteAddress}|${s.remotePort}`;
}

export class Listener {
  private readonly server: Server;
  private readonly conns = new Set<Connection>();
  private retryTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** The node's handlers, plus bookkeeping of this listener's own connections; shared by all of them. */
  private readonly connHandlers: ConnectionHandlers;
  /** Set when any security option is on: connections then take the guarded path. */
  private readonly sec: ListenSecurity | undefined;
  private readonly tlsServer: TlsServer | undefined;
  /** Connections being admitted, by their raw socket's "address|port" (PROXY header or TLS handshake under way). */
  private readonly admitting = new Map<string, Admission>();
  /** Live and admitting connections per peer address (only with maxPerIp). */
  private readonly perIp = new Map<string, number>();

  constructor(private readonly o: ListenerOptions) {
    const h = o.handlers;
    this.connHandlers = {
      messages: (batch, c) => h.messages(batch, c),
      frameError: (err, msg, c) => h.frameError(err, msg, c),
      readTimeout: (c, probed) => h.readTimeout(c, probed),
      skipped: (n, c) => h.skipped(n, c),
      socketError: (err, c) => h.socketError(err, c),
      closed: (c, why) => {
        this.conns.delete(c);
        h.closed(c, why);
      },
    };
    const sec = o.security;
    const guarded = !!sec && (!!sec.access || (sec.maxPerIp ?? 0) > 0 || (sec.proxy ?? "off") !== "off" || !!sec.tls);
    this.sec = guarded ? sec : undefined;
    if (sec?.tls) {
      const ts = createTlsServer({ ...sec.tls.options, handshakeTimeout: sec.handshakeTimeoutMs ?? TLS_HANDSHAKE_TIMEOUT_MS });
      ts.on("secureConnection", (s: TLSSocket) => this.onSecure(s));
      // With a listener here Node.js reports a failed or timed-out handshake and keeps the socket open (it
      // would go on counting against the limits, a lock-out by silent peers): destroy it. The raw socket's
      // close then reports the refusal (admitPeer), with this error.
      ts.on("tlsClientError", (err: Error, s: TLSSocket) => {
        const a = this.admitting.get(admissionKey(s));
        if (a && !a.error) a.error = err;
        s.destroy();
        a?.raw.destroy();
      });
      this.tlsServer = ts;
    }
    this.server = createServer({ noDelay: true }, guarded ? (socket) => this.onGuarded(socket) : (socket) => this.onConnection(socket));
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
    for (const a of this.admitting.values()) a.raw.destroy();
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

  /** Refused: the socket is destroyed before any byte of it is read, then reported. */
  private refuse(socket: Socket, ip: string, port: number, localPort: number, reason: RefuseReason): void {
    socket.on("error", () => undefined);
    socket.destroy();
    this.o.handlers.refused(ip, port, localPort, reason);
  }

  private refusal(ip: string): RefuseReason | undefined {
    const sec = this.sec as ListenSecurity;
    if (sec.access && !sec.access.permits(ip)) return "denied";
    const max = this.o.listen.maxConnections;
    if (max > 0 && this.conns.size + this.admitting.size >= max) return "max-connections";
    const perIp = sec.maxPerIp ?? 0;
    if (perIp > 0 && (this.perIp.get(ip) ?? 0) >= perIp) return "per-ip-limit";
    return this.o.admit?.();
  }

  /** The accept path with access control, per-address limits, PROXY protocol or TLS. */
  private onGuarded(raw: Socket): void {
    if (this.stopping) {
      raw.destroy();
      return;
    }
    raw.on("error", () => undefined);
    const ip = plainAddress(raw.remoteAddress ?? "");
    const port = raw.remotePort ?? 0;
    const localPort = raw.localPort ?? 0;
    const mode = (this.sec as ListenSecurity).proxy ?? "off";
    if (mode === "off") {
      this.admitPeer(raw, ip, port, localPort);
      return;
    }
    // Only a trusted balancer may name the client: anyone else could claim any address.
    const from = (this.sec as ListenSecurity).proxyFrom;
    if (from && !from.permits(ip)) {
      this.refuse(raw, ip, port, localPort, "proxy-untrusted");
      return;
    }
    // Only the header is read; the allow/deny lists then apply to the client it names.
    // Connections still sending their header count against the connection limit.
    const max = this.o.listen.maxConnections;
    if (max > 0 && this.conns.size + this.admitting.size >= max) {
      this.refuse(raw, ip, port, localPort, "max-connections");
      return;
    }
    const key = admissionKey(raw);
    const a: Admission = { ip, port, localPort, raw, settled: false };
    this.admitting.set(key, a);
    const parser = new ProxyHeaderParser(mode);
    const done = (): void => {
      clearTimeout(timer);
      raw.removeListener("data", onData);
      raw.removeListener("close", onClose);
      this.admitting.delete(key);
    };
    const fail = (): void => {
      done();
      this.refuse(raw, ip, port, localPort, "proxy-header");
    };
    const onClose = (): void => fail();
    const onData = (chunk: Buffer): void => {
      let r;
      try {
        r = parser.push(chunk);
      } catch {
        fail();
        return;
      }
      if (!r.done) return;
      done();
      raw.pause();
      if (r.rest.length > 0) raw.unshift(r.rest);
      const src = r.header.source;
      this.admitPeer(raw, src ? plainAddress(src.address) : ip, src ? src.port : port, localPort);
    };
    const timer = setTimeout(fail, (this.sec as ListenSecurity).proxyTimeoutMs ?? PROXY_HEADER_TIMEOUT_MS);
    raw.on("data", onData);
    raw.once("close", onClose);
  }

  /** ip/port: the real client (the socket's peer, or the one a PROXY header named). */
  private admitPeer(raw: Socket, ip: string, port: number, localPort: number): void {
    if (this.stopping) {
      raw.destroy();
      return;
    }
    const reason = this.refusal(ip);
    if (reason) {
      this.refuse(raw, ip, port, localPort, reason);
      return;
    }
    const sec = this.sec as ListenSecurity;
    if ((sec.maxPerIp ?? 0) > 0) {
      this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
      raw.once("close", () => {
        const n = (this.perIp.get(ip) ?? 1) - 1;
        if (n <= 0) this.perIp.delete(ip);
        else this.perIp.set(ip, n);
      });
    }
    if (!this.tlsServer) {
      this.attach(raw, ip, port);
      raw.resume(); // paused after a PROXY header; bytes that came with it were put back
      return;
    }
    const key = admissionKey(raw);
    const a: Admission = { ip, port, localPort, raw, settled: false };
    this.admitting.set(key, a);
    raw.once("close", () => {
      if (this.admitting.get(key) === a) this.admitting.delete(key);
      if (!a.settled && !this.stopping) this.o.handlers.refused(ip, port, localPort, "tls", a.error);
    });
    this.tlsServer.emit("connection", raw);
  }

  private onSecure(s: TLSSocket): void {
    const key = admissionKey(s);
    const a = this.admitting.get(key);
    if (!a || this.stopping) {
      s.destroy();
      return;
    }
    a.settled = true;
    this.admitting.delete(key);
    rememberRaw(s, a.raw);
    this.attach(s, a.ip, a.port);
  }

  private attach(socket: Socket, ip: string, port: number): void {
    const conn = attachConnection(socket, this.o.registry, this.o.owner, "in", this.o.inbound, this.connHandlers, { address: ip, port });
    if (!conn) return;
    this.conns.add(conn);
    this.o.handlers.accepted(conn);
  }
}
