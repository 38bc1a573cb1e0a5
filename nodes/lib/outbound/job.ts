/**
 * One delivery job over its own TCP connection: dial (lib/base/dial, with a
 * connect timeout, retried with backoff while the peer refuses or does not
 * answer), send the bytes, then end the connection the chosen way while
 * keeping what the peer sent back (transfer.ts, a state machine). No Node-RED
 * import; the queue in delivery.ts runs these.
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
import type { Socket } from "node:net";
import type { ConnectionOptions } from "node:tls";
import type { Destination } from "./destination";
import { CodedError, type CatalogEntry } from "../base/coded-error";
import { connectSocket, dial, type Connector } from "../base/dial";
import { Stopped, transfer } from "./transfer";
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

/**
 * A job that did not complete; code is the system error code (ECONNREFUSED, ETIMEDOUT, ...) or ESTOPPED.
 * Its catalog entry is the phase; the caller adds `where` (the destination).
 */
export class JobError extends CodedError {
  constructor(
    code: string,
    readonly phase: JobPhase,
    readonly attempts: number,
    readonly elapsedMs: number,
    readonly bytesSent: number,
    readonly cause?: Error,
  ) {
    super(code, `${phase} failed after ${attempts} attempt(s) in ${elapsedMs} ms: ${cause ? cause.message : code}`);
    this.name = "JobError";
  }

  override catalog(): CatalogEntry {
    return {
      key: this.phase,
      subs: { attempts: this.attempts, ms: this.elapsedMs, sent: this.bytesSent, error: this.cause ? this.cause.message : this.code },
    };
  }
}

/** Connect errors that mean "not now" rather than "never": the peer refuses, is busy, or is not reachable yet. */
export const RETRYABLE = new Set([
  "ECONNREFUSED",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "EADDRNOTAVAIL",
  "ECONNABORTED",
]);

function codeOf(err: Error): string {
  const c = (err as { code?: unknown }).code;
  return typeof c === "string" && c !== "" ? c : "EIO";
}

/** Resolves with a connected socket (lib/base/dial), or rejects with the connect error; Stopped when aborted. */
function connectOnce(dest: Destination, o: JobOptions, connector: Connector, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      attempt.abandon();
      reject(new Stopped());
    };
    const attempt = dial(
      { host: dest.host, port: dest.port, timeoutMs: o.connectTimeoutMs, tls: o.tls },
      (err, socket) => {
        signal.removeEventListener("abort", onAbort);
        if (err) reject(err);
        else resolve(socket as Socket);
      },
      connector,
    );
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

/** Delivers data to dest over a connection of its own; rejects with JobError. */
export async function runJob(
  dest: Destination,
  data: Buffer,
  o: JobOptions,
  signal: AbortSignal,
  connector: Connector = connectSocket,
): Promise<JobResult> {
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
      socket = await connectOnce(dest, o, connector, signal);
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
    if (err instanceof Stopped) throw new JobError("ESTOPPED", "stopped", attempts, elapsed(), socket.bytesWritten);
    throw new JobError(codeOf(err as Error), "send", attempts, elapsed(), socket.bytesWritten, err as Error);
  }
}
