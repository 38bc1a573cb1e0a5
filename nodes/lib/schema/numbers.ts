/**
 * Numbers as the editor stores them (a number, or text a user typed; absent
 * means the default) and the kinds of numeric property: whole numbers in a
 * range, ports, seconds and a choice of whole numbers.
 *
 * Text is read as JavaScript's Number() reads it after trimming, so "1e3",
 * "0x10" and "5.0" count as 1000, 16 and 5; text of blanks only is 0.
 */
import { ok, refused, type Common, declared, type Declared, type View } from "./core";

/** setTimeout's limit, and the largest length or count a node takes. */
export const MAX_INT32 = 2_147_483_647;
/** MAX_INT32 milliseconds, in whole seconds. */
export const MAX_SECONDS = 2_147_483;

export function toInt(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === "") return fallback;
  return typeof v === "number" ? v : Number(String(v).trim());
}

/** A bound: a number, or a number another property gives (no bound while that one is refused). */
export type Bound = number | ((p: View) => unknown);

function bound(b: Bound, p: View, none: number): number {
  if (typeof b === "number") return b;
  const v = b(p);
  return typeof v === "number" ? v : none;
}

interface WholeSpec extends Common {
  min: Bound;
  max: Bound;
  message: string;
}

/** A whole number within [min, max]; absent means the editor default (`value`). */
export function whole<D extends WholeSpec>(spec: D): Declared<number, D> {
  const fallback = Number(spec.value);
  return declared<number, D>({
    ...spec,
    read(raw, p) {
      const n = toInt(raw, fallback);
      return Number.isInteger(n) && n >= bound(spec.min, p, -Infinity) && n <= bound(spec.max, p, Infinity) ? ok(n) : refused(String(raw));
    },
  });
}

/** A TCP port, 1 to 65535; there is no default to fall back on (`value` is only what a new node gets). */
export function port<D extends Common & { message: string }>(spec: D): Declared<number, D> {
  return declared<number, D>({
    ...spec,
    read(raw) {
      const n = toInt(raw, NaN);
      return Number.isInteger(n) && n >= 1 && n <= 65535 ? ok(n) : refused(String(raw));
    },
  });
}

/** A number of seconds, fractions allowed, within [min, max]. */
export function seconds<D extends Common & { min: number; max: number; message: string }>(spec: D): Declared<number, D> {
  const fallback = Number(spec.value);
  return declared<number, D>({
    ...spec,
    read(raw) {
      const n = toInt(raw, fallback);
      return Number.isFinite(n) && n >= spec.min && n <= spec.max ? ok(n) : refused(String(raw));
    },
  });
}

/** One of a few whole numbers (a select in the editor). */
export function wholeChoice<N extends number, D extends Common & { message: string; text: (v: string) => string | undefined }>(
  spec: D & { values: readonly N[] },
): Declared<N, D> {
  const fallback = Number(spec.value);
  return declared<N, D>({
    ...spec,
    options: { values: spec.values.map(String), text: spec.text },
    read(raw) {
      const n = toInt(raw, fallback);
      return (spec.values as readonly number[]).includes(n) ? ok(n as N) : refused(String(raw));
    },
  });
}
