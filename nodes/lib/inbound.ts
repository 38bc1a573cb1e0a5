/**
 * One inbound byte stream (a socket a peer opened, or one a node dialled)
 * turned into messages: framing, decoding, read/idle timers, and the flush of
 * the last partial frame when the stream ends. No Node-RED import: the node
 * passes handlers in and decides what a message or an error becomes.
 *
 * Hot path: one 'data' event -> framer.push -> one array of messages ->
 * handlers.messages(batch), so Node-RED gets one send() per socket read, not
 * one per frame. Nothing is allocated per frame except the message itself.
 */
import type { Socket } from "node:net";
import { makeDecoder, makeStreamDecoder } from "./encoding";
import { createFramer, FrameTooLargeError, type Framer, type FrameSink } from "./framing";
import type { FramingConfig } from "./framing-config";

export interface TcpSessionRef {
  type: "tcp";
  id: string;
}

export interface InboundMessage {
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

export class IncompleteFrameError extends Error {
  readonly code = "EINCOMPLETEFRAME";
  constructor(readonly received: number, readonly expected: number | undefined) {
    super(
      expected === undefined
        ? `connection ended inside a length header (${received} bytes of it received)`
        : `connection ended after ${received} of ${expected} announced bytes`,
    );
    this.name = "IncompleteFrameError";
  }
}

export interface InboundHandlers {
  /** Frames decoded into messages, in order; one call per socket read. */
  messages(batch: InboundMessage[]): void;
  /** A frame error (too large, cut short). After a too-large frame the stream destroys the socket. */
  frameError(err: FrameTooLargeError | IncompleteFrameError, msg: InboundMessage): void;
  /** The read timeout passed without a byte; the stream destroys the socket right after. */
  readTimeout(): void;
}

export interface InboundOptions extends FramingConfig {
  /** 0 = off: no byte received for this long closes the connection. */
  readTimeoutMs: number;
  topic: string;
}

export function baseMessage(topic: string, peer: Peer): InboundMessage {
  return { topic, ip: peer.ip, port: peer.port, localPort: peer.localPort, _session: { type: "tcp", id: peer.sessionId } };
}

export class InboundStream {
  private readonly framer: Framer;
  private readonly sink: FrameSink;
  private readonly payload: PayloadMaker;
  private batch: InboundMessage[] = [];
  private readTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    private readonly socket: Socket,
    private readonly peer: Peer,
    private readonly opts: InboundOptions,
    private readonly handlers: InboundHandlers,
  ) {
    this.framer = createFramer(opts.framing, opts.maxFrame);
    const payload = (this.payload = payloadMaker(opts));
    const { topic } = opts;
    const { ip, port, localPort, sessionId } = peer;
    this.sink = (buf, start, end) => {
      this.batch.push({
        payload: payload.make(buf, start, end),
        topic,
        ip,
        port,
        localPort,
        _session: { type: "tcp", id: sessionId },
      });
    };
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.once("close", () => this.finish());
    if (opts.readTimeoutMs > 0) {
      this.readTimer = setTimeout(() => this.onReadTimeout(), opts.readTimeoutMs);
    }
  }

  /** Bytes waiting for the rest of their frame. */
  get pendingBytes(): number {
    return this.framer.pendingBytes;
  }

  private onData(chunk: Buffer): void {
    if (this.finished) return;
    this.readTimer?.refresh();
    try {
      this.framer.push(chunk, this.sink);
    } catch (err) {
      this.deliver();
      if (err instanceof FrameTooLargeError) {
        this.handlers.frameError(err, baseMessage(this.opts.topic, this.peer));
        this.socket.destroy();
        return;
      }
      throw err;
    }
    this.deliver();
    if (this.opts.framing.kind === "idle") this.armIdle();
  }

  private armIdle(): void {
    if (this.idleTimer) this.idleTimer.refresh();
    else this.idleTimer = setTimeout(() => this.flushIdle(), this.opts.idleMs);
  }

  private flushIdle(): void {
    if (this.finished) return;
    const rest = this.framer.flush();
    if (rest) this.sink(rest.frame, 0, rest.frame.length);
    this.deliver();
  }

  private onReadTimeout(): void {
    if (this.finished) return;
    this.handlers.readTimeout();
    this.socket.destroy();
  }

  private deliver(): void {
    if (this.batch.length === 0) return;
    const out = this.batch;
    this.batch = [];
    this.handlers.messages(out);
  }

  /** The stream ended (peer closed, error, timeout, or we closed it): whatever is left becomes the last frame. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.readTimer) clearTimeout(this.readTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const rest = this.framer.flush();
    if (rest?.complete) this.sink(rest.frame, 0, rest.frame.length);
    const tail = this.payload.end?.();
    if (tail) this.batch.push({ ...baseMessage(this.opts.topic, this.peer), payload: tail });
    this.deliver();
    if (!rest || rest.complete) return;
    const msg = baseMessage(this.opts.topic, this.peer);
    msg.payload = rest.frame;
    this.handlers.frameError(new IncompleteFrameError(rest.frame.length, rest.expected), msg);
  }
}

interface PayloadMaker {
  make(buf: Buffer, start: number, end: number): Buffer | string;
  /** For stream decoding: what is left when the stream ends (bytes of a character never completed). */
  end?(): string;
}

function payloadMaker(opts: FramingConfig): PayloadMaker {
  if (opts.output === "buffer") {
    // A private copy: a small frame must not pin the whole socket read buffer it came in.
    return { make: (buf, start, end) => (start === 0 && end === buf.length ? buf : Buffer.from(buf.subarray(start, end))) };
  }
  if (opts.framing.kind === "chunk") {
    // Chunks cut characters anywhere: decode as a stream so a split character survives.
    const stream = makeStreamDecoder(opts.encoding);
    return { make: (buf, start, end) => stream.write(buf.subarray(start, end)), end: () => stream.end() };
  }
  return { make: makeDecoder(opts.encoding) };
}
