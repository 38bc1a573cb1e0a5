/**
 * Reply to sender, without Node-RED: each input's data goes to the live
 * connection its msg._session names, in input order; the message goes on
 * with msg.tcp, or ends with a catchable error (no session, closed, buffer
 * full, not taken in time).
 *
 * The hot path: data known without a callback (msg.payload, a constant) and
 * nothing evaluating ahead of it is read, written and reported at once, with
 * no ticket, promise or closure; writeReplyFast returns the session itself, so
 * the one object made is msg.tcp. Only a reply queued behind a slow peer
 * waits (PendingReply), and only an evaluation that may answer later
 * (JSONata, a context store) takes a ticket to keep the order.
 */
import { CodedError, codedError } from "../base/coded-error";
import { PendingReply, replyResult, sessionIdOf, writeReplyFast } from "./reply";
import { SessionWriter, type SessionWriterOptions } from "./session-writer";
import type { Waiter } from "./waiting";
import type { Done, Msg, Send } from "./node-io";
import type { SessionRegistry } from "../sessions/registry";

export interface ReplyControllerOptions extends SessionWriterOptions {
  registry: SessionRegistry;
  closeAfterReply: boolean;
  /** A reply the peer has not taken within this fails with ETIMEDOUT (and resets the connection). */
  writeTimeoutMs: number;
  /** Reply bytes one client may leave untaken (settings.js replyMaxPending). */
  maxPending: number;
}

/** The session a failed reply was for, as the error's "where". */
const whereOf = (id: unknown): string => (typeof id === "string" ? id : "?");

export class ReplyController extends SessionWriter {
  constructor(private readonly o: ReplyControllerOptions) {
    super(o, "status.replied");
  }

  protected stopped(w: Waiter): Error {
    return codedError(this.o.t("errors.stopped", { where: String(sessionIdOf(w.msg._session)), sent: 0 }), "ESTOPPED");
  }

  protected write(msg: Msg, send: Send, done: Done, data: Buffer): void {
    const { o } = this;
    const id = sessionIdOf(msg._session);
    const r = writeReplyFast(o.registry, id, data, o.closeAfterReply, o.maxPending);
    if (r instanceof PendingReply) {
      this.wait(r, msg, send, done, id);
      return;
    }
    if (r instanceof Error) {
      this.out.fail(done, r, whereOf(id));
      return;
    }
    msg.tcp = replyResult(r, data.length, o.closeAfterReply);
    this.out.deliver(msg, send, done);
  }

  /** A reply queued behind a slow peer: the message ends when it has left, failed or timed out. */
  private wait(r: PendingReply, msg: Msg, send: Send, done: Done, id: unknown): void {
    const w = this.waiting.add(msg, done);
    this.out.show(); // waiting for the peer to take it
    r.wait(this.o.writeTimeoutMs, (err, res) => {
      if (!this.waiting.end(w)) return; // already reported at stop
      if (err || !res) {
        this.out.fail(done, err ?? new CodedError("EIO", "no result"), whereOf(id));
        return;
      }
      msg.tcp = res;
      this.out.deliver(msg, send, done);
    });
  }
}
