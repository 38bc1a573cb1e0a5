/**
 * Every error a send-to-tcp-port job can end with, as a message catalog key
 * (under "errors."), its substitutions and the code a Catch node sees in
 * msg.error.code. The errors name their own entries (lib/base/coded-error);
 * this adds where the job went. The node only translates.
 */
import { CodedError, codedError, type Translate } from "../base/coded-error";

export interface ErrorText {
  key: string;
  subs: Record<string, unknown>;
  code: string;
}

/** The catalog entry for err; undefined for an error that already carries its own text and code. */
export function describeSendError(err: Error, where: string): ErrorText | undefined {
  if (!(err instanceof CodedError)) return undefined;
  const entry = err.catalog();
  if (!entry) return undefined;
  return { key: entry.key, subs: { where, ...entry.subs }, code: err.code };
}

/** err as the node reports it: its catalog text, else its own message, with its code (EIO when it has none). */
export function sendErrorOf(err: Error, where: string, t: Translate): CodedError {
  const d = describeSendError(err, where);
  if (d) return codedError(t(`errors.${d.key}`, d.subs), d.code);
  const code = (err as { code?: unknown }).code;
  return codedError(err.message, typeof code === "string" ? code : "EIO");
}

/** A typed property (label.<what>: data, host, port) that could not be evaluated for a message. */
export function evaluationError(what: string, err: Error, t: Translate): CodedError {
  return codedError(t("errors.evaluate", { what: t(`label.${what}`), error: err.message }), "EEVALUATE");
}
