/**
 * "When to emit / what to emit": the framing properties of every node that
 * reads frames from sockets (the trigger and the bridge), each row applying
 * to one framing mode.
 */
import type { View } from "./core";
import { delimiter, optionalByte, optionalEscapes } from "./escapes";
import { AUTO, ENCODINGS, encoding } from "./encoding";
import { MAX_INT32, whole, wholeChoice } from "./numbers";
import { bool, choice } from "./plain";

/** In the order the editor offers them. */
export const FRAME_EVENTS = ["line", "delimiter", "startend", "count", "idle", "length", "field", "chunk", "close"] as const;
export type FrameEvent = (typeof FRAME_EVENTS)[number];
export const LINE_ENDINGS = ["crlf", "any", "crlfstrict", "lf", "null"] as const;
export const OUTPUTS = ["string", "buffer"] as const;
/** What the length field at an offset counts: the bytes after it, the whole frame, or the bytes after it plus fieldAdjust. */
export const LENGTH_COUNTS = ["payload", "frame", "plus"] as const;
export const DEFAULT_MAX_FRAME = 1024 * 1024;

const on = (event: FrameEvent) => (p: View) => p.value("event") === event;
const onLengthOrField = (p: View) => p.value("event") === "length" || p.value("event") === "field";

/**
 * The editor's presets of the length field at an offset: what each fills in.
 * Modbus/TCP: the MBAP header's length (bytes 4-5, big endian) counts the
 * unit id and the PDU, the bytes after it. IEC 60870-5-104: every APCI starts
 * with 0x68, its 1-byte length at offset 1 counts the bytes after it.
 */
export const FIELD_PRESETS = {
  mbap: { fieldStart: "", fieldOffset: 4, headerBytes: 2, endian: "be", fieldCounts: "payload", fieldAdjust: 0 },
  iec104: { fieldStart: "\\x68", fieldOffset: 1, headerBytes: 1, endian: "be", fieldCounts: "payload", fieldAdjust: 0 },
} as const;

export const FRAMING = {
  event: choice({ value: "line", values: FRAME_EVENTS, message: "choice", text: (v) => `event.${v}` }),
  eol: choice({ value: "crlf", values: LINE_ENDINGS, when: on("line"), message: "choice", text: (v) => `eol.${v}` }),
  delimiter: delimiter({ value: "\\n", when: on("delimiter"), message: "delimiter" }),
  keepDelimiter: bool({ value: false, when: on("delimiter") }),
  /** Start and end byte sequences ("STX/ETX"), typed with the delimiter's escapes. */
  startBytes: delimiter({ value: "\\x02", when: on("startend"), message: "delimiter" }),
  endBytes: delimiter({ value: "\\x03", when: on("startend"), message: "delimiter" }),
  keepStartEnd: bool({ value: false, when: on("startend") }),
  /** "" = none; else one byte (DLE "\x10") that makes the next byte literal. */
  escapeByte: optionalByte({ value: "", when: on("startend"), message: "escapeByte" }),
  /** At most the max frame size: a larger count could never complete. */
  count: whole({ value: 1, min: 1, max: (p) => p.value("maxFrame"), when: on("count"), message: "count" }),
  idleMs: whole({ value: 100, min: 1, max: MAX_INT32, when: on("idle"), message: "positive" }),
  /** The size and byte order of the length: the header of "length", the field of "field". */
  headerBytes: wholeChoice({ value: "2", values: [1, 2, 4], when: onLengthOrField, message: "choice", text: (v) => `header.${v}` }),
  endian: choice({ value: "be", values: ["be", "le"], when: onLengthOrField, message: "choice", text: (v) => `header.${v}` }),
  keepHeader: bool({ value: false, when: on("length") }),
  /** The length field at an offset; the defaults are Modbus/TCP's (FIELD_PRESETS.mbap). */
  fieldStart: optionalEscapes({ value: "", when: on("field"), message: "escapes" }),
  /** At most the max frame size: a larger header could never fit in a frame. */
  fieldOffset: whole({ value: 4, min: 0, max: (p) => p.value("maxFrame"), when: on("field"), message: "offset" }),
  fieldCounts: choice({ value: "payload", values: LENGTH_COUNTS, when: on("field"), message: "choice", text: (v) => `counts.${v}` }),
  fieldAdjust: whole({
    value: 0,
    min: -MAX_INT32,
    max: MAX_INT32,
    when: (p) => p.value("event") === "field" && p.value("fieldCounts") === "plus",
    message: "adjust",
  }),
  maxFrame: whole({ value: DEFAULT_MAX_FRAME, min: 1, max: MAX_INT32, message: "positive" }),
  output: choice({ value: "string", values: OUTPUTS, message: "choice", text: (v) => `output.${v}` }),
  /** Checked whatever the output; only a string output shows it. */
  encoding: encoding({
    value: AUTO,
    message: "encoding",
    shown: (p) => p.value("output") === "string",
    options: { values: ENCODINGS, text: (v) => (v === AUTO ? "encoding.auto" : undefined) },
  }),
};
