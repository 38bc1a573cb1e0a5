/**
 * The traffic view's rows, without the DOM: a chunk's bytes cut into lines
 * of 16, each as hex and as printable text, split where the node's framing
 * ended a frame; and the search. Bytes stay bytes: the view puts these
 * strings into the page with jQuery's text(), never as HTML.
 */

export interface TrafficChunkJson {
  t: number;
  dir: "in" | "out";
  off: number;
  /** base64 */
  data: string;
}

export interface TrafficJson {
  session: string;
  peer: string;
  owner: { id: string; type: string; name: string };
  localPort: number;
  direction: "in" | "out";
  chunks: TrafficChunkJson[];
  frames: number[];
  closed: { reason: string; error: { code?: string; message: string } | null; t: number } | null;
  bytes: { in: number; out: number };
  truncated: boolean;
}

/** One line of up to 16 bytes: hex and text, each cut into parts at the frame ends inside the line. */
export interface ByteLine {
  /** Stream offset of its first byte. */
  off: number;
  hex: string[];
  text: string[];
}

export const BYTES_PER_LINE = 16;

export function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function hexByte(b: number): string {
  return (b < 16 ? "0" : "") + b.toString(16);
}

/** Printable ASCII as itself, anything else as a middle dot. */
export function printable(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "\u00b7";
}

/**
 * A chunk's lines. frameEnds are stream offsets just past a frame (inbound chunks only): a part
 * ends there, so the view can put a mark between the parts.
 */
export function byteLines(bytes: Uint8Array, off: number, frameEnds: readonly number[]): ByteLine[] {
  const lines: ByteLine[] = [];
  for (let at = 0; at < bytes.length; at += BYTES_PER_LINE) {
    const end = Math.min(at + BYTES_PER_LINE, bytes.length);
    const cuts = frameEnds.filter((f) => f > off + at && f < off + end).map((f) => f - off);
    const hex: string[] = [];
    const text: string[] = [];
    let from = at;
    for (const cut of [...cuts, end]) {
      const part = bytes.subarray(from, cut);
      hex.push(Array.from(part, hexByte).join(" "));
      text.push(Array.from(part, printable).join(""));
      from = cut;
    }
    // A frame that ends exactly at the end of the line: an empty last part carries the mark.
    if (frameEnds.includes(off + end)) {
      hex.push("");
      text.push("");
    }
    lines.push({ off: off + at, hex, text });
  }
  return lines;
}

/** Whether a chunk matches a search: its text (case-insensitive), or its bytes when the query is hex ("0d 0a", "0D0A"). */
export function matches(bytes: Uint8Array, query: string): boolean {
  const q = query.trim();
  if (q === "") return true;
  const text = Array.from(bytes, (b) => String.fromCharCode(b))
    .join("")
    .toLowerCase();
  if (text.includes(q.toLowerCase())) return true;
  const hexQuery = q.replace(/\s+/g, "").toLowerCase();
  if (!/^([0-9a-f]{2})+$/.test(hexQuery)) return false;
  return hexAligned(bytes, hexQuery);
}

/** The hex query matches at a byte boundary, not across two bytes' digits. */
function hexAligned(bytes: Uint8Array, hexQuery: string): boolean {
  const hex = Array.from(bytes, hexByte).join("");
  for (let i = hex.indexOf(hexQuery); i !== -1; i = hex.indexOf(hexQuery, i + 1)) if (i % 2 === 0) return true;
  return false;
}

/** "18:07:30.123" in the browser's time zone. */
export function clock(t: number): string {
  const d = new Date(t);
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}
