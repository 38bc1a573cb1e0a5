/**
 * A message value turned into the bytes that go on the wire, by one fixed
 * table, so a flow always knows what the peer receives:
 *
 *   Buffer, Uint8Array, ArrayBuffer       the bytes as they are (encoding ignored)
 *   {type:"Buffer", data:[...]}          those bytes (a Buffer that went through JSON)
 *   string                               encoded with the encoding ("auto" = UTF-8)
 *   number (finite), boolean             its text ("42", "1.5", "true"), encoded
 *   Date                                 its ISO 8601 text, encoded
 *   plain object, array, or toJSON()     JSON text, encoded
 *
 * Everything else is a PayloadError (code EPAYLOAD) that names what it got:
 * undefined, null, NaN and ±Infinity, BigInt, functions, symbols, objects
 * JSON cannot represent faithfully (Map, Set, class instances without
 * toJSON), and JSON that fails (a circular structure, a BigInt inside).
 *
 * Values may come from another realm: a Function node runs in its own `vm`
 * context, so an object, array, Date or Uint8Array built there has that
 * context's prototypes and fails `instanceof` and `=== Object.prototype`
 * against ours. Every check here is realm-independent (Buffer.isBuffer for
 * the one constructor Node-RED shares, util.types for the rest, "plain" as
 * "its prototype is null or an Object.prototype of some realm").
 */
import { types } from "node:util";
import { encodeString } from "../base/encoding";
import { CodedError, type CatalogEntry } from "../base/coded-error";

export type PayloadProblem = "undefined" | "null" | "not-finite" | "type" | "json";

export class PayloadError extends CodedError {
  declare readonly code: "EPAYLOAD";
  /** problem: what is wrong; kind: what the value was ("bigint", "Map", ...). */
  constructor(
    readonly problem: PayloadProblem,
    readonly kind: string,
    readonly detail = "",
  ) {
    super("EPAYLOAD", detail ? `${problem} (${kind}): ${detail}` : `${problem} (${kind})`);
    this.name = "PayloadError";
  }

  override catalog(): CatalogEntry {
    return { key: `payload.${this.problem}`, subs: { kind: this.kind, detail: this.detail } };
  }
}

function isSerializedBuffer(v: object): v is { type: "Buffer"; data: number[] } {
  const o = v as { type?: unknown; data?: unknown };
  return (
    o.type === "Buffer" &&
    Array.isArray(o.data) &&
    Object.keys(o).length === 2 &&
    o.data.every((b) => Number.isInteger(b) && (b as number) >= 0 && (b as number) <= 255)
  );
}

function kindOf(v: object): string {
  const ctor = (v as { constructor?: { name?: unknown } }).constructor;
  return ctor && typeof ctor.name === "string" && ctor.name !== "" ? ctor.name : "object";
}

/** JSON.stringify as it behaves: undefined for a value JSON cannot hold (a toJSON() that returns nothing). */
const jsonStringify: (v: unknown) => string | undefined = JSON.stringify;

function jsonText(v: object): string {
  const proto: unknown = Object.getPrototypeOf(v);
  const plain = proto === null || Array.isArray(v) || Object.getPrototypeOf(proto) === null;
  const hasToJSON = typeof (v as { toJSON?: unknown }).toJSON === "function";
  if (!plain && !hasToJSON) throw new PayloadError("type", kindOf(v));
  let text: string | undefined;
  try {
    text = jsonStringify(v);
  } catch (err) {
    throw new PayloadError("json", kindOf(v), (err as Error).message);
  }
  if (text === undefined) throw new PayloadError("json", kindOf(v), "JSON.stringify gave nothing");
  return text;
}

/** The text a non-byte value stands for, or a PayloadError. */
export function payloadText(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new PayloadError("not-finite", "number", String(value));
      return String(value);
    case "boolean":
      return String(value);
    case "undefined":
      throw new PayloadError("undefined", "undefined");
    case "object":
      if (value === null) throw new PayloadError("null", "null");
      if (types.isDate(value)) {
        if (Number.isNaN(value.getTime())) throw new PayloadError("not-finite", "Date", "Invalid Date");
        return value.toISOString();
      }
      return jsonText(value);
    default:
      // bigint, symbol, function
      throw new PayloadError("type", typeof value);
  }
}

/** The bytes for a value, per the table above. Throws PayloadError, or EncodingError for an unknown encoding. */
export function toBytes(value: unknown, encoding: string): Buffer {
  if (typeof value === "string") return encodeString(value, encoding);
  if (Buffer.isBuffer(value)) return value;
  if (types.isUint8Array(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (types.isArrayBuffer(value)) return Buffer.from(value);
  if (typeof value === "object" && value !== null && isSerializedBuffer(value)) return Buffer.from(value.data);
  return encodeString(payloadText(value), encoding);
}
