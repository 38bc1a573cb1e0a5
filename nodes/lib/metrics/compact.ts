/**
 * Short numbers for a node's status: 0.4, 12, 980, 1.2k, 12k, 3.4M.
 * Two significant digits at most above 10, so the status does not jitter.
 */
const UNITS: ReadonlyArray<[number, string]> = [
  [1e9, "G"],
  [1e6, "M"],
  [1e3, "k"],
];

function short(x: number): string {
  // One decimal below 10 (1.2k), none above (12k); a trailing .0 is dropped.
  const s = x < 9.95 ? x.toFixed(1) : Math.round(x).toString();
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}

export function compactNumber(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return "0";
  for (const [size, unit] of UNITS) if (n >= size * 0.9995) return short(n / size) + unit;
  return n < 10 ? short(n) : Math.round(n).toString();
}
