/**
 * The one error type of this package. Every error has a `code`, the value a
 * Catch node gets in msg.error.code and a flow switches on. An error that a
 * node shows in its own words also names its message catalog entry: a key
 * under the node's "errors." and the substitutions, so a node only translates
 * (inWords) and nothing here knows Node-RED.
 *
 * Errors handed to node.error / done(err) are made by codedError(): Catch
 * nodes show err.toString() as msg.error.message and copy an own `code`
 * property, so the text reads as written (no "Error: " prefix).
 */

/** A message catalog entry: key under a node's "errors.", and its substitutions. */
export interface CatalogEntry {
  key: string;
  subs: Record<string, unknown>;
}

/** A node's catalog lookup (RED._ under the node's type). */
export type Translate = (key: string, subs?: Record<string, unknown>) => string;

export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** The catalog entry a node shows this error with; undefined when the message is the text. */
  catalog(): CatalogEntry | undefined {
    return undefined;
  }
}

/** An error whose message is the whole text a user sees (already translated). */
class TextError extends CodedError {
  override toString(): string {
    return this.message;
  }
}

export function codedError(message: string, code: string): CodedError {
  return new TextError(code, message);
}

/**
 * err as its node shows it: the catalog text of its entry (context adds what
 * only the caller knows, such as the destination; the error's own
 * substitutions win), with its code. undefined for an error without an entry.
 */
export function inWords(err: unknown, t: Translate, context?: Record<string, unknown>): CodedError | undefined {
  const entry = err instanceof CodedError ? err.catalog() : undefined;
  if (!entry) return undefined;
  return codedError(t(`errors.${entry.key}`, context ? { ...context, ...entry.subs } : entry.subs), (err as CodedError).code);
}
