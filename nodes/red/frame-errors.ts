/**
 * A frame error of a connection, as the error a Catch node receives, and the
 * warning about bytes skipped outside any frame: the same text and code from
 * every node that frames inbound data.
 */
import type { Connection, FrameTooLargeError, IncompleteFrameError } from "../lib/inbound";
import { peerLabel } from "../lib/sessions";
import { inWords, type Translate } from "../lib/base";

/** t looks keys up in the node's own catalog (errors.frame-too-large, errors.incomplete-frame, errors.incomplete-header). */
export function frameError(t: Translate, err: FrameTooLargeError | IncompleteFrameError, conn: Connection): Error {
  return inWords(err, t, { peer: peerLabel(conn.peer.ip, conn.peer.port), session: conn.session.id }) ?? err;
}

/** Bytes a start/end or length-field framer skipped in one socket read: one warning (warn.skipped), never one per byte. */
export function skippedWarning(t: Translate, count: number, conn: Connection): string {
  return t("warn.skipped", { count, peer: peerLabel(conn.peer.ip, conn.peer.port), session: conn.session.id });
}
