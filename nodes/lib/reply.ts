/**
 * Reply to sender: writes bytes to the live connection a message came from,
 * found by its session id in a manager's registry. Writes happen in call
 * order, so replies on one session keep the order of the calls; the promise
 * settles when the bytes are handed to the OS (or the write fails or times
 * out), and, when asked, the session is closed after that.
 */
import { SessionError, peerLabel, type SessionRegistry } from "./sessions";

export interface ReplyResult {
  sessionId: string;
  peer: string;
  bytesSent: number;
  closed: boolean;
}

/** The write to a live session failed (code: EPIPE, ECONNRESET, ETIMEDOUT, ...). */
export class ReplyWriteError extends Error {
  constructor(readonly code: string, readonly sessionId: string, readonly peer: string, readonly cause: Error) {
    super(`reply to session ${sessionId} (${peer}) failed: ${cause.message}`);
    this.name = "ReplyWriteError";
  }
}

/**
 * Reply bytes a session may hold that its peer has not taken yet. A client
 * that never reads (or vanished without a FIN) must not make the sender buffer
 * without bound: a reply that would go over is refused with EBUFFERFULL. One
 * reply larger than this still goes to a session with nothing waiting.
 */
export const REPLY_MAX_PENDING = 1024 * 1024;

const EMPTY = Buffer.alloc(0);

/** The session id of a message's `_session`, or what lookup() should reject. */
export function sessionIdOf(session: unknown): unknown {
  return typeof session === "object" && session !== null ? (session as { id?: unknown }).id : undefined;
}

/** Writes data to the session; rejects with a SessionError (no such live session) or a ReplyWriteError. */
export function replyToSession(
  registry: SessionRegistry,
  id: unknown,
  data: Buffer,
  closeAfter: boolean,
  timeoutMs: number,
): Promise<ReplyResult> {
  return new Promise((resolve, reject) => writeReply(registry, id, data, closeAfter, timeoutMs, (err, r) => (err ? reject(err) : resolve(r as ReplyResult))));
}

/**
 * replyToSession with a callback, for the hot path. When the OS takes the
 * bytes at once (the usual case) cb runs before this returns, with no timer
 * and no promise; only a reply the peer is slow to take arms the timeout.
 */
export function writeReply(
  registry: SessionRegistry,
  id: unknown,
  data: Buffer,
  closeAfter: boolean,
  timeoutMs: number,
  cb: (err: SessionError | ReplyWriteError | null, r?: ReplyResult) => void,
): void {
  const found = registry.lookup(id);
  if (found instanceof SessionError) return cb(found);
  const session = found;
  const socket = session.socket;
  const waiting = socket.writableLength;
  if (waiting > 0 && waiting + data.length > REPLY_MAX_PENDING) {
    const peer = peerLabel(session.remoteAddress, session.remotePort);
    const err: NodeJS.ErrnoException = new Error(`the peer has not taken ${waiting} bytes of earlier replies (at most ${REPLY_MAX_PENDING} may wait)`);
    err.code = "EBUFFERFULL";
    return cb(new ReplyWriteError("EBUFFERFULL", session.id, peer, err));
  }
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = (err?: Error | null): void => {
    if (settled) return;
    settled = true;
    if (timer) clearTimeout(timer);
    const peer = peerLabel(session.remoteAddress, session.remotePort);
    if (err) {
      const code = (err as NodeJS.ErrnoException).code;
      cb(new ReplyWriteError(typeof code === "string" ? code : "EIO", session.id, peer, err));
      return;
    }
    if (closeAfter) registry.close(session.id, "reply");
    cb(null, { sessionId: session.id, peer, bytesSent: data.length, closed: closeAfter });
  };
  socket.write(data);
  // Nothing left in the socket's queue: the OS has every byte (a later failure would be the connection's, not this reply's).
  if (socket.writableLength <= waiting) {
    finish();
    return;
  }
  // Queued behind a slow peer: an empty write's callback runs once everything before it has left (or the write failed).
  socket.write(EMPTY, finish);
  if (!settled) {
    timer = setTimeout(() => {
      const err: NodeJS.ErrnoException = new Error(`the peer has not taken the reply for ${timeoutMs} ms`);
      err.code = "ETIMEDOUT";
      finish(err);
    }, timeoutMs);
  }
}
