/**
 * Reading node properties as the editor stores them (strings or numbers;
 * absent means default), and the one error every configuration parser throws.
 */

/** A configuration problem; key names the message catalog entry, detail the offending value. */
export class ConfigError extends Error {
  constructor(readonly key: string, readonly detail: string) {
    super(`${key}: ${detail}`);
    this.name = "ConfigError";
  }
}

export function toInt(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === "") return fallback;
  const n = typeof v === "number" ? v : Number(String(v).trim());
  return n;
}

export function toBool(v: unknown): boolean {
  return v === true || v === "true";
}

export function wholeNumber(v: unknown, fallback: number, min: number, max: number, key: string): number {
  const n = toInt(v, fallback);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(key, String(v));
  return n;
}
