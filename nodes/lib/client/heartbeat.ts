/**
 * The application heartbeat of one connection: a device whose process hangs,
 * or whose network path died without a FIN or RST, leaves a link that TCP
 * calls open for hours (the kernel at the far end may even keep ACKing). Only
 * an answer proves the device is there.
 *
 * When nothing has been received for idleMs, the heartbeat bytes are sent
 * (when the owner says it may: not while a request awaits its reply, whose
 * own timeout is the check then) and an answer is expected within answerMs;
 * none, and lost() is called, on which the owner closes the link and dials
 * again. "Received" counts every byte from the device, so a device that
 * streams data is never probed. With consumeAnswer the answer must be a whole
 * frame, which the owner takes out of the stream (it is not data of its own).
 */

export interface HeartbeatOptions {
  /** Bytes to send, at least one. */
  bytes: Buffer;
  /** Nothing received for this long: send a heartbeat. */
  idleMs: number;
  /** The answer must come within this long. */
  answerMs: number;
  /** The first frame after a heartbeat is its answer: not passed on as data or as a reply. */
  consumeAnswer: boolean;
}

export interface HeartbeatHooks {
  /** May a heartbeat be sent now? If not, it is asked again after another idleMs. */
  mayProbe(): boolean;
  send(bytes: Buffer): void;
  lost(): void;
}

export function checkHeartbeat(o: HeartbeatOptions): void {
  if (!(o.bytes.length > 0 && o.idleMs >= 1 && o.answerMs >= 1)) {
    throw new RangeError(`invalid heartbeat: ${o.bytes.length} bytes, idle ${o.idleMs} ms, answer ${o.answerMs} ms`);
  }
}

export class Heartbeat {
  private idleTimer: NodeJS.Timeout | undefined;
  private answerTimer: NodeJS.Timeout | undefined;
  private _probing = false;

  constructor(
    private readonly o: HeartbeatOptions,
    private readonly hooks: HeartbeatHooks,
  ) {
    checkHeartbeat(o);
    this.idleTimer = setTimeout(() => this.onIdle(), o.idleMs);
  }

  /** A heartbeat was sent and its answer has not come yet. */
  get probing(): boolean {
    return this._probing;
  }

  /** Bytes came from the device: the idle time starts again. */
  activity(): void {
    this.idleTimer?.refresh();
  }

  /** The answer came (any bytes, or with consumeAnswer the answer frame). */
  answered(): void {
    if (!this._probing) return;
    this._probing = false;
    if (this.answerTimer) clearTimeout(this.answerTimer);
    this.answerTimer = undefined;
    this.idleTimer?.refresh();
  }

  stop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.answerTimer) clearTimeout(this.answerTimer);
    this.idleTimer = this.answerTimer = undefined;
    this._probing = false;
  }

  private onIdle(): void {
    if (!this.idleTimer) return;
    if (this._probing) return; // the answer timer decides
    if (!this.hooks.mayProbe()) {
      this.idleTimer.refresh();
      return;
    }
    this._probing = true;
    this.answerTimer = setTimeout(() => {
      this.answerTimer = undefined;
      if (!this._probing) return;
      this.stop();
      this.hooks.lost();
    }, this.o.answerMs);
    this.hooks.send(this.o.bytes);
  }
}
