/**
 * A frame error of a connection, as the error a Catch node receives: the same
 * text and code from every node that frames inbound data.
 */
import { type Connection, FrameTooLargeError, type IncompleteFrameError } from "../lib/inbound";
import { peerLabel } from "../lib/sessions";
import { codedError } from "../lib/base";

type Translate = (key: string, subs?: Record<string, unknown>) => string;

/** t looks keys up in the node's own catalog (errors.frame-too-large, errors.incomplete-frame, errors.incomplete-header). */
export function frameError(t: Translate, err: FrameTooLargeError | IncompleteFrameError, conn: Connection): Error {
  const subs = { peer: peerLabel(conn.peer.ip, conn.peer.port), session: conn.session.id };
  if (err instanceof FrameTooLargeError) {
    return codedError(t("errors.frame-too-large", { ...subs, size: err.size, limit: err.limit }), err.code);
  }
  const key = err.expected === undefined ? "errors.incomplete-header" : "errors.incomplete-frame";
  return codedError(t(key, { ...subs, received: err.received, expected: err.expected }), err.code);
}
