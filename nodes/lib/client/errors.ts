/**
 * Every way a write or request of the tcp client can end other than sent (or
 * answered), and every reason the link itself went down: one error class with
 * a stable `code` for switch nodes (msg.error.code), a `kind` that names the
 * message catalog entry, and the numbers that entry's text needs in `detail`.
 * No Node-RED import; the node only translates.
 *
 *   kind               code           when
 *   connect            (system code)  a dial failed: ECONNREFUSED, ETIMEDOUT, ENOTFOUND, a TLS code, ...
 *   gave-up            (system code)  no connection within the reconnect bound; queued entries end with the last dial's code
 *   queue-full         EQUEUEFULL     refused, or dropped by the queue's policy (detail.policy, detail.dropped)
 *   stale              ESTALE         waited longer than the maximum age; not sent late
 *   send-failed        ESENDFAILED    written into a link that failed before the kernel took the bytes
 *   write-timeout      ESENDFAILED    (as send-failed) the kernel did not take the bytes within the write timeout
 *   stopped            ESTOPPED       the link was stopped (redeploy) before the entry could end
 *   reply-timeout      ETIMEDOUT      no reply within the reply timeout
 *   no-reply           ENOREPLY       the request was sent but the link closed before its reply came
 *   reply-property     EREPLYPROPERTY the reply came, but the message cannot hold it at the reply property
 *                                    (a part of the path is a string, number, boolean or null)
 *   read-timeout       ETIMEDOUT      nothing received for the read timeout; the link is closed and dialled again
 *   heartbeat-lost     ETIMEDOUT      no answer to a heartbeat; the link is closed and dialled again
 *   greeting-timeout   ETIMEDOUT      the greeting's answer did not come in time; the link is closed and dialled again
 *   greeting-mismatch  EGREETING      the greeting's answer was not the expected one; closed and dialled again
 */
import { CodedError, type CatalogEntry } from "../base/coded-error";
import type { CloseReason } from "../sessions/registry";

export type ClientErrorKind =
  | "connect"
  | "gave-up"
  | "queue-full"
  | "stale"
  | "send-failed"
  | "write-timeout"
  | "stopped"
  | "reply-timeout"
  | "no-reply"
  | "reply-property"
  | "empty-request"
  | "read-timeout"
  | "heartbeat-lost"
  | "greeting-timeout"
  | "greeting-mismatch";

export type QueuePolicy = "refuse" | "drop-oldest" | "drop-newest";

export interface ClientErrorDetail {
  /** "host:port" of the device. */
  peer: string;
  /** Connection attempts in the round that failed (connect, gave-up). */
  attempts?: number;
  /** A duration the text names: the timeout that passed, the age of a stale entry, the round's length. */
  ms?: number;
  /** The limit that was reached: stale (max age in ms), queue-full (messages). */
  limit?: number;
  /** queue-full: bytes limit. */
  limitBytes?: number;
  policy?: QueuePolicy;
  /** queue-full: "this" (the entry itself was not taken) or "oldest" (it made room for a newer one). */
  dropped?: "this" | "oldest";
  /** Bytes of the entry. */
  bytes?: number;
  /** stopped: its bytes had been handed to the socket, so part of them may have reached the device. */
  written?: boolean;
  /** no-reply / send-failed: why the link closed. */
  reason?: CloseReason;
  /** reply-property: the message property the reply was for. */
  property?: string;
}

export class ClientError extends CodedError {
  constructor(
    code: string,
    readonly kind: ClientErrorKind,
    message: string,
    readonly detail: ClientErrorDetail,
    readonly cause?: Error,
  ) {
    super(code, message);
    this.name = "ClientError";
  }

  /** The node's catalog entry: errors.client.<kind>, with the detail as substitutions. */
  override catalog(): CatalogEntry {
    return { key: `client.${this.kind}`, subs: { ...this.detail, code: this.code } };
  }

  /** Catch nodes show toString() as msg.error.message: the text as written, no "ClientError: " prefix. */
  override toString(): string {
    return this.message;
  }
}

/** The system code of an error (ECONNREFUSED, ...), "EIO" when it has none. */
export function codeOf(err: Error | undefined): string {
  const c: unknown = (err as { code?: unknown } | undefined)?.code;
  return typeof c === "string" && c !== "" ? c : "EIO";
}

export function connectError(peer: string, attempts: number, cause: Error): ClientError {
  return new ClientError(
    codeOf(cause),
    "connect",
    `no connection to ${peer} (attempt ${attempts}): ${cause.message}`,
    { peer, attempts },
    cause,
  );
}

export function gaveUpError(peer: string, attempts: number, ms: number, cause: Error | undefined): ClientError {
  const why = cause ? cause.message : "no connection";
  return new ClientError(
    codeOf(cause),
    "gave-up",
    `gave up on ${peer} after ${attempts} attempt(s) in ${ms} ms: ${why}`,
    { peer, attempts, ms },
    cause,
  );
}

export function queueFullError(
  peer: string,
  policy: QueuePolicy,
  dropped: "this" | "oldest",
  limit: number,
  limitBytes: number,
  bytes: number,
): ClientError {
  const what = dropped === "this" ? (policy === "refuse" ? "refused" : "dropped") : "dropped to make room for a newer one";
  return new ClientError("EQUEUEFULL", "queue-full", `${what}: the queue for ${peer} is full (${limit} messages or ${limitBytes} bytes)`, {
    peer,
    policy,
    dropped,
    limit,
    limitBytes,
    bytes,
  });
}

export function staleError(peer: string, ageMs: number, maxAgeMs: number): ClientError {
  return new ClientError("ESTALE", "stale", `not sent to ${peer}: waited ${ageMs} ms, longer than the maximum age of ${maxAgeMs} ms`, {
    peer,
    ms: ageMs,
    limit: maxAgeMs,
  });
}

export function sendFailedError(peer: string, bytes: number, reason: CloseReason, cause: Error | undefined): ClientError {
  const why = cause ? cause.message : reason;
  return new ClientError(
    "ESENDFAILED",
    "send-failed",
    `${bytes} bytes written to ${peer} were not confirmed before the link closed (${why})`,
    { peer, bytes, reason },
    cause,
  );
}

export function writeTimeoutError(peer: string, bytes: number, ms: number): ClientError {
  return new ClientError(
    "ESENDFAILED",
    "write-timeout",
    `${bytes} bytes written to ${peer} were not taken within ${ms} ms; the link was reset`,
    { peer, bytes, ms },
  );
}

export function stoppedError(peer: string, written: boolean): ClientError {
  const what = written ? "written but not confirmed when the link was stopped" : "not sent: the link was stopped";
  return new ClientError("ESTOPPED", "stopped", `${what} (${peer})`, { peer, written });
}

export function replyTimeoutError(peer: string, ms: number): ClientError {
  return new ClientError("ETIMEDOUT", "reply-timeout", `no reply from ${peer} within ${ms} ms`, { peer, ms });
}

export function noReplyError(peer: string, reason: CloseReason, cause: Error | undefined): ClientError {
  const why = cause ? cause.message : reason;
  return new ClientError(
    "ENOREPLY",
    "no-reply",
    `sent to ${peer}, but the link closed before the reply came (${why})`,
    { peer, reason },
    cause,
  );
}

export function replyPropertyError(peer: string, property: string): ClientError {
  return new ClientError(
    "EREPLYPROPERTY",
    "reply-property",
    `the reply from ${peer} cannot be put in msg.${property}: a part of that path is not an object`,
    { peer, property },
  );
}

/** A request of no bytes: the device gets nothing, so nothing could be its reply. */
export function emptyRequestError(peer: string): ClientError {
  return new ClientError("EPAYLOAD", "empty-request", `an empty request sends nothing to ${peer}, so it can have no reply`, { peer });
}

export function readTimeoutError(peer: string, ms: number): ClientError {
  return new ClientError("ETIMEDOUT", "read-timeout", `nothing received from ${peer} for ${ms} ms`, { peer, ms });
}

export function heartbeatLostError(peer: string, ms: number): ClientError {
  return new ClientError("ETIMEDOUT", "heartbeat-lost", `no answer from ${peer} within ${ms} ms of a heartbeat`, { peer, ms });
}

export function greetingTimeoutError(peer: string, ms: number): ClientError {
  return new ClientError("ETIMEDOUT", "greeting-timeout", `no answer from ${peer} to the greeting within ${ms} ms`, { peer, ms });
}

export function greetingMismatchError(peer: string, got: string): ClientError {
  return new ClientError("EGREETING", "greeting-mismatch", `unexpected answer from ${peer} to the greeting: ${got}`, { peer });
}
