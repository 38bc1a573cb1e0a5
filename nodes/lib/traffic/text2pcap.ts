/**
 * A capture as the hex dump Wireshark's text2pcap reads with -D (direction)
 * and -t (timestamp): one packet per chunk, its preamble "I" (received) or
 * "O" (sent) and the UTC time, then offset lines of 16 bytes and, as od
 * writes it, a last line with the offset after the last byte:
 *
 *   # comment lines (text2pcap skips them)
 *   I 2026-12-02T18:07:30.123000
 *   000000 61 62 63 0d 0a
 *   000005
 *
 * Convert with (TZ=UTC: the times are UTC, text2pcap reads them as local time):
 *   TZ=UTC text2pcap -D -t "%Y-%m-%dT%H:%M:%S.%f" -T <peer port>,<local port> capture.txt capture.pcapng
 * (older text2pcap versions spell the fraction "%S." instead of "%S.%f": see text2pcap -h). With -D, -T's ports are those of
 * the "I" packets (peer to us); text2pcap swaps them for the "O" packets.
 */
import type { TrafficView } from "./capture";

export const TEXT2PCAP_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f";

/** "2026-12-02T18:07:30.123000": what TEXT2PCAP_TIME_FORMAT reads, with microseconds. */
export function text2pcapTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-12-02T18:07:30.123Z
  return `${iso.slice(0, 23)}000`;
}

function hexLines(data: Buffer, out: string[]): void {
  for (let at = 0; at < data.length; at += 16) {
    const row = data.subarray(at, Math.min(at + 16, data.length));
    const bytes: string[] = [];
    for (const b of row) bytes.push(b.toString(16).padStart(2, "0"));
    out.push(`${at.toString(16).padStart(6, "0")} ${bytes.join(" ")}`);
  }
  out.push(data.length.toString(16).padStart(6, "0"));
}

/** The whole dump, lines ending in "\n". Comment lines name the connection; the peer's text never leaves a comment. */
export function toText2pcap(view: TrafficView): string {
  const safe = (s: string): string => s.replace(/[\r\n]/g, " ");
  const out = [
    `# tcp-automation traffic, session ${safe(view.session)}, peer ${safe(view.peer)}, local port ${view.localPort}`,
    `# ${view.truncated ? "older bytes were dropped (bounded capture)" : "every byte since the connection opened"}`,
    `# convert: TZ=UTC text2pcap -D -t "${TEXT2PCAP_TIME_FORMAT}" -T ${portOf(view.peer)},${view.localPort} capture.txt capture.pcapng`,
  ];
  for (const c of view.chunks) {
    out.push(`${c.dir === "in" ? "I" : "O"} ${text2pcapTime(c.t)}`);
    hexLines(c.data, out);
  }
  if (view.closed) out.push(`# closed: ${safe(view.closed.reason)}${view.closed.error ? ` (${safe(view.closed.error.message)})` : ""}`);
  return out.join("\n") + "\n";
}

function portOf(peer: string): string {
  const i = peer.lastIndexOf(":");
  const p = i === -1 ? "" : peer.slice(i + 1);
  return /^\d+$/.test(p) ? p : "0";
}
