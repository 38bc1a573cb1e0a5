/**
 * Text encodings by name: "auto" or any name iconv-lite knows, in any case
 * and with blanks around; the list the editor offers first; and the property
 * kind. Which names iconv-lite knows is the host's to say (View.env).
 */
import { ok, refused, type Common, declared, type Declared } from "./core";

export const AUTO = "auto";

/** The encodings the editor's selects offer ("auto" first); a flow may name any other iconv-lite knows. */
export const ENCODINGS: readonly string[] = [
  "auto",
  "utf8",
  "latin1",
  "windows-1252",
  "cp437",
  "cp850",
  "ascii",
  "utf16le",
  "utf16be",
  "windows-1250",
  "windows-1251",
  "iso-8859-2",
  "iso-8859-15",
  "shift_jis",
  "euc-jp",
  "gb18030",
  "gbk",
  "big5",
  "euc-kr",
];

/** Trimmed and lower case; anything but a non-blank string is "auto". */
export function normalizeEncoding(name: unknown): string {
  const n = typeof name === "string" ? name.trim().toLowerCase() : "";
  return n === "" ? AUTO : n;
}

export function knownEncoding(name: unknown, knows: (name: string) => boolean): boolean {
  const n = normalizeEncoding(name);
  return n === AUTO || knows(n);
}

/** The key iconv-lite looks a name up by (its _canonicalizeEncoding): lower case, no year suffix, letters and digits only. */
export function iconvKey(name: string): string {
  return name.toLowerCase().replace(/:\d{4}$|[^0-9a-z]/g, "");
}

/** An encoding property; the value is the normalized name. */
export function encoding<D extends Common & { message: string }>(spec: D): Declared<string, D> {
  return declared<string, D>({
    ...spec,
    read(raw, p) {
      const n = normalizeEncoding(raw);
      return knownEncoding(n, (x) => p.env.knowsEncoding(x)) ? ok(n) : refused(String(raw));
    },
  });
}
