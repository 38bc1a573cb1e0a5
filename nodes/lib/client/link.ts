/**
 * A persistent connection to one device (Q-SYS TcpSocket, ezTCP TCP client
 * mode) without Node-RED: dial, keep, notice when it is gone, dial again.
 *
 *   idle ──(start / a write)──▶ connecting ──(dialled, greeting done)──▶ connected
 *     ▲                            │  ▲                                      │
 *     │ (bound used up: gave up)   ▼  │ (wait over)                          │ (closed)
 *     └──────────────────────── waiting ◀────────────────────────────────────┘
 *   any ──(stop)──▶ stopped
 *
 * When to connect: "always" dials at start and after every loss; "on-first-write"
 * waits for the first write and then behaves as "always"; "per-write" dials
 * when a write waits and closes the link after idleCloseMs without traffic.
 * Waits between attempts come from the backoff; a link that stayed up for
 * stableMs starts the next round from the first wait (a device that accepts
 * and closes at once does not get dialled in a tight loop).
 *
 * "connecting" covers the dial, the TLS handshake and the greeting: greeting
 * bytes go first on every connection, before anything queued, and with an
 * expected answer the link is connected only once that answer frame came.
 *
 * Writes: while the link is not connected (or the socket wants a drain, or the
 * flow hook says wait) they wait in the outbox (bounded, with its policy and
 * maximum age; the limits bound what waits, so a write that can go out at
 * once never meets them). Every write ends exactly once, in handlers.sent
 * (the kernel took all its bytes: write callback on a live socket) or
 * handlers.failed with a ClientError: EQUEUEFULL, ESTALE, ESENDFAILED
 * (written into a link that failed before confirming it), ESTOPPED, or the
 * dial's code when a bounded round gave up. failed may be called from inside
 * write() (queue full, stopped); sent never is. Sent is what TCP can confirm:
 * the local kernel took the bytes, not that the device read them.
 *
 * Liveness: TCP keep-alive (keepAliveMs), the read timeout of the inbound
 * stream (nothing received that long), the application heartbeat
 * (heartbeat.ts) and a write timeout (written bytes the kernel does not take,
 * a device that stopped reading). Each closes the link and it is dialled
 * again; the cause goes with handlers.closed.
 *
 * The connection is a session in the registry (lib/sessions) and its inbound
 * bytes are framed by the shared inbound stream (lib/inbound/connection.ts).
 * stop(boundMs) lets queued and written entries finish within the bound, then
 * ends the rest with ESTOPPED; it resolves once socket and timers are gone.
 */
import type { Socket } from "node:net";
import { Backoff, type BackoffOptions } from "./backoff";
import { defaultDial, type Dial, type DialOptions } from "./dial";
import { EntryWriter } from "./entry-writer";
import {
  connectError,
  gaveUpError,
  greetingMismatchError,
  greetingTimeoutError,
  heartbeatLostError,
  queueFullError,
  readTimeoutError,
  sendFailedError,
  staleError,
  stoppedError,
  writeTimeoutError,
  ClientError,
} from "./errors";
import { Heartbeat, checkHeartbeat, type HeartbeatOptions } from "./heartbeat";
import { Outbox, type OutboxEntry, type OutboxLimits } from "./outbox";
import { attachConnection, type Connection, type ConnectionHandlers } from "../inbound/connection";
import type { FrameTooLargeError } from "../inbound/framing";
import type { IncompleteFrameError, InboundMessage, InboundOptions } from "../inbound/stream";
import { peerLabel, type CloseReason, type SessionOwner, type SessionRegistry } from "../sessions/registry";
import { resetSocket } from "../base/socket-reset";

export type ConnectPolicy = "always" | "on-first-write" | "per-write";
export const CONNECT_POLICIES: readonly ConnectPolicy[] = ["always", "on-first-write", "per-write"];

export type LinkState = "idle" | "connecting" | "connected" | "waiting" | "stopped";

export interface GreetingOptions {
  /** Sent first on every connection. */
  bytes: Buffer;
  /** Wait for an answer frame before the link counts as connected. */
  answer?: {
    timeoutMs: number;
    /** The answer frame must contain this; undefined: any frame will do. */
    expect?: Buffer | string;
  };
}

/** Where and how to dial (DialOptions: host, port, local end, TLS, connect timeout), and everything else. */
export interface LinkOptions<T> extends DialOptions {
  connect: ConnectPolicy;
  /** per-write: nothing waiting, written or received for this long closes the link. */
  idleCloseMs: number;
  backoff: BackoffOptions;
  /** A link up this long counts as good: the next loss starts again from the first wait. */
  stableMs: number;
  /** TCP keep-alive probes after this long without traffic; 0 = off. */
  keepAliveMs: number;
  /** Written bytes not taken by the kernel within this long reset the link; 0 = off. */
  writeTimeoutMs: number;
  heartbeat?: HeartbeatOptions;
  greeting?: GreetingOptions;
  queue: OutboxLimits;
  /** Framing and decoding of what the device sends; its readTimeoutMs (0 = off) closes a silent link. */
  inbound: InboundOptions;
  registry: SessionRegistry;
  owner: SessionOwner;
  handlers: LinkHandlers<T>;
  /** For a layer on top (requests.ts) that decides when the next entry may go. */
  flow?: LinkFlow<T>;
  dial?: Dial;
  random?: () => number;
  now?: () => number;
}

export interface LinkStatus {
  state: LinkState;
  /** "host:port". */
  peer: string;
  /** connecting: the attempt under way; waiting: the next one (1 = the round's first); else 0. */
  attempt: number;
  /** waiting: when the next attempt starts. */
  nextAttemptAt?: number;
  /** The error of the last failed attempt or lost link. */
  lastError?: Error;
  connectedAt?: number;
  queued: number;
  queuedBytes: number;
  /** Entries written to the socket, not yet confirmed. */
  unconfirmed: number;
}

export interface LinkHandlers<T> {
  /** The state, attempt or next attempt time changed. */
  status(s: LinkStatus): void;
  /** Dialled, greeting done: writes go out now. */
  connected(conn: Connection): void;
  /** A connection ended; cause: our reason to close it (a timeout, a wrong greeting answer) or the socket's error. */
  closed(conn: Connection, reason: CloseReason, cause: Error | undefined): void;
  dialFailed(err: ClientError): void;
  /** The next attempt comes after waitMs (retry: its number in this round). */
  reconnecting(retry: number, waitMs: number): void;
  /** The bound of a round was used up: queued entries failed, the link is idle until the next write. */
  gaveUp(err: ClientError): void;
  /** Frames from the device, in order (not the greeting's or a heartbeat's answer). */
  frames(batch: InboundMessage[], conn: Connection): void;
  frameError(err: FrameTooLargeError | IncompleteFrameError, msg: InboundMessage, conn: Connection): void;
  /** Bytes outside any frame, skipped: one call per socket read. */
  skipped(count: number, conn: Connection): void;
  sent(ctx: T): void;
  failed(ctx: T, err: ClientError): void;
}

export interface LinkFlow<T> {
  /** May the next queued entry be written now? */
  mayWrite(): boolean;
  /** Something written still awaits an answer: no heartbeat, no idle close, stop waits. */
  busy(): boolean;
  /** The entry was handed to the socket. */
  written(ctx: T): void;
}

const GREETING = Symbol("greeting");
const HEARTBEAT = Symbol("heartbeat");
type Written<T> = OutboxEntry<T> | typeof GREETING | typeof HEARTBEAT;

interface Live<T> {
  conn: Connection;
  socket: Socket;
  writer: EntryWriter<Written<T>>;
  /** connecting until the greeting is done. */
  ready: boolean;
  /** Waiting for the greeting's answer frame. */
  greetingAnswer: boolean;
  heartbeat: Heartbeat | undefined;
  /** Why we closed it (timeouts, greeting), reported with closed(). */
  cause: Error | undefined;
  /** The socket's own error, if any. */
  error: Error | undefined;
  /** We are ending it (idle close, stop): nothing more is written. */
  closing: boolean;
  timers: Array<NodeJS.Timeout | undefined>;
  writeTimer: NodeJS.Timeout | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  connectedAt: number;
}

const noop = (): void => undefined;

/** An orderly close (idle, stop) waits this long at most for the FIN to go out. */
export const END_GRACE_MS = 2000;

export class Link<T> {
  private readonly h: LinkHandlers<T>;
  private readonly outbox: Outbox<T>;
  private readonly backoff: Backoff;
  private readonly dial: Dial;
  private readonly now: () => number;
  private readonly peer: string;
  /** One handlers object for every connection of this link (connection.ts shares its adapter per object). */
  private readonly connHandlers: ConnectionHandlers;
  private _state: LinkState = "idle";
  private started = false;
  private live: Live<T> | undefined;
  private dialAbort: AbortController | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private nextAttemptAt: number | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private lastError: Error | undefined;
  /**
   * stop(): "draining" while queued and written entries may still finish,
   * "closing" once they have (or the bound cut them) and only the socket is left.
   */
  private stopping: { phase: "draining" | "closing"; deadline: number; timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private stopped: Promise<void> | undefined;
  /** What goes first on every connection; the node's setting, or what a message set (setGreeting). */
  private greeting: GreetingOptions | undefined;

  constructor(private readonly o: LinkOptions<T>) {
    this.h = o.handlers;
    this.greeting = o.greeting;
    this.outbox = new Outbox<T>(o.queue);
    this.now = o.now ?? Date.now;
    this.backoff = new Backoff(o.backoff, o.random, this.now);
    this.dial = o.dial ?? defaultDial;
    this.peer = peerLabel(o.host, o.port);
    if (o.heartbeat) checkHeartbeat(o.heartbeat);
    this.connHandlers = {
      messages: (batch, c) => this.onFrames(batch, c),
      frameError: (err, msg, c) => this.h.frameError(err, msg, c),
      skipped: (n, c) => this.h.skipped(n, c),
      readTimeout: (c) => this.onReadTimeout(c),
      socketError: (err, c) => {
        if (this.live?.conn === c) this.live.error ??= err;
      },
      closed: (c, why) => this.onClosed(c, why),
    };
  }

  get state(): LinkState {
    return this._state;
  }

  /**
   * Replaces the greeting's bytes from the next connection on (the one up now
   * stays as it is: it was greeted already). Empty bytes: no greeting. The
   * answer rule (wait, expect) stays the node's.
   */
  setGreeting(bytes: Buffer): void {
    const answer = this.o.greeting?.answer;
    this.greeting = bytes.length === 0 ? undefined : answer ? { bytes, answer } : { bytes };
  }

  /** The live connection (connecting or connected), if any. */
  get connection(): Connection | undefined {
    return this.live?.conn;
  }

  status(): LinkStatus {
    const s: LinkStatus = {
      state: this._state,
      peer: this.peer,
      attempt: this._state === "connecting" || this._state === "waiting" ? this.attempt : 0,
      queued: this.outbox.length,
      queuedBytes: this.outbox.bytes,
      unconfirmed: this.live?.writer.length ?? 0,
    };
    if (this._state === "waiting" && this.nextAttemptAt !== undefined) s.nextAttemptAt = this.nextAttemptAt;
    if (this.lastError) s.lastError = this.lastError;
    if (this.live?.ready) s.connectedAt = this.live.connectedAt;
    return s;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.h.status(this.status());
    if (this.o.connect === "always" || this.outbox.length > 0) this.connectNow();
  }

  /**
   * Queues bytes for the device (the caller must not change them afterwards); see the header for how each ends.
   * kept: a job kept on disk from before a restart, queued past the queue's limits (it was accepted then).
   */
  write(bytes: Buffer, ctx: T, kept = false): void {
    if (this.stopping || this.stopped) {
      this.h.failed(ctx, stoppedError(this.peer, false));
      return;
    }
    const entry: OutboxEntry<T> = { bytes, ctx, at: this.now() };
    const live = this.live;
    if (this.outbox.length === 0 && live && this.mayWrite(live)) {
      this.writeEntry(live, entry);
      return;
    }
    const r = this.outbox.push(entry, kept);
    const q = this.o.queue;
    for (const old of r.dropped)
      this.h.failed(old.ctx, queueFullError(this.peer, q.policy, "oldest", q.maxMessages, q.maxBytes, old.bytes.length));
    if (!r.taken) this.h.failed(ctx, queueFullError(this.peer, q.policy, "this", q.maxMessages, q.maxBytes, bytes.length));
    this.armExpiry();
    if (r.taken) {
      // Idle: not dialled yet (on-first-write, per-write), or a bounded round gave up: a write starts one.
      if (this.started && this._state === "idle") this.connectNow();
      else if (live) this.pump();
    }
  }

  /**
   * Closes the live connection now and dials again as after any loss: with a
   * reset (RST) when what is still on its way must not reach the device any
   * more (a request that timed out, so its late reply cannot follow).
   */
  reset(cause: Error, rst = true): void {
    const live = this.live;
    if (live) this.closeLive(live, cause, "timeout", rst ? "reset" : "destroy");
  }

  /** Writes what may go now (after the flow hook's gate opened). */
  pump(): void {
    const live = this.live;
    if (live) {
      this.expireStale();
      while (this.outbox.length > 0 && this.mayWrite(live)) this.writeEntry(live, this.outbox.shift() as OutboxEntry<T>);
      this.armExpiry();
    }
    this.checkStopped();
  }

  /**
   * Stops taking writes; what is queued or written may still finish for
   * boundMs (a connection under way or due within the bound may still come),
   * the rest ends with ESTOPPED. Resolves once the socket and every timer are
   * gone; the link cannot be started again.
   */
  stop(boundMs: number): Promise<void> {
    if (this.stopped) return this.stopped;
    const deadline = this.now() + boundMs;
    this.stopped = new Promise<void>((resolve) => {
      this.stopping = { phase: "draining", deadline, timer: setTimeout(() => this.cut(), boundMs), resolve };
    });
    const hopeless = !this.started || this._state === "idle" || (this._state === "waiting" && (this.nextAttemptAt ?? 0) > deadline);
    if (hopeless) this.cut();
    else this.checkStopped();
    return this.stopped;
  }

  // ---- connecting ----

  private connectNow(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.nextAttemptAt = undefined;
    this.attempt = this.backoff.retry + 1;
    this.setState("connecting");
    const abort = new AbortController();
    this.dialAbort = abort;
    const o = this.o;
    const opts = {
      host: o.host,
      port: o.port,
      localAddress: o.localAddress,
      localPort: o.localPort,
      tls: o.tls,
      connectTimeoutMs: o.connectTimeoutMs,
    };
    let dialled: Promise<Socket>;
    try {
      dialled = this.dial(opts, abort.signal);
    } catch (err) {
      dialled = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    dialled.then(
      (socket) => {
        if (this.dialAbort !== abort) {
          socket.on("error", noop);
          socket.destroy();
          return;
        }
        this.dialAbort = undefined;
        this.onDialled(socket);
      },
      (err: unknown) => {
        if (this.dialAbort !== abort) return;
        this.dialAbort = undefined;
        const e = connectError(this.peer, this.attempt, err instanceof Error ? err : new Error(String(err)));
        this.lastError = e;
        this.h.dialFailed(e);
        this.afterLoss(e);
      },
    );
  }

  private onDialled(socket: Socket): void {
    socket.on("error", noop); // connection.ts reports errors; this only keeps a late one from being uncaught
    const conn = attachConnection(socket, this.o.registry, this.o.owner, "out", this.o.inbound, this.connHandlers);
    if (!conn) {
      const e = connectError(this.peer, this.attempt, Object.assign(new Error("the connection closed at once"), { code: "ECONNRESET" }));
      this.lastError = e;
      this.h.dialFailed(e);
      this.afterLoss(e);
      return;
    }
    if (this.o.keepAliveMs > 0) socket.setKeepAlive(true, this.o.keepAliveMs);
    else socket.setKeepAlive(false);
    const live: Live<T> = {
      conn,
      socket,
      writer: new EntryWriter<Written<T>>(socket, (w) => this.onConfirmed(live, w)),
      ready: false,
      greetingAnswer: false,
      heartbeat: undefined,
      cause: undefined,
      error: undefined,
      closing: false,
      timers: [],
      writeTimer: undefined,
      idleTimer: undefined,
      connectedAt: 0,
    };
    this.live = live;
    socket.on("drain", () => {
      if (this.live === live) this.pump();
    });
    socket.on("data", () => this.onData(live));
    const g = this.greeting;
    if (!g) {
      this.becomeReady(live);
      return;
    }
    this.writeRaw(live, g.bytes, GREETING);
    if (g.answer) {
      const answer = g.answer;
      live.greetingAnswer = true;
      live.timers.push(
        setTimeout(() => {
          if (this.live === live && live.greetingAnswer)
            this.closeLive(live, greetingTimeoutError(this.peer, answer.timeoutMs), "timeout", "destroy");
        }, answer.timeoutMs),
      );
    }
  }

  private becomeReady(live: Live<T>): void {
    live.ready = true;
    live.connectedAt = this.now();
    this.lastError = undefined;
    this.attempt = 0;
    live.timers.push(setTimeout(() => this.backoff.reset(), this.o.stableMs));
    const hb = this.o.heartbeat;
    if (hb) {
      live.heartbeat = new Heartbeat(hb, {
        mayProbe: () => !live.closing && !(this.o.flow?.busy() ?? false),
        send: (bytes) => this.writeRaw(live, bytes, HEARTBEAT),
        lost: () => this.closeLive(live, heartbeatLostError(this.peer, hb.answerMs), "timeout", "reset"),
      });
    }
    if (this.o.connect === "per-write") live.idleTimer = setTimeout(() => this.onIdle(live), this.o.idleCloseMs);
    this.setState("connected");
    this.h.connected(live.conn);
    this.pump();
  }

  // ---- writing ----

  private mayWrite(live: Live<T>): boolean {
    return (
      live.ready &&
      !live.closing &&
      live.socket.writable && // the device may have closed it: what waits stays queued for the next link
      !live.socket.writableNeedDrain &&
      !(live.heartbeat?.probing ?? false) &&
      this.stopping?.phase !== "closing" &&
      (this.o.flow?.mayWrite() ?? true)
    );
  }

  private writeEntry(live: Live<T>, entry: OutboxEntry<T>): void {
    this.writeRaw(live, entry.bytes, entry);
    this.o.flow?.written(entry.ctx);
  }

  private writeRaw(live: Live<T>, bytes: Buffer, w: Written<T>): void {
    live.idleTimer?.refresh();
    const ms = this.o.writeTimeoutMs;
    if (ms > 0 && live.writer.length === 0) {
      if (live.writeTimer) live.writeTimer.refresh();
      else live.writeTimer = setTimeout(() => this.onWriteTimeout(live), ms);
    }
    live.writer.write(bytes, w);
  }

  private onConfirmed(live: Live<T>, w: Written<T>): void {
    live.idleTimer?.refresh();
    if (live.writeTimer) {
      if (live.writer.length > 0) live.writeTimer.refresh();
      else {
        clearTimeout(live.writeTimer);
        live.writeTimer = undefined;
      }
    }
    if (w === HEARTBEAT) return;
    if (w === GREETING) {
      if (!live.greetingAnswer && this.live === live && !live.ready) this.becomeReady(live);
      return;
    }
    this.h.sent(w.ctx);
    this.checkStopped();
  }

  private onWriteTimeout(live: Live<T>): void {
    live.writeTimer = undefined;
    if (this.live !== live || live.writer.length === 0) return;
    this.closeLive(live, writeTimeoutError(this.peer, live.writer.bytes, this.o.writeTimeoutMs), "timeout", "reset");
  }

  // ---- reading ----

  private onFrames(batch: InboundMessage[], conn: Connection): void {
    const live = this.live;
    let rest = batch;
    if (live?.conn === conn) {
      if (live.greetingAnswer && rest.length > 0) {
        const answer = rest[0];
        rest = rest.slice(1);
        live.greetingAnswer = false;
        const expect = this.greeting?.answer?.expect;
        if (expect !== undefined && !contains(answer.payload, expect)) {
          this.closeLive(live, greetingMismatchError(this.peer, preview(answer.payload)), "error", "destroy");
        } else if (!live.socket.destroyed) {
          this.becomeReady(live); // an answer also proves the greeting arrived, confirmed or not yet
        }
      }
      const hb = live.heartbeat;
      if (hb?.probing && this.o.heartbeat?.consumeAnswer && rest.length > 0) {
        rest = rest.slice(1);
        hb.answered();
      }
    }
    if (rest.length > 0) this.h.frames(rest, conn);
    if (this.live === live) this.pump();
  }

  private onData(live: Live<T>): void {
    live.idleTimer?.refresh();
    const hb = live.heartbeat;
    if (!hb) return;
    hb.activity();
    if (!this.o.heartbeat?.consumeAnswer) hb.answered();
  }

  private onReadTimeout(c: Connection): void {
    const live = this.live;
    if (live?.conn === c) live.cause ??= readTimeoutError(this.peer, this.o.inbound.readTimeoutMs);
  }

  private onIdle(live: Live<T>): void {
    if (this.live !== live || live.closing) return;
    const quiet = this.outbox.length === 0 && live.writer.length === 0 && !(this.o.flow?.busy() ?? false);
    if (!quiet) {
      live.idleTimer?.refresh();
      return;
    }
    this.closeLive(live, undefined, "idle", "end");
  }

  // ---- closing ----

  /**
   * Ends the live connection; onClosed follows when the socket has closed.
   * end: a FIN after what is written (nothing is wrong; destroyed at the
   * latest after END_GRACE_MS); destroy: at once; reset: at once with an RST,
   * so nothing still on its way reaches the device.
   */
  private closeLive(live: Live<T>, cause: Error | undefined, reason: CloseReason, how: "end" | "destroy" | "reset"): void {
    if (live.socket.destroyed) return;
    live.cause ??= cause;
    live.conn.session.closeReason ??= reason;
    live.closing = true;
    live.heartbeat?.stop();
    if (how === "reset") {
      resetSocket(live.socket);
    } else if (how === "end") {
      live.socket.end();
      live.socket.once("finish", () => live.socket.destroy());
      live.timers.push(setTimeout(() => live.socket.destroy(), END_GRACE_MS));
    } else {
      live.socket.destroy();
    }
  }

  private onClosed(conn: Connection, reason: CloseReason): void {
    const live = this.live;
    if (live?.conn !== conn) return;
    this.live = undefined;
    for (const t of [...live.timers, live.writeTimer, live.idleTimer]) if (t) clearTimeout(t);
    live.heartbeat?.stop();
    const cause = live.cause ?? live.error;
    const cut = this.stopping?.phase === "closing";
    for (const w of live.writer.unconfirmed()) {
      if (w === GREETING || w === HEARTBEAT) continue;
      let err: ClientError;
      if (cut) err = stoppedError(this.peer, true);
      else if (live.cause instanceof ClientError && live.cause.kind === "write-timeout")
        err = writeTimeoutError(this.peer, w.bytes.length, this.o.writeTimeoutMs);
      else err = sendFailedError(this.peer, w.bytes.length, reason, cause);
      this.h.failed(w.ctx, err);
    }
    if (cause) this.lastError = cause;
    this.h.closed(conn, reason, cause);
    if (this.stopping && (cut || this.nothingLeft())) {
      this.finishStop();
      return;
    }
    if (reason === "idle" && this.outbox.length === 0) {
      this.backoff.reset();
      this.setState("idle");
      return;
    }
    if (reason === "idle") {
      this.backoff.reset();
      this.connectNow();
      return;
    }
    this.afterLoss(cause);
  }

  /** After a failed attempt or a lost link: wait and dial again, give up, or go idle. */
  private afterLoss(cause: Error | undefined): void {
    if (this.stopping?.phase === "closing") return;
    if (this.o.connect === "per-write" && this.outbox.length === 0) {
      this.backoff.reset();
      this.setState("idle");
      this.checkStopped();
      return;
    }
    const next = this.backoff.next();
    if (!next) {
      this.giveUp(cause);
      return;
    }
    this.attempt = next.retry + 1;
    this.nextAttemptAt = this.now() + next.waitMs;
    if (this.stopping && this.nextAttemptAt > this.stopping.deadline) {
      this.cut();
      return;
    }
    this.setState("waiting");
    this.h.reconnecting(next.retry, next.waitMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connectNow();
    }, next.waitMs);
  }

  private giveUp(cause: Error | undefined): void {
    const err = gaveUpError(this.peer, this.backoff.retry + 1, this.backoff.elapsed(), cause);
    this.backoff.reset();
    this.lastError = err;
    this.attempt = 0;
    // Out of the queue before the status goes out: it must not count writes that are failing.
    const left = this.outbox.drain();
    this.setState("idle");
    this.h.gaveUp(err);
    for (const e of left) this.h.failed(e.ctx, err);
    this.armExpiry();
    this.checkStopped();
  }

  // ---- stale entries ----

  private expireStale(): void {
    const max = this.o.queue.maxAgeMs;
    if (max === 0) return;
    const now = this.now();
    for (const e of this.outbox.expire(now)) this.h.failed(e.ctx, staleError(this.peer, now - e.at, max));
  }

  private armExpiry(): void {
    const at = this.outbox.nextExpiry();
    if (at === undefined) {
      if (this.expiryTimer) clearTimeout(this.expiryTimer);
      this.expiryTimer = undefined;
      return;
    }
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(
      () => {
        this.expiryTimer = undefined;
        this.expireStale();
        this.armExpiry();
        this.checkStopped();
      },
      Math.max(0, at - this.now()),
    );
  }

  // ---- stopping ----

  private nothingLeft(): boolean {
    return this.outbox.length === 0 && (this.live?.writer.length ?? 0) === 0 && !(this.o.flow?.busy() ?? false);
  }

  /** Stopping, and everything has ended: only the socket is left to close. */
  private checkStopped(): void {
    const s = this.stopping;
    if (!s || s.phase !== "draining" || !this.nothingLeft()) return;
    s.phase = "closing";
    this.closeAll(false);
  }

  /** The bound is over (or nothing can be done within it): what is left ends with ESTOPPED. */
  private cut(): void {
    const s = this.stopping;
    if (!s) return;
    s.phase = "closing";
    for (const e of this.outbox.drain()) this.h.failed(e.ctx, stoppedError(this.peer, false));
    this.closeAll(true);
  }

  private closeAll(force: boolean): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (this.dialAbort) {
      this.dialAbort.abort();
      this.dialAbort = undefined;
    }
    const live = this.live;
    if (!live) {
      this.finishStop();
      return;
    }
    if (force) {
      live.conn.session.closeReason ??= "stopped";
      live.closing = true;
      live.socket.destroy();
    } else this.closeLive(live, undefined, "stopped", "end");
  }

  private finishStop(): void {
    const s = this.stopping;
    if (!s) return;
    this.stopping = undefined;
    clearTimeout(s.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.retryTimer = this.expiryTimer = undefined;
    this.setState("stopped");
    s.resolve();
  }

  private setState(state: LinkState): void {
    if (state !== "waiting") this.nextAttemptAt = undefined;
    this._state = state;
    this.h.status(this.status());
  }
}

function contains(payload: Buffer | string | undefined, expect: Buffer | string): boolean {
  if (payload === undefined) return false;
  if (typeof payload === "string") return payload.includes(typeof expect === "string" ? expect : expect.toString("latin1"));
  return payload.includes(expect);
}

/** The start of a frame, for an error text. */
function preview(payload: Buffer | string | undefined): string {
  if (payload === undefined) return "(nothing)";
  const s = typeof payload === "string" ? payload : payload.toString("latin1");
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);
}
