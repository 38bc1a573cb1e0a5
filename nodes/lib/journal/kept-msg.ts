/**
 * A message as a kept job stores it, and back: each top-level property that
 * JSON can hold, Buffers as base64 (at any depth). A property JSON cannot
 * hold (a function, a socket, a circular structure such as msg.req) is
 * left out, alone; the rest is kept.
 */
/** A message: its own properties by name (Node-RED's msg, without importing Node-RED). */
export type Msg = Record<string, unknown>;

const BUFFER = "$tcpaBuffer";

function replacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  return Buffer.isBuffer(raw) ? { [BUFFER]: raw.toString("base64") } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const b = (value as Record<string, unknown>)[BUFFER];
  return typeof b === "string" && Object.keys(value).length === 1 ? Buffer.from(b, "base64") : value;
}

/** The message as JSON text, without the properties JSON cannot hold. */
export function msgToJson(msg: Msg): string {
  const parts: string[] = [];
  for (const key of Object.keys(msg)) {
    // undefined for a function or an undefined value (JSON.stringify's typing says string)
    let text: unknown;
    try {
      text = JSON.stringify((msg as Record<string, unknown>)[key], replacer);
    } catch {
      continue; // circular or refusing toJSON: left out
    }
    if (typeof text === "string") parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(",")}}`;
}

/** JSON text written with msgToJson inside (at any depth), Buffers back as Buffers. */
export function parseWithBuffers(text: string): unknown {
  return JSON.parse(text, reviver);
}
