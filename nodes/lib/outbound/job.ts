/**
 * One delivery job over its own TCP connection: dial (with a connect timeout,
 * retried with backoff while the peer refuses or does not answer), send the
 * bytes, then end the connection the chosen way while keeping what the peer
 * sent back. No Node-RED import; the queue in delivery.ts runs these.
 *
 * After sending:
 *   close  end our side (FIN) once every byte is handed to the OS, then close
 *          at once without waiting for the peer.
 *   eof    half-close (FIN, like shutdown(SHUT_WR)) and wait for the peer to
 *          close its side (JetDirect "wait for EOF"), at most eofTimeoutMs.
 *   delay  keep the connection open for disconnectDelayMs (the peer may
 *          answer meanwhile), then end and close; earlier if the peer closes.
 *
 * With replyEnd set (eof and delay), the job ends as soon as the peer's bytes
 * contain it, once ours have all been handed to the OS: a device that answers
 * "OK\r\n" and keeps the line open does not cost the whole wait.
 *
 * Only failures to connect are retried: once bytes went out, a retry could
 * print a label twice, so a reset after that is reported, not repeated.
 */
import { connect, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import type { Destination } from "./destination";
import { forHost } from "../base/tls-options";
import { SEND_DEFAULTS, type AfterSend } from "../schema";

export type { AfterSend } from "../schema";

/** "reply": the peer's reply ended with replyEnd, so we closed without waiting further. */
export type ClosedBy = "us" | "peer" | "timeout" | "reply";

export interface JobOptions {
  after: AfterSend;
  /** eof: longest wait for the peer to close after our half-close. */
  eofTimeoutMs: number;
  /** delay: how long the connection stays open after the bytes went out. */
  disconnectDelayMs: number;
  connectTimeoutMs: number;
  /** Every byte must be handed to the OS within this time after connecting. */
  writeTimeoutMs: number;
  /** Connection attempts in all, at least 1. */
  attempts: number;
  /** Wait before the second attempt; doubles each time up to retryMaxDelayMs. */
  retryDelayMs: number;
  retryMaxDelayMs: number;
  /** No attempt starts later than this after the first one. */
  retryWithinMs: number;
  /** Keep the bytes the peer sends (at most maxReplyBytes); otherwise only count them. */
  captureReply: boolean;
  maxReplyBytes: number;
  /** eof / delay: end the job once the peer has sent these bytes (undefined = wait as configured). */
  replyEnd?: Buffer;
  /** TLS client options (lib/tls-options); undefined = plain TCP. Connected means: handshake done, server verified. */
  tls?: ConnectionOptions;
}

/** The editor's defaults (lib/schema), and what the editor does not set. */
export const JOB_DEFAULTS: JobOptions = {
  after: "close",
  eofTimeoutMs: SEND_DEFAULTS.eofTimeoutMs,
  disconnectDelayMs: SEND_DEFAULTS.disconnectDelayMs,
  connectTimeoutMs: SEND_DEFAULTS.connectTimeoutMs,
  writeTimeoutMs: SEND_DEFAULTS.writeTimeoutMs,
  attempts: SEND_DEFAULTS.attempts,
  retryDelayMs: SEND_DEFAULTS.retryDelayMs,
  retryMaxDelayMs: SEND_DEFAULTS.retryMaxDelayMs,
  retryWithinMs: SEND_DEFAULTS.retryWithinMs,
  captureReply: false,
  maxReplyBytes: 1024 * 1024,
};

export interface JobResult {
  host: string;
  port: number;
  localPort: number;
  /** Connection attempts made, 1 when the first one connected. */
  attempts: number;
  /** Time the successful attempt took to connect. */
  connectMs: number;
  /** From the start of the first attempt until the connection closed. */
  totalMs: number;
  bytesSent: number;
  bytesReceived: number;
  /** What the peer sent until the connection closed (empty when it sent nothing or capture is off). */
  reply: Buffer;
  replyTruncated: boolean;
  closedBy: ClosedBy;
}

export type JobPhase = "connect" | "send" | "stopped";

/** A job that did not complete; code is the system error code (ECONNREFUSED, ETIMEDOUT, ...) or ESTOPPED. */
export class JobError extends Error {
  constructor(
    readonly code: string,
    readonly phase: JobPhase,
    readonly attempts: number,
    readonly elapsedMs: number,
    readonly bytesSent: number,
    readonly cause?: Error,
  ) {
    super(`${phase} failed after ${attempts} attempt(s) in ${elapsedMs} ms: ${cause ? cause.message : code}`);
    this.name = "JobError";
  }
}

export type Dial = (host: string, port: number, tls?: ConnectionOptions) => Socket;

export const defaultDial: Dial = (host, port, tls) => (tls ? tlsConnect({ ...forHost(tls, host), host, port }) : connect({ host, port }));

/** Connect errors that mean "not now" rather than "never": the peer refuses, is busy, or is not reachable yet. */
export const RETRYABLE = new Set(["ECONNREFUSED", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "EADDRNOTAVAIL", "ECONNABORTED"]);

function codeOf(err: Error): string {
  const c = (err as NodeJS.ErrnoException).code;
  return typeof c === "string" && c !== "" ? c : "EIO";
}

function timeoutError(what: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${what} timed out`);
  err.code = "ETIMEDOUT";
  return err;
}

class Stopped extends Error {}

/**
 * TLS and "close": the peer's session tickets and close_notify still arrive
 * after our last byte; closing at once would answer them with a reset that
 * can cost the peer our data. Wait this long for the peer to close.
 */
export const TLS_CLOSE_GRACE_MS = 2000;

/** Resolves with a connected socket, or rejects with the connect error (ETIMEDOUT after timeoutMs). */
function connectOnce(dest: Destination, timeoutMs: number, dial: Dial, signal: AbortSignal, tls?: ConnectionOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tls ? dial(dest.host, dest.port, tls) : dial(dest.host, dest.port);
    const connected = tls ? "secureConnect" : "connect";
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.removeListener(connected, onConnect);
      socket.removeListener("error", onError);
      if (err) {
        socket.on("error", () => undefined);
        socket.destroy();
        reject(err);
      } else {
        resolve(socket);
      }
    };
    const onConnect = (): void => settle();
    const onError = (err: Error): void => settle(err);
    const onAbort = (): void => settle(new Stopped());
    const timer = setTimeout(() => settle(timeoutError("connect")), timeoutMs);
    socket.once(connected, onConnect);
    socket.once("error", onError);
    signal.addEventListener("abort", onAbort);
  });
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Stopped());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

interface Transfer {
  closedBy: ClosedBy;
  reply: Buffer;
  replyTruncated: boolean;
  bytesReceived: number;
}

class TransferError extends Error {
  constructor(readonly cause: Error) {
    super(cause.message);
  }
}

/** Sends data on a connected socket and ends the connection the chosen way; resolves when it has closed. */
function transfer(socket: Socket, data: Buffer, o: JobOptions, signal: AbortSignal): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let received = 0;
    let truncated = false;
    let closedBy: ClosedBy = "us";
    /** We are closing (TLS "close" waiting for the peer): whoever closes last, it was us. */
    let closing = false;
    let failure: Error | undefined;
    let timer: NodeJS.Timeout | undefined;

    const arm = (ms: number, fire: () => void): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(fire, ms);
    };
    const fail = (err: Error): void => {
      failure ??= err;
      socket.destroy();
    };
    const onAbort = (): void => fail(new Stopped());

    /** Our bytes are all with the OS (eof: our FIN too): only then may a complete reply end the job. */
    let sent = false;
    let replyComplete = false;
    const endOnReply = o.after !== "close" && o.replyEnd !== undefined && o.replyEnd.length > 0 ? o.replyEnd : undefined;
    /** The last replyEnd.length - 1 bytes seen, so an end split across reads is still found. */
    let tail: Buffer = Buffer.alloc(0);
    const finishOnReply = (): void => {
      if (!replyComplete || !sent || closedBy !== "us" || socket.destroyed) return;
      closedBy = "reply";
      if (timer) clearTimeout(timer);
      if (o.after === "eof") {
        socket.destroy(); // our FIN went out already
        return;
      }
      socket.end();
      socket.once("finish", () => socket.destroy());
    };

    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (endOnReply && !replyComplete) {
        const seen = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
        if (seen.indexOf(endOnReply) !== -1) {
          replyComplete = true;
          // Kept below, before the job ends, so the reply holds this read too.
          setImmediate(finishOnReply);
        } else tail = Buffer.from(seen.subarray(Math.max(0, seen.length - (endOnReply.length - 1))));
      }
      if (!o.captureReply) return;
      const room = o.maxReplyBytes - kept;
      if (chunk.length > room) truncated = true;
      if (room <= 0) return;
      const part = chunk.length > room ? Buffer.from(chunk.subarray(0, room)) : chunk;
      chunks.push(part);
      kept += part.length;
    });
    socket.on("end", () => {
      // The peer closed its side; with allowHalfOpen off, Node ends ours after any pending bytes.
      if (closedBy !== "timeout" && !closing) closedBy = "peer";
    });
    socket.on("error", (err) => fail(err));
    socket.once("close", () => {
      if (timer) clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      if (failure) {
        reject(failure instanceof Stopped ? failure : new TransferError(failure));
        return;
      }
      resolve({ closedBy, reply: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, kept), replyTruncated: truncated, bytesReceived: received });
    });
    signal.addEventListener("abort", onAbort);

    arm(o.writeTimeoutMs, () => fail(timeoutError("send")));
    if (o.after === "delay") {
      socket.write(data, (err) => {
        if (err) return;
        arm(o.disconnectDelayMs, () => {
          socket.end();
          socket.once("finish", () => socket.destroy());
        });
        sent = true;
        finishOnReply();
      });
      return;
    }
    socket.end(data);
    socket.once("finish", () => {
      if (o.after === "close") {
        if (!(socket as { encrypted?: boolean }).encrypted) {
          socket.destroy();
          return;
        }
        closing = true;
        arm(Math.min(TLS_CLOSE_GRACE_MS, o.eofTimeoutMs), () => socket.destroy());
        return;
      }
      arm(o.eofTimeoutMs, () => {
        closedBy = "timeout";
        socket.destroy();
      });
      sent = true;
      finishOnReply();
    });
  });
}

/** Delivers data to dest over a connection of its own; rejects with JobError. */
export async function runJob(dest: Destination, data: Buffer, o: JobOptions, signal: AbortSignal, dial: Dial = defaultDial): Promise<JobResult> {
  const started = Date.now();
  let attempts = 0;
  let delay = o.retryDelayMs;
  let socket: Socket | undefined;
  let connectMs = 0;
  const elapsed = (): number => Date.now() - started;
  while (!socket) {
    if (signal.aborted) throw new JobError("ESTOPPED", "stopped", attempts, elapsed(), 0);
    attempts++;
    const t0 = Date.now();
    try {
      socket = await connectOnce(dest, o.connectTimeoutMs, dial, signal, o.tls);
      connectMs = Date.now() - t0;
    } catch (err) {
      if (err instanceof Stopped) throw new JobError("ESTOPPED", "stopped", attempts, elapsed(), 0);
      const e = err as Error;
      const code = codeOf(e);
      const more = RETRYABLE.has(code) && attempts < o.attempts && elapsed() + delay <= o.retryWithinMs;
      if (!more) throw new JobError(code, "connect", attempts, elapsed(), 0, e);
      try {
        await wait(delay, signal);
      } catch {
        throw new JobError("ESTOPPED", "stopped", attempts, elapsed(), 0);
      }
      delay = Math.min(delay * 2, o.retryMaxDelayMs);
    }
  }
  const localPort = socket.localPort ?? 0;
  try {
    const t = await transfer(socket, data, o, signal);
    return {
      host: dest.host,
      port: dest.port,
      localPort,
      attempts,
      connectMs,
      totalMs: elapsed(),
      bytesSent: socket.bytesWritten,
      bytesReceived: t.bytesReceived,
      reply: t.reply,
      replyTruncated: t.replyTruncated,
      closedBy: t.closedBy,
    };
  } catch (err) {
    if (err instanceof TransferError) throw new JobError(codeOf(err.cause), "send", attempts, elapsed(), socket.bytesWritten, err.cause);
    throw new JobError("ESTOPPED", "stopped", attempts, elapsed(), socket.bytesWritten);
  }
}
