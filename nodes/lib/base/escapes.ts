/**
 * Turns a delimiter typed in the editor ("\r\n", "\x03", "END\0") into bytes.
 *
 * Supported escapes: \r \n \t \0 \\ and \xNN (two hex digits). Any other
 * backslash sequence is an error, so a typo never becomes a silent literal.
 * Characters outside the escapes are taken as UTF-8.
 */
import { CodedError } from "./coded-error";

/** Escapes come from a node's configuration: a bad one is a configuration problem (ECONFIG). */
export class EscapeError extends CodedError {
  constructor(message: string, readonly position: number) {
    super("ECONFIG", message);
    this.name = "EscapeError";
  }
}

const SIMPLE: Record<string, number> = { r: 0x0d, n: 0x0a, t: 0x09, "0": 0x00, "\\": 0x5c };

export function parseEscapes(text: string): Buffer {
  const parts: Buffer[] = [];
  let literal = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== "\\") {
      literal += c;
      continue;
    }
    if (i + 1 >= text.length) throw new EscapeError("a trailing backslash has nothing to escape", i);
    const next = text[i + 1];
    if (next in SIMPLE) {
      parts.push(Buffer.from(literal, "utf8"), Buffer.of(SIMPLE[next]));
      literal = "";
      i += 1;
      continue;
    }
    if (next === "x") {
      const hex = text.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new EscapeError(`\\x must be followed by two hex digits at position ${i}`, i);
      parts.push(Buffer.from(literal, "utf8"), Buffer.of(parseInt(hex, 16)));
      literal = "";
      i += 3;
      continue;
    }
    throw new EscapeError(`unknown escape \\${next} at position ${i}`, i);
  }
  parts.push(Buffer.from(literal, "utf8"));
  return Buffer.concat(parts);
}
