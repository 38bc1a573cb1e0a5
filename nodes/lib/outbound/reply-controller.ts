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
import { CodedError, codedError, type Translate } from "../base/coded-error";
import { OrderedData } from "./ordered-data";
import { PendingReply, replyResult, sessionIdOf, writeReplyFast } from "./reply";
import { Outcomes, type Load } from "./outcomes";
import { WaitingSet } from "./waiting";
import type { Done, Evaluate, Msg, ReadNow, Send, ShowStatus } from "./node-io";
import type { SessionRegistry } from "../sessions/registry";

export interface ReplyControllerOptions {
  registry: SessionRegistry;
  /** The data for a message, from a callback. */
  data: Evaluate;
  /** The same, when it is known without a callback: the hot path. */
  dataNow?: ReadNow;
  encoding: string;
  closeAfterReply: boolean;
  /** A reply the peer has not taken within this fails with ETIMEDOUT (and resets the connection). */
  writeTimeoutMs: number;
  /** Reply bytes one client may leave untaken (settings.js replyMaxPending). */
  maxPending: number;
  /** At stop, how long replies still being written may take. */
  drainMs: number;
  t: Translate;
  status: ShowStatus;
  wired: boolean;
}

/** The session a failed reply was for, as the error's "where". */
const whereOf = (id: unknown): string => (typeof id === "string" ? id : "?");

export class ReplyController implements Load {
  private readonly data: OrderedData;
  private readonly waiting = new WaitingSet();
  private readonly out: Outcomes;

  constructor(private readonly o: ReplyControllerOptions) {
    this.data = new OrderedData(o);
    this.out = new Outcomes({ t: o.t, status: o.status, wired: o.wired, unverified: false, idleKey: "status.replied" }, this);
  }

  /** Replies being written behind a slow peer. */
  get running(): number {
    return this.waiting.size;
  }

  get queued(): number {
    return 0;
  }

  input(msg: Msg, send: Send, done: Done): void {
    const now = this.data.now(msg);
    if (now !== undefined) {
      if (now instanceof Error) this.out.fail(done, now, "");
      else this.reply(msg, send, done, now);
      return;
    }
    this.data.later(msg, (data) => (data instanceof Error ? this.out.fail(done, data, "") : this.reply(msg, send, done, data)));
  }

  /**
   * Stops: replies still being written get up to drainMs, then end with ESTOPPED (never dropped
   * silently); calls back when every message has ended.
   */
  close(done: () => void): void {
    this.waiting.close(
      this.o.drainMs,
      (w) => codedError(this.o.t("errors.stopped", { where: String(sessionIdOf(w.msg._session)), sent: 0 }), "ESTOPPED"),
      () => this.out.stop(),
      done,
    );
  }

  private reply(msg: Msg, send: Send, done: Done, data: Buffer): void {
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
