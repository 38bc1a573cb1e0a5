/**
 * Where a capture meets its socket: one more 'data' listener for the bytes
 * read, the socket's own write() wrapped for the bytes written (an own
 * property that calls the prototype's), an 'error' listener for the error
 * that closed it. Only sockets whose node keeps traffic get any of this;
 * every other socket is untouched, so capture costs nothing when off.
 * The listeners are shared functions that find the capture by a symbol.
 */
import type { Socket } from "node:net";
import type { Capture } from "./capture";

const kCapture = Symbol("tcp-automation.traffic");
type Tapped = Socket & { [kCapture]?: Capture };
type AnyWrite = (this: Socket, ...args: unknown[]) => boolean;

function onData(this: Tapped, chunk: Buffer): void {
  this[kCapture]?.received(chunk);
}

function onError(this: Tapped, err: Error): void {
  this[kCapture]?.failed(err);
}

function toBytes(chunk: unknown, encoding: unknown): Uint8Array | undefined {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
  return undefined;
}

function tappedWrite(this: Tapped, ...args: unknown[]): boolean {
  const bytes = toBytes(args[0], args[1]);
  if (bytes) this[kCapture]?.sent(bytes);
  const proto = Object.getPrototypeOf(this) as { write: AnyWrite };
  return proto.write.apply(this, args);
}

/** Starts feeding capture from socket. Call before any other 'data' listener so frame offsets see the bytes first. */
export function tapSocket(socket: Socket, capture: Capture): void {
  const s = socket as Tapped;
  s[kCapture] = capture;
  socket.on("data", onData);
  socket.on("error", onError);
  (socket as unknown as { write: AnyWrite }).write = tappedWrite;
}
