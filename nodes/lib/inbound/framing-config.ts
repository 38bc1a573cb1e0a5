/**
 * The editor's flat "when to emit / what to emit" properties, read through
 * lib/schema and turned into the options the framer and decoder take. Shared
 * by every node that reads frames from sockets, so the trigger and the bridge
 * frame alike.
 */
import { escapedBytes } from "../base/escapes";
import { SCHEMA_ENV } from "../base/encoding";
import { FRAMING, readProps } from "../schema";
import type { FrameMode } from "./framing";

export { DEFAULT_MAX_FRAME } from "../schema";

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
  startBytes?: unknown;
  endBytes?: unknown;
  keepStartEnd?: unknown;
  escapeByte?: unknown;
  eol?: unknown;
  headerBytes?: unknown;
  endian?: unknown;
  keepHeader?: unknown;
  fieldStart?: unknown;
  fieldOffset?: unknown;
  fieldCounts?: unknown;
  fieldAdjust?: unknown;
  idleMs?: unknown;
  maxFrame?: unknown;
  output?: unknown;
  encoding?: unknown;
}

/** The value of a property whose row applies in this mode (readProps read it). */
function given<T>(v: T | undefined): T {
  return v as T;
}

export function parseFramingConfig(p: FramingProps): FramingConfig {
  const v = readProps(FRAMING, p as Record<string, unknown>, SCHEMA_ENV);
  let framing: FrameMode;
  switch (v.event) {
    case "close":
    case "chunk":
      framing = { kind: v.event };
      break;
    case "idle":
      framing = { kind: "idle" };
      break;
    case "count":
      framing = { kind: "count", count: given(v.count) };
      break;
    case "delimiter":
      framing = { kind: "delimiter", delimiter: escapedBytes(given(v.delimiter)), keep: given(v.keepDelimiter) };
      break;
    case "line":
      framing = { kind: "line", eol: given(v.eol) };
      break;
    case "length":
      framing = { kind: "length", headerBytes: given(v.headerBytes), littleEndian: v.endian === "le", keepHeader: given(v.keepHeader) };
      break;
    case "startend":
      framing = {
        kind: "startend",
        start: escapedBytes(given(v.startBytes)),
        end: escapedBytes(given(v.endBytes)),
        keep: given(v.keepStartEnd),
        escape: v.escapeByte === undefined ? undefined : escapedBytes(v.escapeByte)[0],
      };
      break;
    case "field":
      framing = {
        kind: "field",
        offset: given(v.fieldOffset),
        fieldBytes: given(v.headerBytes),
        littleEndian: v.endian === "le",
        counts: given(v.fieldCounts),
        adjust: v.fieldAdjust ?? 0,
        start: v.fieldStart === undefined ? Buffer.alloc(0) : escapedBytes(v.fieldStart),
      };
      break;
  }
  return { framing, idleMs: v.event === "idle" ? given(v.idleMs) : 0, maxFrame: v.maxFrame, output: v.output, encoding: v.encoding };
}
