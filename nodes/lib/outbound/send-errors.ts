/**
 * Every error a send-to-tcp-port job can end with, as a message catalog key
 * (under "errors."), its substitutions and the code a Catch node sees in
 * msg.error.code. The node only translates; nothing here knows Node-RED.
 */
import { QueueError } from "./delivery";
import { DestinationError } from "./destination";
import { EncodingError } from "../base/encoding";
import { PayloadError } from "./payload";
import { ReplyWriteError } from "./reply";
import { SessionError } from "../sessions/registry";
import { JobError } from "./job";

export interface ErrorText {
  key: string;
  subs: Record<string, unknown>;
  code: string;
}

/** The catalog entry for err; undefined for an error that already carries its own text and code. */
export function describeSendError(err: Error, where: string): ErrorText | undefined {
  if (err instanceof SessionError) {
    const d = err.detail;
    const seconds = d.ago === undefined ? 0 : (d.ago / 1000).toFixed(1);
    // The hint about triggers that emit on client disconnect only where it applies: such a trigger's session.
    const key = err.code === "ESESSIONCLOSED" && d.reason === "peer" && d.emitsOnClose === true ? "ESESSIONCLOSED-peer" : err.code;
    return { key: `session.${key}`, subs: { session: d.sessionId, peer: d.peer, reason: d.reason, seconds }, code: err.code };
  }
  if (err instanceof ReplyWriteError && err.timeoutMs !== undefined) {
    return { key: "reply-timeout", subs: { session: err.sessionId, peer: err.peer, ms: err.timeoutMs }, code: err.code };
  }
  if (err instanceof ReplyWriteError) return { key: "reply-write", subs: { session: err.sessionId, peer: err.peer, error: err.cause.message }, code: err.code };
  if (err instanceof DestinationError) return { key: `destination.${err.reason}`, subs: { value: err.value }, code: err.code };
  if (err instanceof PayloadError) return { key: `payload.${err.problem}`, subs: { kind: err.kind, detail: err.detail }, code: err.code };
  if (err instanceof EncodingError) return { key: "encoding", subs: { encoding: err.encoding }, code: err.code };
  if (err instanceof QueueError) {
    return { key: err.code === "EQUEUEFULL" ? "queue-full" : "stopped", subs: { where: err.destination, limit: err.limit, sent: 0 }, code: err.code };
  }
  if (err instanceof JobError) {
    const subs = { where, attempts: err.attempts, ms: err.elapsedMs, sent: err.bytesSent, error: err.cause ? err.cause.message : err.code };
    return { key: err.phase, subs, code: err.code };
  }
  return undefined;
}
