/**
 * Turns a byte sequence typed in the editor ("\r\n", "\x03", "END\0") into
 * bytes; the escapes and their errors are lib/schema's (the editor checks
 * them with the same code). Literal text is taken as UTF-8.
 */
import { scanEscapes } from "../schema/escapes";

export { EscapeError } from "../schema/escapes";

/** Literal text and escaped bytes as one Buffer. */
export function escapedBytes(parts: ReadonlyArray<string | number>): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.of(p))));
}

/** Throws EscapeError for a bad escape. */
export function parseEscapes(text: string): Buffer {
  return escapedBytes(scanEscapes(text));
}
