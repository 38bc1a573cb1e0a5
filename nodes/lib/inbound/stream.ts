/**
 * One inbound byte stream (a socket a peer opened, or one a node dialled)
 * turned into messages: framing, decoding, read/idle timers, and the flush of
 * the last partial frame when the stream ends. No Node-RED import: the node
 * passes handlers in and decides what a message or an error becomes.
 *
 * Hot path: one 'data' event -> framer.push -> one array of messages ->
 * handlers.messages(batch). Nothing is allocated per frame but the message
 * and its payload; each message carries its own _msgid (see msgid.ts).
 */
import type { Socket } from "node:net";
import { makeDecoder, makeStreamDecoder } from "../base/encoding";
import { CodedError, type CatalogEntry } from "../base/coded-error";
import { createFramer, FrameTooLargeError, type Framer } from "./framing";
import type { FramingConfig } from "./framing-config";
import { nextMessageId } from "../base/msgid";
import type { FrameTap } from "../traffic/capture";

export interface TcpSessionRef {
  type: "tcp";
  id: string;
}

export interface InboundMessage {
  _msgid: string;
  payload?: Buffer | string;
  topic: string;
  ip: string;
  port: number;
  localPort: number;
  _session: TcpSessionRef;
  [key: string]: unknown;
}

export interface Peer {
  sessionId: string;
  ip: string;
  port: number;
  localPort: number;
}

/** Its catalog entry leaves the connection (peer, session) to the caller. */
export class IncompleteFrameError extends CodedError {
  declare readonly code: "EINCOMPLETEFRAME";
  constructor(
    readonly received: number,
    readonly expected: number | undefined,
  ) {
    super(
      "EINCOMPLETEFRAME",
      expected === undefined
        ? `connection ended inside a length header (${received} bytes of it received)`
        : `connection ended after ${received} of ${expected} announced bytes`,
    );
    this.name = "IncompleteFrameError";
  }

  override catalog(): CatalogEntry {
    return {
      key: this.expected === undefined ? "incomplete-header" : "incomplete-frame",
      subs: { received: this.received, expected: this.expected },
    };
  }
}

/** Called with the stream's context (the connection it belongs to); one handlers object serves many streams. */
export interface InboundHandlers<C> {
  /** Frames decoded into messages, in order; one call per socket read. */
  messages(batch: InboundMessage[], ctx: C): void;
  /** A frame error (too large, cut short). After a too-large frame the stream destroys the socket. */
  frameError(err: FrameTooLargeError | IncompleteFrameError, msg: InboundMessage, ctx: C): void;
  /** The read timeout passed without a byte (probed: also the probe's answer time); the stream destroys the socket right after. */
  readTimeout(ctx: C, probed: boolean): void;
  /** Bytes the framer skipped (outside any frame): one call per socket read that skipped some, never per byte. */
  skipped(count: number, ctx: C): void;
}

export interface InboundOptions extends FramingConfig {
  /** 0 = off: no byte received for this long closes the connection (or, with probe, sends the probe first). */
  readTimeoutMs: number;
  /** With a read timeout: bytes written when it passes, and how long an answer (any byte) may take before the connection closes. */
  probe?: { bytes: Buffer; answerMs: number };
  /** TCP keep-alive delay; 0 = off; undefined: KEEPALIVE_DELAY_MS (connection.ts). */
  keepAliveMs?: number;
  /** Written to each connection a client opened ("in"), before anything else. */
  greeting?: Buffer;
  topic: string;
}

export function baseMessage(topic: string, peer: Peer): InboundMessage {
  const msg: InboundMessage = {
    _msgid: nextMessageId(),
    topic,
    ip: peer.ip,
    port: peer.port,
    localPort: peer.localPort,
    _session: { type: "tcp", id: peer.sessionId },
  };
  // ip "": the client reset the connection before it was accepted; its bytes still count (connection.ts).
  if (peer.ip === "") msg.peerUnknown = true;
  return msg;
}

/**
 * The framing state of one connection. The owner feeds it socket reads
 * (push) and tells it when the socket closed (finish); it attaches no
 * listeners itself, so a connection costs one set of shared listeners.
 */
/** The frame sink shared by every stream: builds one message into the stream's batch. */
function collect(buf: Buffer, start: number, end: number, stream: InboundStream<unknown>): void {
  stream.add(stream.payload.make(buf, start, end));
  if (stream.tap !== undefined) stream.markFrame();
}

/**
 * The framing state of one connection. The owner feeds it socket reads
 * (push) and tells it when the socket closed (finish); it attaches no
 * listeners and holds no closures, and its framer is made on the first byte,
 * so an idle connection costs little.
 */
export class InboundStream<C> {
  private framer: Framer | undefined;
  readonly payload: PayloadMaker;
  private batch: InboundMessage[] | undefined;
  private readTimer: NodeJS.Timeout | undefined;
  /** The probe went out; the next byte answers it. */
  private probing = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private finished = false;
  /** The traffic view's capture, told where each frame ended; undefined (no work at all) when off. */
  tap: FrameTap | undefined = undefined;
  /** With a tap: the length of the chunk being pushed (frame ends are counted back from its end). */
  private chunkLength = 0;

  constructor(
    private readonly socket: Socket,
    private readonly peer: Peer,
    private readonly opts: InboundOptions,
    private readonly handlers: InboundHandlers<C>,
    private readonly ctx: C,
  ) {
    this.payload = payloadMaker(opts);
    if (opts.readTimeoutMs > 0) {
      this.readTimer = setTimeout(() => this.onReadTimeout(), opts.readTimeoutMs);
    }
  }

  /** Bytes waiting for the rest of their frame. */
  get pendingBytes(): number {
    return this.framer?.pendingBytes ?? 0;
  }

  /** Appends one message with this payload to the batch being built. */
  add(payload: Buffer | string): void {
    const peer = this.peer;
    const msg: InboundMessage = {
      _msgid: nextMessageId(),
      payload,
      topic: this.opts.topic,
      ip: peer.ip,
      port: peer.port,
      localPort: peer.localPort,
      _session: { type: "tcp", id: peer.sessionId },
    };
    if (peer.ip === "") msg.peerUnknown = true; // as in baseMessage
    (this.batch ??= []).push(msg);
  }

  /** One socket read. */
  push(chunk: Buffer): void {
    if (this.finished) return;
    if (this.probing) this.answered();
    else this.readTimer?.refresh();
    const framer = (this.framer ??= createFramer(this.opts.framing, this.opts.maxFrame));
    if (this.tap !== undefined) this.chunkLength = chunk.length;
    try {
      framer.push(chunk, collect, this);
    } catch (err) {
      this.deliver();
      this.reportSkipped(framer);
      if (err instanceof FrameTooLargeError) {
        this.handlers.frameError(err, baseMessage(this.opts.topic, this.peer), this.ctx);
        this.socket.destroy();
        return;
      }
      throw err;
    }
    this.deliver();
    this.reportSkipped(framer);
    if (this.opts.framing.kind === "idle") this.armIdle();
  }

  /** During a push: the frame just added ended where the framer says, in the chunk being pushed. */
  markFrame(): void {
    if (this.framer) this.tap?.frameEnd(this.chunkLength - this.framer.frameEnd);
  }

  private reportSkipped(framer: Framer | undefined): void {
    const n = framer?.takeSkipped() ?? 0;
    if (n > 0) this.handlers.skipped(n, this.ctx);
  }

  private armIdle(): void {
    if (this.idleTimer) this.idleTimer.refresh();
    else this.idleTimer = setTimeout(() => this.flushIdle(), this.opts.idleMs);
  }

  private flushIdle(): void {
    if (this.finished) return;
    const rest = this.framer?.flush();
    if (rest) {
      this.add(this.payload.make(rest.frame, 0, rest.frame.length));
      this.tap?.frameEnd(0);
    }
    this.deliver();
  }

  private answered(): void {
    this.probing = false;
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => this.onReadTimeout(), this.opts.readTimeoutMs);
  }

  private onReadTimeout(): void {
    if (this.finished) return;
    const probe = this.opts.probe;
    if (probe && !this.probing && !this.socket.destroyed) {
      // Silent for the read timeout: ask, and give the client the answer time before giving up.
      this.probing = true;
      this.socket.write(probe.bytes);
      this.readTimer = setTimeout(() => this.onReadTimeout(), probe.answerMs);
      return;
    }
    this.handlers.readTimeout(this.ctx, this.probing);
    this.socket.destroy();
  }

  private deliver(): void {
    const out = this.batch;
    if (!out || out.length === 0) return;
    this.batch = undefined;
    this.handlers.messages(out, this.ctx);
  }

  /** The stream ended (peer closed, error, timeout, or we closed it): whatever is left becomes the last frame. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.readTimer) clearTimeout(this.readTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const rest = this.framer?.flush();
    if (rest?.complete) {
      this.add(this.payload.make(rest.frame, 0, rest.frame.length));
      this.tap?.frameEnd(0);
    }
    const tail = this.payload.end?.();
    if (tail) this.add(tail);
    this.deliver();
    this.reportSkipped(this.framer);
    if (!rest || rest.complete) return;
    const msg = baseMessage(this.opts.topic, this.peer);
    msg.payload = rest.frame;
    this.handlers.frameError(new IncompleteFrameError(rest.frame.length, rest.expected), msg, this.ctx);
  }
}

export interface PayloadMaker {
  make(buf: Buffer, start: number, end: number): Buffer | string;
  /** For stream decoding: what is left when the stream ends (bytes of a character never completed). */
  end?(): string;
}

const COPY: PayloadMaker = {
  // A private copy: a small frame must not pin the whole socket read buffer it came in.
  make: (buf, start, end) => (start === 0 && end === buf.length ? buf : Buffer.from(buf.subarray(start, end))),
};

/** Stateless makers are shared by every connection with the same options. */
const shared = new WeakMap<FramingConfig, PayloadMaker>();

function payloadMaker(opts: FramingConfig): PayloadMaker {
  if (opts.output === "buffer") return COPY;
  if (opts.framing.kind === "chunk") {
    // Chunks cut characters anywhere: decode as a stream so a split character survives.
    const stream = makeStreamDecoder(opts.encoding);
    return { make: (buf, start, end) => stream.write(buf.subarray(start, end)), end: () => stream.end() };
  }
  let maker = shared.get(opts);
  if (!maker) {
    maker = { make: makeDecoder(opts.encoding) };
    shared.set(opts, maker);
  }
  return maker;
}
