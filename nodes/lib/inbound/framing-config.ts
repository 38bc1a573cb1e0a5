/**
 * The editor's flat "when to emit / what to emit" properties, checked and
 * turned into the options the framer and decoder take. Shared by every node
 * that reads frames from sockets, so the trigger and the bridge frame alike.
 */
import { ConfigError, toBool, toInt, wholeNumber } from "../base/config";
import { parseEscapes } from "../base/escapes";
import { isKnownEncoding, normalizeEncoding } from "../base/encoding";
import type { FrameMode, LineEnding } from "./framing";

export const DEFAULT_MAX_FRAME = 1024 * 1024;

export type OutputKind = "string" | "buffer";

export interface FramingConfig {
  framing: FrameMode;
  /** For the "idle" event: ms of silence that end a frame. */
  idleMs: number;
  maxFrame: number;
  output: OutputKind;
  encoding: string;
}

/** As the editor stores them (strings or numbers; absent means default). */
export interface FramingProps {
  event?: unknown;
  count?: unknown;
  delimiter?: unknown;
  keepDelimiter?: unknown;
  eol?: unknown;
  headerBytes?: unknown;
  endian?: unknown;
  keepHeader?: unknown;
  idleMs?: unknown;
  maxFrame?: unknown;
  output?: unknown;
  encoding?: unknown;
}

const EOLS: readonly LineEnding[] = ["any", "crlf", "crlfstrict", "lf", "null"];

export function parseFramingConfig(p: FramingProps): FramingConfig {
  const maxFrame = wholeNumber(p.maxFrame, DEFAULT_MAX_FRAME, 1, 0x7fffffff, "maxFrame");
  const output: OutputKind = p.output === "buffer" ? "buffer" : "string";
  if (p.output !== undefined && p.output !== "" && p.output !== "buffer" && p.output !== "string") {
    throw new ConfigError("output", String(p.output));
  }
  const encoding = normalizeEncoding(p.encoding);
  if (!isKnownEncoding(encoding)) throw new ConfigError("encoding", String(p.encoding));
  let idleMs = 0;
  let framing: FrameMode;
  const event = p.event === undefined || p.event === "" ? "line" : String(p.event);
  switch (event) {
    case "close":
    case "chunk":
      framing = { kind: event };
      break;
    case "idle":
      idleMs = wholeNumber(p.idleMs, 100, 1, 2147483647, "idleMs");
      framing = { kind: "idle" };
      break;
    case "count":
      framing = { kind: "count", count: wholeNumber(p.count, 1, 1, maxFrame, "count") };
      break;
    case "delimiter": {
      let delimiter: Buffer;
      try {
        delimiter = parseEscapes(typeof p.delimiter === "string" ? p.delimiter : "");
      } catch (e) {
        throw new ConfigError("delimiter", (e as Error).message);
      }
      if (delimiter.length === 0) throw new ConfigError("delimiter", "empty");
      framing = { kind: "delimiter", delimiter, keep: toBool(p.keepDelimiter) };
      break;
    }
    case "line": {
      const eol = (p.eol === undefined || p.eol === "" ? "crlf" : String(p.eol)) as LineEnding;
      if (!EOLS.includes(eol)) throw new ConfigError("eol", eol);
      framing = { kind: "line", eol };
      break;
    }
    case "length": {
      const hb = toInt(p.headerBytes, 2);
      if (hb !== 1 && hb !== 2 && hb !== 4) throw new ConfigError("headerBytes", String(p.headerBytes));
      const endian = p.endian === undefined || p.endian === "" ? "be" : p.endian;
      if (endian !== "be" && endian !== "le") throw new ConfigError("endian", String(p.endian));
      framing = { kind: "length", headerBytes: hb, littleEndian: endian === "le", keepHeader: toBool(p.keepHeader) };
      break;
    }
    default:
      throw new ConfigError("event", event);
  }
  return { framing, idleMs, maxFrame, output, encoding };
}
