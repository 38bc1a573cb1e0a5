/**
 * The ezTCP "TCP server/client" mode without Node-RED: one link at a time,
 * made by whichever side needs it.
 *
 *   listening ──(peer connects)──────────────▶ linked-in ──(closed)──▶ listening
 *   listening ──(eventBytes waiting)─▶ dialling ──▶ linked-out ──(closed)──▶ holding-off
 *                                        └──(failed)──▶ holding-off ──(hold-off over)──▶ listening
 *
 * The listener runs in every mode; while a link exists it refuses other
 * connections ("busy"). A peer that connects while a dial is under way or
 * during the hold-off wins: the dial is abandoned and the link is the peer's.
 *
 * Input bytes ("serial side") wait in one bounded buffer while there is no
 * link, and are written first thing when a link is made, in either
 * direction. While linked they are written at once, or, with a frame
 * interval, when the input has paused that long. The idle timeout counts
 * bytes in both directions. Bytes accepted are written to a peer or handed
 * back (write failures, stop) for the caller to report: nothing goes silently.
 */
import type { Socket } from "node:net";
import type { ConnectionOptions } from "node:tls";
import { BoundedBuffer, type PushResult } from "./buffer";
import type { BridgeConfig } from "./config";
import { attachConnection, type Connection, type ConnectionHandlers } from "../inbound/connection";
import type { FrameTooLargeError } from "../inbound/framing";
import type { IncompleteFrameError, InboundMessage, InboundOptions } from "../inbound/stream";
import type { ListenConfig } from "../inbound/listen-config";
import { Listener, type ListenSecurity, type RefuseReason } from "../inbound/listener";
import type { CloseReason, SessionOwner, SessionRegistry } from "../sessions/registry";
import { CodedError } from "../base/coded-error";
import { dial, DialError, type Connector, type Dialing } from "../base/dial";
import { TrackedWriter } from "../base/tracked-writer";

export type BridgeMode = "listening" | "dialling" | "linked-in" | "linked-out" | "holding-off" | "stopped";

/** How long stop() lets a link flush what was written before it is cut. */
export const STOP_GRACE_MS = 2000;

export interface BridgeHandlers {
  mode(mode: BridgeMode): void;
  listening(port: number): void;
  listenError(err: NodeJS.ErrnoException, retryMs: number): void;
  /** A dial starts; retry: the one before it failed (no link came up since). */
  dialling(host: string, port: number, retry: boolean): void;
  /** The dial failed; the next one comes after the hold-off. */
  dialFailed(err: Error & { code?: string }, holdOffMs: number): void;
  linked(conn: Connection): void;
  refused(ip: string, port: number, localPort: number, reason: RefuseReason, error?: Error): void;
  /** No byte either way for the idle timeout; the link is closed right after. */
  timeout(conn: Connection): void;
  unlinked(conn: Connection, reason: CloseReason): void;
  messages(batch: InboundMessage[], conn: Connection): void;
  frameError(err: FrameTooLargeError | IncompleteFrameError, msg: InboundMessage, conn: Connection): void;
  /** Bytes outside any frame, skipped: one call per socket read. */
  skipped(count: number, conn: Connection): void;
  socketError(err: Error, conn: Connection): void;
  /**
   * Called when a link closed: accepted bytes written to it that were not
   * confirmed sent (it failed or was cut while they waited in it).
   */
  sendFailed(bytes: Buffer, err: Error, conn: Connection): void;
}

export interface BridgeOptions {
  /** Where to listen; its connection limit and read timeout are not used (one link, own idle timeout). */
  listen: ListenConfig;
  config: BridgeConfig;
  /** Framing of what peers send, for both directions of link. */
  inbound: InboundOptions;
  registry: SessionRegistry;
  owner: SessionOwner;
  handlers: BridgeHandlers;
  listenRetryMs?: number;
  stopGraceMs?: number;
  /** Access lists, PROXY protocol and TLS of the listening side. */
  security?: ListenSecurity;
  /** TLS client options for the dial-out (lib/tls-options); undefined = plain TCP. */
  dialTls?: ConnectionOptions;
  /** Opens the dial-out's socket (lib/base/dial); tests pass their own. */
  connector?: Connector;
}

export class BridgeCore {
  private readonly listener: Listener;
  /** One handlers object for every link (connection.ts shares its adapters per handlers object). */
  private readonly linkHandlers: ConnectionHandlers;
  private readonly pending: BoundedBuffer;
  private readonly cfg: BridgeConfig;
  private readonly h: BridgeHandlers;
  private _mode: BridgeMode = "listening";
  private link: Connection | undefined;
  private writer: TrackedWriter | undefined;
  private dialing: Dialing | undefined;
  /** The last dial failed and no link came up since: the next dial is a retry. */
  private dialFailed = false;
  private holdTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private packTimer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly o: BridgeOptions) {
    this.cfg = o.config;
    this.h = o.handlers;
    this.pending = new BoundedBuffer(o.config.maxBuffer, o.config.bufferPolicy);
    const h = this.h;
    this.linkHandlers = {
      messages: (batch, c) => h.messages(batch, c),
      frameError: (err, msg, c) => h.frameError(err, msg, c),
      skipped: (n, c) => h.skipped(n, c),
      readTimeout: () => undefined, // off: the bridge's idle timeout counts both directions
      socketError: (err, c) => h.socketError(err, c),
      closed: (c, why) => this.onUnlinked(c, why),
    };
    this.listener = new Listener({
      listen: { ...o.listen, maxConnections: 0, readTimeoutMs: 0 },
      inbound: { ...o.inbound, readTimeoutMs: 0 },
      registry: o.registry,
      owner: o.owner,
      admit: () => (this.link ? "busy" : undefined),
      retryMs: o.listenRetryMs,
      security: o.security,
      handlers: {
        ...this.linkHandlers,
        listening: (port) => h.listening(port),
        listenError: (err, retryMs) => h.listenError(err, retryMs),
        refused: (ip, port, localPort, reason, error) => h.refused(ip, port, localPort, reason, error),
        accepted: (conn) => this.onLinked(conn),
      },
    });
  }

  get mode(): BridgeMode {
    return this._mode;
  }

  /** Input bytes not yet written to a peer. */
  get buffered(): number {
    return this.pending.length;
  }

  /** The live link, if any. */
  get connection(): Connection | undefined {
    return this.link;
  }

  /** The port actually listened on (useful with port 0), once listening. */
  get listenPort(): number | undefined {
    return this.listener.port;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.listener.start();
    this.h.mode(this._mode);
    this.maybeDial();
  }

  /** Input from the serial side. Nothing of it is kept when the result says full. */
  write(data: Buffer): PushResult {
    if (this._mode === "stopped") return { accepted: 0, dropped: 0, full: true };
    const link = this.link;
    if (!link) {
      const r = this.pending.push(data);
      this.maybeDial();
      return r;
    }
    // A segment never grows beyond the buffer: send what is packed so far first.
    if (this.pending.length > 0 && this.pending.length + data.length > this.cfg.maxBuffer) this.flush();
    const r = this.pending.push(data, link.socket.writableLength);
    if (this.pending.length === 0) return r;
    if (this.cfg.frameIntervalMs === 0) {
      this.flush();
    } else {
      if (this.packTimer) this.packTimer.refresh();
      else this.packTimer = setTimeout(() => this.flush(), this.cfg.frameIntervalMs);
      this.idleTimer?.refresh(); // bytes on their way count as traffic
    }
    return r;
  }

  /**
   * Ends the link (after letting it flush, within a bound) and the listener,
   * releases the port, and returns the input bytes that were never written.
   */
  async stop(): Promise<Buffer> {
    if (this._mode === "stopped") return Buffer.alloc(0);
    this.setMode("stopped");
    this.clearTimers();
    this.abandonDial();
    const link = this.link;
    if (link) {
      this.flush();
      link.session.closeReason ??= "stopped";
      await endGracefully(link.socket, this.o.stopGraceMs ?? STOP_GRACE_MS);
    }
    await this.listener.stop();
    return this.pending.length > 0 ? this.pending.drain() : Buffer.alloc(0);
  }

  private setMode(mode: BridgeMode): void {
    if (this._mode === mode) return;
    this._mode = mode;
    this.h.mode(mode);
  }

  private maybeDial(): void {
    if (this._mode !== "listening" || this.link) return;
    const want = this.cfg.eventBytes === 0 || this.pending.length >= this.cfg.eventBytes;
    if (want) this.dial();
  }

  private dial(): void {
    const { peerHost: host, peerPort: port, connectTimeoutMs: timeoutMs, holdOffMs } = this.cfg;
    this.setMode("dialling");
    this.h.dialling(host, port, this.dialFailed);
    // An abandoned dial (a peer connected meanwhile, or stopping) never calls back.
    this.dialing = dial(
      { host, port, timeoutMs, tls: this.o.dialTls },
      (err, socket) => {
        this.dialing = undefined;
        const conn = socket && attachConnection(socket, this.o.registry, this.o.owner, "out", this.o.inbound, this.linkHandlers);
        if (conn) {
          this.onLinked(conn);
          return;
        }
        this.dialFailed = true;
        this.h.dialFailed(err ?? new DialError("ECONNRESET", `connection to ${host}:${port} closed at once`), holdOffMs);
        this.holdOff();
      },
      this.o.connector,
    );
  }

  private abandonDial(): void {
    const d = this.dialing;
    this.dialing = undefined;
    d?.abandon();
  }

  private holdOff(): void {
    if (this._mode === "stopped") return;
    this.setMode("holding-off");
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => {
      this.holdTimer = undefined;
      if (this._mode !== "holding-off") return;
      this.setMode("listening");
      this.maybeDial();
    }, this.cfg.holdOffMs);
  }

  private onLinked(conn: Connection): void {
    if (this._mode === "stopped") {
      conn.session.closeReason ??= "stopped";
      conn.socket.destroy();
      return;
    }
    this.abandonDial();
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.dialFailed = false;
    this.link = conn;
    this.writer = new TrackedWriter(conn.socket);
    this.setMode(conn.session.direction === "in" ? "linked-in" : "linked-out");
    this.h.linked(conn);
    if (this.cfg.idleTimeoutMs > 0) {
      this.idleTimer = setTimeout(() => this.onIdle(conn), this.cfg.idleTimeoutMs);
      conn.socket.on("data", () => this.idleTimer?.refresh());
    }
    this.flush(); // what waited goes first, right after connecting
  }

  private onIdle(conn: Connection): void {
    if (this.link !== conn) return;
    conn.session.closeReason ??= "timeout";
    this.h.timeout(conn);
    conn.socket.destroy();
  }

  private flush(): void {
    if (this.packTimer) clearTimeout(this.packTimer);
    this.packTimer = undefined;
    if (!this.link || !this.writer || this.pending.length === 0) return;
    this.idleTimer?.refresh();
    this.writer.write(this.pending.drain());
  }

  private onUnlinked(conn: Connection, reason: CloseReason): void {
    if (this.link !== conn) return;
    this.link = undefined;
    const lost = this.writer?.unconfirmed();
    this.writer = undefined;
    if (lost) {
      const err = lost.error ?? new CodedError("ECONNRESET", "the link closed before these bytes were written");
      this.h.sendFailed(lost.bytes, err, conn);
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.packTimer) clearTimeout(this.packTimer);
    this.packTimer = undefined; // bytes still packing stay waiting for the next link
    this.h.unlinked(conn, reason);
    if (this._mode === "stopped") return;
    if (conn.session.direction === "out") {
      this.holdOff();
    } else {
      this.setMode("listening");
      this.maybeDial();
    }
  }

  private clearTimers(): void {
    for (const t of [this.holdTimer, this.idleTimer, this.packTimer]) if (t) clearTimeout(t);
    this.holdTimer = this.idleTimer = this.packTimer = undefined;
  }
}

/** end() lets written bytes go out with the FIN; destroy() follows once they have, or after graceMs. */
function endGracefully(socket: Socket, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) {
      resolve();
      return;
    }
    const finish = (): void => {
      clearTimeout(bound);
      socket.destroy();
    };
    const bound = setTimeout(finish, graceMs);
    socket.once("close", () => {
      clearTimeout(bound);
      resolve();
    });
    socket.once("finish", finish);
    socket.end();
  });
}
