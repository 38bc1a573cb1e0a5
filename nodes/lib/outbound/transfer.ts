/**
 * A job's connection once it is connected: send the bytes, end the connection
 * the chosen way (job.ts says which ways there are), keep what the peer sends.
 * One state at a time, and one timer, the state's:
 *
 *   writing ──(close: bytes and FIN with the OS)──────────────────────────▶ closing
 *      │    ──(close over TLS: the same)──▶ grace ──(grace over)───────────▶ closing
 *      └────(eof, delay: bytes with the OS)──▶ waiting
 *   waiting ──(eof: no EOF within eofTimeoutMs; closedBy "timeout")────────▶ closing
 *   waiting ──(delay: disconnectDelayMs over)──▶ ending ──(our FIN out)─────▶ closing
 *   waiting ──(the reply's end arrived; closedBy "reply")──▶ closing (eof) / ending (delay)
 *   writing, grace, waiting, ending ──(error, send timeout, stop)───────────▶ closing
 *   closing ──(the socket closed)──▶ the transfer settles
 *
 * The peer may close first at any time: its FIN makes closedBy "peer" while
 * the connection is ours to end (writing, waiting, ending); in grace we had
 * already ended it. A peer that closes ends the connection by itself (Node
 * ends our side after any pending bytes), so no state waits for it.
 */
import type { Socket } from "node:net";
import { CodedError } from "../base/coded-error";
import type { ClosedBy, JobOptions } from "./job";
import { ReplyCapture, ReplyEnd } from "./reply-capture";

export type TransferState = "writing" | "grace" | "waiting" | "ending" | "closing";

export interface TransferResult {
  closedBy: ClosedBy;
  reply: Buffer;
  replyTruncated: boolean;
  bytesReceived: number;
}

/** The job was stopped (node redeploy or shutdown). */
export class Stopped extends CodedError {
  constructor() {
    super("ESTOPPED", "stopped");
    this.name = "Stopped";
  }
}

/**
 * TLS and "close": the peer's session tickets and close_notify still arrive
 * after our last byte; closing at once would answer them with a reset that
 * can cost the peer our data. Wait this long for the peer to close.
 */
export const TLS_CLOSE_GRACE_MS = 2000;

/**
 * Sends data on a connected socket and ends the connection the chosen way; resolves when it has closed.
 * Rejects with the socket's error, ETIMEDOUT for bytes not handed to the OS within writeTimeoutMs, or Stopped.
 */
export function transfer(socket: Socket, data: Buffer, o: JobOptions, signal: AbortSignal): Promise<TransferResult> {
  return new Promise((resolve, reject) =>
    new Transfer(socket, o, signal, (err, r) => (err ? reject(err) : resolve(r as TransferResult))).start(data),
  );
}

class Transfer {
  private state: TransferState = "writing";
  private closedBy: ClosedBy = "us";
  private failure: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly capture: ReplyCapture;
  /** eof / delay with replyEnd: the job ends once the reply is complete and our bytes are with the OS. */
  private readonly replyEnd: ReplyEnd | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly o: JobOptions,
    private readonly signal: AbortSignal,
    private readonly settled: (err: Error | null, r?: TransferResult) => void,
  ) {
    this.capture = new ReplyCapture(o.captureReply, o.maxReplyBytes);
    const end = o.replyEnd;
    this.replyEnd = o.after !== "close" && end !== undefined && end.length > 0 ? new ReplyEnd(end) : undefined;
  }

  start(data: Buffer): void {
    const { socket, o } = this;
    socket.setNoDelay(true);
    socket.on("data", this.onData);
    socket.on("end", this.onPeerEnd);
    socket.on("error", this.fail);
    socket.once("close", this.onClose);
    this.signal.addEventListener("abort", this.onAbort);
    this.arm(o.writeTimeoutMs, () => this.fail(new CodedError("ETIMEDOUT", "send timed out")));
    if (o.after === "delay") {
      socket.write(data, (err) => {
        if (!err) this.sent();
      });
    } else {
      socket.end(data); // eof: our FIN goes with the bytes (half-close)
      socket.once("finish", () => this.sent());
    }
  }

  /** writing -> our bytes (eof, close: and our FIN) are all with the OS. */
  private sent(): void {
    if (this.state !== "writing") return;
    const { o } = this;
    if (o.after === "close") {
      if (!(this.socket as { encrypted?: boolean }).encrypted) {
        this.close();
        return;
      }
      this.state = "grace";
      this.arm(Math.min(TLS_CLOSE_GRACE_MS, o.eofTimeoutMs), () => this.close());
      return;
    }
    this.state = "waiting";
    if (o.after === "eof") {
      this.arm(o.eofTimeoutMs, () => {
        this.closedBy = "timeout";
        this.close();
      });
    } else {
      this.arm(o.disconnectDelayMs, () => this.endOurSide());
    }
    if (this.replyEnd?.found) this.replyComplete();
  }

  /** waiting -> ending: our FIN, then close once it is out. */
  private endOurSide(): void {
    this.state = "ending";
    this.socket.end();
    this.socket.once("finish", () => this.close());
  }

  /** The reply's end has arrived: once our bytes are out, the job is over. */
  private readonly replyComplete = (): void => {
    if ((this.state !== "waiting" && this.state !== "ending") || this.closedBy !== "us") return;
    this.closedBy = "reply";
    this.clearTimer();
    if (this.o.after === "eof")
      this.close(); // our FIN went out already
    else if (this.state === "waiting") this.endOurSide();
  };

  private readonly onData = (chunk: Buffer): void => {
    // Handled on the next turn, so the reply holds this read (and any in the same turn) too.
    if (this.replyEnd?.feed(chunk)) setImmediate(this.replyComplete);
    this.capture.add(chunk);
  };

  private readonly onPeerEnd = (): void => {
    if (this.state !== "grace" && this.state !== "closing") this.closedBy = "peer";
  };

  private readonly onAbort = (): void => this.fail(new Stopped());

  private readonly fail = (err: Error): void => {
    this.failure ??= err;
    this.close();
  };

  /** any -> closing. */
  private close(): void {
    this.state = "closing";
    this.clearTimer();
    this.socket.destroy();
  }

  private readonly onClose = (): void => {
    this.clearTimer();
    this.signal.removeEventListener("abort", this.onAbort);
    if (this.failure) {
      this.settled(this.failure);
      return;
    }
    const c = this.capture;
    this.settled(null, { closedBy: this.closedBy, reply: c.reply, replyTruncated: c.truncated, bytesReceived: c.received });
  };

  private arm(ms: number, fire: () => void): void {
    this.clearTimer();
    this.timer = setTimeout(fire, ms);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
