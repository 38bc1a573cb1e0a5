/**
 * Buffer <-> string through iconv-lite, with Node's own codecs on the hot path.
 *
 * "auto" when decoding: a byte order mark picks UTF-8 / UTF-16LE / UTF-16BE
 * (and is dropped); otherwise UTF-8 when the bytes are valid UTF-8; otherwise
 * windows-1252, the usual code page of label printers and PLC panels.
 * "auto" when encoding: UTF-8.
 */
import { isUtf8 } from "node:buffer";
import iconv from "iconv-lite";
import { CodedError, type CatalogEntry } from "./coded-error";
import { AUTO, knownEncoding, normalizeEncoding, type Env } from "../schema";

export { AUTO, normalizeEncoding };

/** The runtime's answers to the schemas' questions: iconv-lite itself says which encodings exist. */
export const SCHEMA_ENV: Env = { knowsEncoding: (name) => iconv.encodingExists(name) };

/**
 * Codecs that Node's Buffer does identically to iconv-lite (and faster), by direction: proven for every
 * BMP code point and every byte (test/lib/encoding.test.js). Node's own "latin1" and "ascii" encoders
 * keep the low byte of a character they cannot represent (U+20AC -> 0xAC, "é" -> 0xE9 on a 7-bit link)
 * where iconv-lite writes "?", and Node's "ascii" decoder clears the high bit where iconv-lite gives
 * U+FFFD, so those take the native path only where the two provably agree.
 */
const NATIVE_DECODE: Readonly<Partial<Record<string, BufferEncoding>>> = {
  utf8: "utf8",
  "utf-8": "utf8",
  latin1: "latin1",
  "iso-8859-1": "latin1",
  binary: "latin1",
  utf16le: "utf16le",
  "utf-16le": "utf16le",
  ucs2: "utf16le",
  base64: "base64",
  hex: "hex",
};
const NATIVE_ENCODE: Readonly<Partial<Record<string, BufferEncoding>>> = {
  utf8: "utf8",
  "utf-8": "utf8",
  binary: "latin1", // iconv-lite's "binary" is Node's latin1 itself, truncation included
  utf16le: "utf16le",
  "utf-16le": "utf16le",
  ucs2: "utf16le",
  base64: "base64",
  hex: "hex",
};
/** Single-byte codecs whose native encoder is exact for text inside its range (checked per string). */
/* eslint-disable no-control-regex -- the ranges start at U+0000 on purpose: every character a codec can write */
const NATIVE_IN_RANGE: Readonly<Partial<Record<string, RegExp>>> = {
  latin1: /[^\u0000-\u00ff]/,
  "iso-8859-1": /[^\u0000-\u00ff]/,
  ascii: /[^\u0000-\u007f]/,
};
/* eslint-enable no-control-regex */

export type DecodeFn = (buf: Buffer, start: number, end: number) => string;

export interface StreamDecoder {
  write(buf: Buffer): string;
  end(): string;
}

export class EncodingError extends CodedError {
  declare readonly code: "EENCODING";
  constructor(readonly encoding: string) {
    super("EENCODING", `unknown encoding "${encoding}"`);
    this.name = "EncodingError";
  }

  override catalog(): CatalogEntry {
    return { key: "encoding", subs: { encoding: this.encoding } };
  }
}

/** Every name of NATIVE_DECODE is one iconv-lite knows too; asking the table with `in` would also take "constructor". */
export function isKnownEncoding(name: unknown): boolean {
  return knownEncoding(name, (n) => SCHEMA_ENV.knowsEncoding(n));
}

function check(name: unknown): string {
  const n = normalizeEncoding(name);
  if (!isKnownEncoding(n)) throw new EncodingError(String(name));
  return n;
}

interface Detected {
  encoding: string;
  bom: number;
}

/** What "auto" makes of these bytes. */
export function detectEncoding(buf: Buffer, start = 0, end = buf.length, allowCutTail = false): Detected {
  const len = end - start;
  if (len >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) return { encoding: "utf8", bom: 3 };
  if (len >= 2 && buf[start] === 0xff && buf[start + 1] === 0xfe) return { encoding: "utf16le", bom: 2 };
  if (len >= 2 && buf[start] === 0xfe && buf[start + 1] === 0xff) return { encoding: "utf16be", bom: 2 };
  const view = buf.subarray(start, end);
  if (isUtf8(view)) return { encoding: "utf8", bom: 0 };
  // A chunk may end inside a multi-byte character: valid apart from its last 1-3 bytes still counts.
  if (allowCutTail) {
    for (let cut = 1; cut <= 3 && cut < len; cut++) {
      if (isUtf8(view.subarray(0, len - cut))) return { encoding: "utf8", bom: 0 };
    }
  }
  return { encoding: "windows-1252", bom: 0 };
}

function decodeWith(encoding: string, buf: Buffer, start: number, end: number): string {
  const native = NATIVE_DECODE[encoding];
  if (native) return buf.toString(native, start, end);
  return iconv.decode(buf.subarray(start, end), encoding, { stripBOM: false });
}

/** A decoder for whole frames. Throws EncodingError for an unknown encoding. */
export function makeDecoder(name: unknown): DecodeFn {
  const encoding = check(name);
  if (encoding === AUTO) {
    return (buf, start, end) => {
      const d = detectEncoding(buf, start, end);
      return decodeWith(d.encoding, buf, start + d.bom, end);
    };
  }
  const native = NATIVE_DECODE[encoding];
  if (native) return (buf, start, end) => buf.toString(native, start, end);
  return (buf, start, end) => iconv.decode(buf.subarray(start, end), encoding, { stripBOM: false });
}

/**
 * A decoder for a byte stream cut at arbitrary places (the "every chunk" event):
 * a character split across two chunks comes out whole with the second one.
 * With "auto" the first chunk decides the encoding for the whole connection.
 */
export function makeStreamDecoder(name: unknown): StreamDecoder {
  let encoding = check(name);
  let inner: iconv.DecoderStream | undefined;
  return {
    write(buf: Buffer): string {
      if (!inner) {
        let body = buf;
        if (encoding === AUTO) {
          const d = detectEncoding(buf, 0, buf.length, true);
          encoding = d.encoding;
          body = buf.subarray(d.bom);
        }
        inner = iconv.getDecoder(NATIVE_DECODE[encoding] ?? encoding, { stripBOM: false });
        return inner.write(body);
      }
      return inner.write(buf);
    },
    end(): string {
      return inner?.end() ?? "";
    },
  };
}

export type EncodeFn = (text: string) => Buffer;

/** An encoder for one encoding name. Throws EncodingError for an unknown encoding. */
export function makeEncoder(name: unknown): EncodeFn {
  const encoding = check(name);
  if (encoding === AUTO) return (text) => Buffer.from(text, "utf8");
  const native = NATIVE_ENCODE[encoding];
  if (native) return (text) => Buffer.from(text, native);
  const outside = NATIVE_IN_RANGE[encoding];
  if (outside) return (text) => (outside.test(text) ? iconv.encode(text, encoding) : Buffer.from(text, "latin1"));
  return (text) => iconv.encode(text, encoding);
}

/** Encoders by the name they were asked for; names come from node configurations, so few, but bounded anyway. */
const encoders = new Map<string, EncodeFn>();
const ENCODER_CACHE_LIMIT = 64;

/** String -> bytes. "auto" is UTF-8. Throws EncodingError for an unknown encoding. */
export function encodeString(text: string, name: unknown): Buffer {
  const key = typeof name === "string" ? name : String(name);
  let enc = encoders.get(key);
  if (!enc) {
    enc = makeEncoder(name);
    if (encoders.size >= ENCODER_CACHE_LIMIT) encoders.clear();
    encoders.set(key, enc);
  }
  return enc(text);
}
