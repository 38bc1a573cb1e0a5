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
  const found = registry.lookup(id);
  if (found instanceof SessionError) return Promise.reject(found);
  const session = found;
  const peer = peerLabel(session.remoteAddress, session.remotePort);
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      const err: NodeJS.ErrnoException = new Error(`the peer has not taken the reply for ${timeoutMs} ms`);
      err.code = "ETIMEDOUT";
      finish(err);
    }, timeoutMs);
    const finish = (err?: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        reject(new ReplyWriteError(typeof code === "string" ? code : "EIO", session.id, peer, err));
        return;
      }
      if (closeAfter) registry.close(session.id, "reply");
      resolve({ sessionId: session.id, peer, bytesSent: data.length, closed: closeAfter });
    };
    session.socket.write(data, finish);
  });
}
