/**
 * Reply to sender: writes bytes to the live connection a message came from,
 * found by its session id in a manager's registry. Writes happen in call
 * order, so replies on one session keep the order of the calls. A reply is
 * done once its bytes are handed to the OS (at once, usually; or, behind a
 * slow peer, when PendingReply calls back, also when the write fails or times
 * out), and, when asked, the session is closed after that.
 */
import { CodedError, type CatalogEntry } from "../base/coded-error";
import { SessionError, sessionLabel, type Session, type SessionRegistry } from "../sessions/registry";

export interface ReplyResult {
  sessionId: string;
  peer: string;
  bytesSent: number;
  closed: boolean;
}

/** The write to a live session failed (code: EPIPE, ECONNRESET, ETIMEDOUT, ...). */
export class ReplyWriteError extends CodedError {
  constructor(
    code: string,
    readonly sessionId: string,
    readonly peer: string,
    readonly cause: Error,
    /** Set for ETIMEDOUT: the send timeout that passed (the connection was closed then). */
    readonly timeoutMs?: number,
  ) {
    super(code, `reply to session ${sessionId} (${peer}) failed: ${cause.message}`);
    this.name = "ReplyWriteError";
  }

  override catalog(): CatalogEntry {
    const { sessionId: session, peer } = this;
    if (this.timeoutMs !== undefined) return { key: "reply-timeout", subs: { session, peer, ms: this.timeoutMs } };
    return { key: "reply-write", subs: { session, peer, error: this.cause.message } };
  }
}

/**
 * Reply bytes a session may hold that its peer has not taken yet. A client
 * that never reads (or vanished without a FIN) must not make the sender buffer
 * without bound: a reply that would go over is refused with EBUFFERFULL. One
 * reply larger than this still goes to a session with nothing waiting.
 * The default; settings.js tcpAutomation.replyMaxPending sets another.
 */
export const REPLY_MAX_PENDING = 1024 * 1024;

const EMPTY = Buffer.alloc(0);

/** The session id of a message's `_session`, or what lookup() should reject. */
export function sessionIdOf(session: unknown): unknown {
  return typeof session === "object" && session !== null ? (session as { id?: unknown }).id : undefined;
}

/** A reply queued behind earlier bytes the peer has not taken yet. */
export class PendingReply {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly session: Session,
    private readonly bytes: number,
    private readonly closeAfter: boolean,
  ) {}

  /**
   * Calls back once the reply has left (or failed, or the peer has not taken it within timeoutMs). A reply
   * that times out resets its connection: reported as failed, no more of it may reach the client (only what
   * the client's own system had received before the timeout can still be read there).
   */
  wait(timeoutMs: number, cb: (err: ReplyWriteError | null, r?: ReplyResult) => void): void {
    const { session } = this;
    let settled = false;
    const finish = (err?: Error | null, timedOut?: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        // Replies queued behind one that timed out go with its connection: the same failure, whatever code
        // this Node.js version gives a write on a destroyed socket (ERR_STREAM_DESTROYED, ECANCELED).
        if (timedOut === undefined && session.closeReason === "timeout") timedOut = timeoutMs;
        // Closed by a broadcast as too slow: what still waited for it failed for the same reason.
        const code =
          timedOut !== undefined ? "ETIMEDOUT" : session.closeReason === "slow" ? "EBUFFERFULL" : (err as { code?: unknown }).code;
        cb(new ReplyWriteError(typeof code === "string" ? code : "EIO", session.id, peerOf(session), err, timedOut));
        return;
      }
      cb(null, done(this.registry, session, this.bytes, this.closeAfter));
    };
    const timer = setTimeout(() => {
      finish(new CodedError("ETIMEDOUT", `the peer has not taken the reply for ${timeoutMs} ms; connection closed`), timeoutMs);
      // A reset, not a FIN: the kernel must not go on sending the failed reply once the flow was told it failed.
      this.registry.close(session.id, "timeout", true);
    }, timeoutMs);
    // An empty write's callback runs once everything before it has left (or the write failed).
    session.socket.write(EMPTY, finish);
  }
}

const peerOf = sessionLabel;

function done(registry: SessionRegistry, session: Session, bytes: number, closeAfter: boolean): ReplyResult {
  if (closeAfter) registry.close(session.id, "reply");
  return replyResult(session, bytes, closeAfter);
}

/** What a reply did, as msg.tcp shows it. */
export function replyResult(session: Session, bytes: number, closeAfter: boolean): ReplyResult {
  return { sessionId: session.id, peer: peerOf(session), bytesSent: bytes, closed: closeAfter };
}

/**
 * Writes a reply. When the OS takes every byte at once (the usual case) it
 * returns the session itself (the caller knows what it wrote), with no timer,
 * promise, callback or result object; a reply queued behind a slow peer comes
 * back as a PendingReply to wait on. No live session, or too much waiting for
 * this peer already: the error, returned.
 */
export function writeReplyFast(
  registry: SessionRegistry,
  id: unknown,
  data: Buffer,
  closeAfter: boolean,
  maxPending = REPLY_MAX_PENDING,
): Session | SessionError | ReplyWriteError | PendingReply {
  const found = registry.lookup(id);
  if (found instanceof SessionError) return found;
  const session = found;
  const socket = session.socket;
  const waiting = socket.writableLength;
  if (waiting > 0 && waiting + data.length > maxPending) {
    const err = new CodedError(
      "EBUFFERFULL",
      `the peer has not taken ${waiting} bytes of earlier replies (at most ${maxPending} may wait)`,
    );
    return new ReplyWriteError("EBUFFERFULL", session.id, peerOf(session), err);
  }
  socket.write(data);
  // More in the socket's queue than before: queued behind a slow peer. Otherwise the OS has every byte
  // (a later failure would be the connection's, not this reply's).
  if (socket.writableLength > waiting) return new PendingReply(registry, session, data.length, closeAfter);
  if (closeAfter) registry.close(session.id, "reply");
  return session;
}
