/**
 * "When to emit / what to emit": the framing properties of every node that
 * reads frames from sockets (the trigger and the bridge), each row applying
 * to one framing mode.
 */
import type { View } from "./core";
import { delimiter } from "./escapes";
import { AUTO, ENCODINGS, encoding } from "./encoding";
import { MAX_INT32, whole, wholeChoice } from "./numbers";
import { bool, choice } from "./plain";

/** In the order the editor offers them. */
export const FRAME_EVENTS = ["line", "delimiter", "count", "idle", "length", "chunk", "close"] as const;
export type FrameEvent = (typeof FRAME_EVENTS)[number];
export const LINE_ENDINGS = ["crlf", "any", "crlfstrict", "lf", "null"] as const;
export const OUTPUTS = ["string", "buffer"] as const;
export const DEFAULT_MAX_FRAME = 1024 * 1024;

const on = (event: FrameEvent) => (p: View) => p.value("event") === event;

export const FRAMING = {
  event: choice({ value: "line", values: FRAME_EVENTS, message: "choice", text: (v) => `event.${v}` }),
  eol: choice({ value: "crlf", values: LINE_ENDINGS, when: on("line"), message: "choice", text: (v) => `eol.${v}` }),
  delimiter: delimiter({ value: "\\n", when: on("delimiter"), message: "delimiter" }),
  keepDelimiter: bool({ value: false, when: on("delimiter") }),
  /** At most the max frame size: a larger count could never complete. */
  count: whole({ value: 1, min: 1, max: (p) => p.value("maxFrame"), when: on("count"), message: "count" }),
  idleMs: whole({ value: 100, min: 1, max: MAX_INT32, when: on("idle"), message: "positive" }),
  headerBytes: wholeChoice({ value: "2", values: [1, 2, 4], when: on("length"), message: "choice", text: (v) => `header.${v}` }),
  endian: choice({ value: "be", values: ["be", "le"], when: on("length"), message: "choice", text: (v) => `header.${v}` }),
  keepHeader: bool({ value: false, when: on("length") }),
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
