/**
 * Request/reply over one link, for devices that answer each request with one
 * frame, in order (scales, readers, Modbus-like ASCII protocols): one request
 * in flight, or up to `pipeline` for devices that queue them.
 *
 * The reply is the next frame (by the link's framing) after the requests
 * written before it have had theirs; it is handed over with the request's own
 * context (the node's message), never with another's. Order is the only key
 * (such protocols carry no request ids), so a frame the device sends on its
 * own while a request is in flight would be taken as that reply; one that
 * arrives while none is in flight is reported as unsolicited, never kept for
 * a later request. The bytes left over when a connection breaks (reset,
 * error, timeout) are a reply cut short: reported as unsolicited too.
 *
 * A request ends exactly once: replied, or failed with
 *   ETIMEDOUT    no reply within replyTimeoutMs of being written. With
 *                resetOnTimeout (default) the link is reset at once, so a
 *                late reply can never arrive on it, and dialled again; the
 *                other requests in flight end at once with ENOREPLY (or
 *                ESENDFAILED, those the kernel had not taken). Without it the
 *                timed-out request keeps its place for lateGraceMs: a frame
 *                in that time is its late reply (reported as late, discarded)
 *                and nothing new is written meanwhile. A reply later than the
 *                grace would be taken for the next request: TCP cannot tell
 *                replies apart, which is why reset is the default.
 *   ENOREPLY     it was sent (confirmed), but the link closed before the reply
 *   ESENDFAILED  it was written into a link that failed before confirming it
 *   ESTOPPED, EQUEUEFULL, ESTALE, or the dial's code: as for any write (link.ts)
 *
 * At most once: a request that was written is never written again (the
 * device may have acted on it), whether or not its reply came; requests
 * still queued stay queued across a lost link and go on the next one.
 *
 * While a request awaits its reply no heartbeat is sent (its own timeout is
 * the liveness check then); a heartbeat whose answer is a frame needs the
 * heartbeat's consumeAnswer here, or that answer would be reported as
 * unsolicited.
 */
import { Link, type LinkHandlers, type LinkOptions, type LinkStatus } from "./link";
import { emptyRequestError, noReplyError, replyTimeoutError, stoppedError, type ClientError } from "./errors";
import type { Connection } from "../inbound/connection";
import type { InboundMessage } from "../inbound/stream";
import { peerLabel, type CloseReason } from "../sessions/registry";

export interface RequestOptions {
  /** Requests written and not yet answered at once, at least 1. */
  pipeline: number;
  /** From the moment a request is written. */
  replyTimeoutMs: number;
  resetOnTimeout: boolean;
  /** resetOnTimeout off: how long a late reply is still expected. */
  lateGraceMs: number;
}

export interface ReplyInfo {
  /** When the request was written (the link's clock). */
  writtenAt: number;
  repliedAt: number;
  /** Round trip: from written to replied. */
  ms: number;
}

/** The link's own events, passed on unchanged. */
export type LinkEvents = Pick<
  LinkHandlers<unknown>,
  "status" | "connected" | "closed" | "dialFailed" | "reconnecting" | "gaveUp" | "frameError" | "skipped"
>;

export interface RequestHandlers<T> extends LinkEvents {
  replied(ctx: T, reply: InboundMessage, info: ReplyInfo): void;
  failed(ctx: T, err: ClientError): void;
  /** A frame with no request in flight. */
  unsolicited(msg: InboundMessage, conn: Connection): void;
  /** resetOnTimeout off: the late reply of a request that already failed with ETIMEDOUT, discarded. */
  late(msg: InboundMessage, ctx: T): void;
}

/** One request, as the link carries it. */
export interface Req<T> {
  readonly ctx: T;
  /** queued -> inflight -> done; inflight -> owed (timed out, late reply still expected) -> done. */
  state: "queued" | "inflight" | "owed" | "done";
  writtenAt: number;
  /** The kernel took its bytes (link's sent). */
  confirmed: boolean;
  timer: NodeJS.Timeout | undefined;
}

export type RequestLinkOptions<T> = Omit<LinkOptions<Req<T>>, "handlers" | "flow">;

export class Requests<T> {
  readonly link: Link<Req<T>>;
  /** Written, in write order: awaiting a reply (inflight) or a late one (owed). */
  private inflight: Req<T>[] = [];
  private owed = 0;
  /** The connection reset after a timeout: whatever still comes from it is nobody's reply. */
  private discard: Connection | undefined;
  private readonly peer: string;
  private readonly now: () => number;

  constructor(
    linkOptions: RequestLinkOptions<T>,
    private readonly o: RequestOptions,
    private readonly h: RequestHandlers<T>,
  ) {
    if (!(Number.isInteger(o.pipeline) && o.pipeline >= 1 && o.replyTimeoutMs >= 1 && o.lateGraceMs >= 0)) {
      throw new RangeError(`invalid request options: ${JSON.stringify(o)}`);
    }
    this.peer = peerLabel(linkOptions.host, linkOptions.port);
    this.now = linkOptions.now ?? Date.now;
    this.link = new Link<Req<T>>({
      ...linkOptions,
      handlers: {
        status: (s) => h.status(s),
        connected: (c) => h.connected(c),
        closed: (c, reason, cause) => this.onClosed(c, reason, cause),
        dialFailed: (e) => h.dialFailed(e),
        reconnecting: (retry, ms) => h.reconnecting(retry, ms),
        gaveUp: (e) => h.gaveUp(e),
        frameError: (err, msg, c) => h.frameError(err, msg, c),
        skipped: (n, c) => h.skipped(n, c),
        frames: (batch, c) => this.onFrames(batch, c),
        sent: (req) => {
          req.confirmed = true; // a request ends with its reply; this only decides ENOREPLY over ESENDFAILED
        },
        failed: (req, err) => this.onFailed(req, err),
      },
      flow: {
        mayWrite: () => this.inflight.length < this.o.pipeline && this.owed === 0 && this.discard === undefined,
        busy: () => this.inflight.length > 0,
        written: (req) => this.onWritten(req),
      },
    });
  }

  /** Requests written and not answered (timed-out ones whose late reply is still expected included). */
  get inFlight(): number {
    return this.inflight.length;
  }

  status(): LinkStatus & { inFlight: number } {
    return { ...this.link.status(), inFlight: this.inflight.length };
  }

  start(): void {
    this.link.start();
  }

  /** Queues a request; it ends in replied or failed (possibly from inside this call: queue full, stopped). kept: as Link.write. */
  request(bytes: Buffer, ctx: T, kept = false): void {
    // Written, it would only wait for its reply timeout: the device cannot answer what it never got.
    if (bytes.length === 0) {
      this.h.failed(ctx, emptyRequestError(this.peer));
      return;
    }
    this.link.write(bytes, { ctx, state: "queued", writtenAt: 0, confirmed: false, timer: undefined }, kept);
  }

  stop(boundMs: number): Promise<void> {
    return this.link.stop(boundMs);
  }

  private onWritten(req: Req<T>): void {
    req.state = "inflight";
    req.writtenAt = this.now();
    req.timer = setTimeout(() => this.onTimeout(req), this.o.replyTimeoutMs);
    this.inflight.push(req);
  }

  private onTimeout(req: Req<T>): void {
    req.timer = undefined;
    // The link is being reset after another request's timeout: this one ends when it has closed.
    if (req.state !== "inflight" || this.discard !== undefined) return;
    const err = replyTimeoutError(this.peer, this.o.replyTimeoutMs);
    if (this.o.resetOnTimeout) {
      this.finish(req);
      this.discard = this.link.connection;
      this.h.failed(req.ctx, err);
      // The others in flight on this connection cannot get their replies any more: they end now, not at
      // their own timeouts. Unconfirmed ones are left to the link, which reports them ESENDFAILED on close.
      for (const other of [...this.inflight]) {
        if (!other.confirmed) continue;
        this.finish(other);
        this.h.failed(other.ctx, noReplyError(this.peer, "timeout", err));
      }
      this.link.reset(err);
      return;
    }
    req.state = "owed";
    this.owed++;
    this.h.failed(req.ctx, err);
    req.timer = setTimeout(() => {
      req.timer = undefined;
      if (req.state !== "owed") return;
      this.finish(req);
      this.link.pump();
    }, this.o.lateGraceMs);
  }

  private onFrames(batch: InboundMessage[], conn: Connection): void {
    // The bytes left in the framer when the connection ended come as a last frame. After an orderly close
    // (the device's FIN) that can be a reply ("close" framing); after a reset or error it is a reply cut short.
    const cut = conn.socket.destroyed && conn.session.closeReason !== "peer";
    for (const msg of batch) {
      const req = conn === this.discard || cut ? undefined : this.inflight[0];
      if (!req) {
        this.h.unsolicited(msg, conn);
      } else if (req.state === "owed") {
        this.finish(req);
        this.h.late(msg, req.ctx);
      } else {
        // A reply also proves the request arrived, even if its write callback has not run yet.
        this.finish(req);
        const repliedAt = this.now();
        this.h.replied(req.ctx, msg, { writtenAt: req.writtenAt, repliedAt, ms: repliedAt - req.writtenAt });
      }
    }
    // The link pumps after its frames handler: freed places are filled then.
  }

  /** From the link: the request failed before it was answered (queue, stale, stopped, or written into a failing link). */
  private onFailed(req: Req<T>, err: ClientError): void {
    if (req.state === "done") return;
    const wasOwed = req.state === "owed";
    this.finish(req);
    if (!wasOwed) this.h.failed(req.ctx, err);
  }

  /** The link closed: every request still awaiting its reply on it ends now (unconfirmed ones already did, with ESENDFAILED). */
  private onClosed(conn: Connection, reason: CloseReason, cause: Error | undefined): void {
    this.discard = undefined;
    const left = this.inflight;
    for (const req of [...left]) {
      const wasOwed = req.state === "owed";
      this.finish(req);
      if (wasOwed) continue;
      this.h.failed(req.ctx, reason === "stopped" ? stoppedError(this.peer, true) : noReplyError(this.peer, reason, cause));
    }
    this.h.closed(conn, reason, cause);
  }

  /** Takes req out of the flight, wherever it is, and clears its timer. */
  private finish(req: Req<T>): void {
    if (req.timer) clearTimeout(req.timer);
    req.timer = undefined;
    if (req.state === "owed") this.owed--;
    if (req.state === "inflight" || req.state === "owed") {
      const i = this.inflight.indexOf(req);
      if (i === 0) this.inflight.shift();
      else if (i > 0) this.inflight.splice(i, 1);
    }
    req.state = "done";
  }
}
