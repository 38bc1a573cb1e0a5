/**
 * Byte sequences typed in the editor ("\r\n", "\x03", "END\0"): supported
 * escapes are \r \n \t \0 \\ and \xNN (two hex digits). Any other backslash
 * sequence is an error, so a typo never becomes a silent literal. Characters
 * outside the escapes are literal text (the runtime sends them as UTF-8).
 */
import { ok, refused, str, type Common, declared, type Declared } from "./core";

export class EscapeError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = "EscapeError";
  }
}

/** Literal text and escaped bytes, in order. */
export type EscapedText = ReadonlyArray<string | number>;

const SIMPLE: Readonly<Record<string, number>> = { r: 0x0d, n: 0x0a, t: 0x09, "0": 0x00, "\\": 0x5c };

/** The text as literal runs and escaped bytes; throws EscapeError. */
export function scanEscapes(text: string): EscapedText {
  const parts: Array<string | number> = [];
  let literal = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== "\\") {
      literal += c;
      continue;
    }
    if (i + 1 >= text.length) throw new EscapeError("a trailing backslash has nothing to escape", i);
    const next = text[i + 1];
    if (Object.prototype.hasOwnProperty.call(SIMPLE, next)) {
      parts.push(literal, SIMPLE[next]);
      literal = "";
      i += 1;
      continue;
    }
    if (next === "x") {
      const hex = text.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new EscapeError(`\\x must be followed by two hex digits at position ${i}`, i);
      parts.push(literal, parseInt(hex, 16));
      literal = "";
      i += 3;
      continue;
    }
    throw new EscapeError(`unknown escape \\${next} at position ${i}`, i);
  }
  parts.push(literal);
  return parts;
}

/**
 * A frame delimiter: required, never empty; anything but a string reads as "". Not saved at all (a flow
 * written by hand or by an older version): the default, as the editor gives a node it imports.
 */
export function delimiter<D extends Common & { message: string }>(spec: D): Declared<EscapedText, D> {
  return declared<EscapedText, D>({
    ...spec,
    read(raw) {
      let parts: EscapedText;
      const text = raw === undefined ? spec.value : raw;
      try {
        parts = scanEscapes(typeof text === "string" ? text : "");
      } catch (e) {
        return refused((e as Error).message);
      }
      return parts.some((p) => typeof p === "number" || p !== "") ? ok(parts) : refused("empty");
    },
  });
}

/** Optional escaped text ("" = none): the bytes that end a device's reply. */
export function optionalEscapes<D extends Common & { message: string }>(spec: D): Declared<EscapedText | undefined, D> {
  return declared<EscapedText | undefined, D>({
    ...spec,
    read(raw) {
      const t = str(raw);
      if (t === "") return ok(undefined);
      try {
        return ok(scanEscapes(t));
      } catch (e) {
        if (e instanceof EscapeError) return refused(t);
        throw e;
      }
    },
  });
}

/** How many bytes the escaped text is as UTF-8 (literal text is sent as UTF-8). */
export function escapedLength(parts: EscapedText): number {
  let n = 0;
  for (const p of parts) {
    if (typeof p === "number") n += 1;
    else
      for (const c of p) {
        const code = c.codePointAt(0) ?? 0;
        n += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      }
  }
  return n;
}

/** Optional single byte ("" = none), typed with the same escapes ("\x10"): the framer's escape byte. */
export function optionalByte<D extends Common & { message: string }>(spec: D): Declared<EscapedText | undefined, D> {
  return declared<EscapedText | undefined, D>({
    ...spec,
    read(raw) {
      const t = typeof raw === "string" ? raw : "";
      if (t === "") return ok(undefined);
      let parts: EscapedText;
      try {
        parts = scanEscapes(t);
      } catch (e) {
        return refused((e as Error).message);
      }
      return escapedLength(parts) === 1 ? ok(parts) : refused(t);
    },
  });
}
