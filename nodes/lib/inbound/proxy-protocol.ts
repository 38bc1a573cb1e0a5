/**
 * The PROXY protocol (HAProxy, nginx stream "proxy_protocol on", AWS NLB):
 * a load balancer puts one header in front of the client's bytes that names
 * the real client. Parsed incrementally from the first chunks of a socket,
 * bounded: a v1 line is at most 107 bytes, a v2 header 16 bytes plus its
 * length (capped at MAX_V2_LENGTH). Anything else is malformed.
 *
 * Spec: https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt
 */
import { isIPv4, isIPv6 } from "node:net";
import { CodedError } from "../base/coded-error";

import type { ProxyMode } from "../schema";

export { PROXY_MODES, type ProxyMode } from "../schema";

/** Longest v1 line, "\r\n" included. */
export const MAX_V1_LENGTH = 107;
/** Largest v2 address + TLV block accepted (the spec allows 65535; real balancers send far less). */
export const MAX_V2_LENGTH = 4096;

const V1_PREFIX = Buffer.from("PROXY ", "latin1");
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

export interface ProxyHeader {
  version: 1 | 2;
  /** undefined: LOCAL (v2) or UNKNOWN / a non-TCP family: use the socket's own addresses. */
  source?: { address: string; port: number };
  destination?: { address: string; port: number };
}

/** A bad PROXY header; the listener refuses the connection (reason "proxy-header"), so no node shows it. */
export class ProxyHeaderError extends CodedError {
  constructor(message: string) {
    super("EPROXYHEADER", message);
    this.name = "ProxyHeaderError";
  }
}

export type ParseResult = { done: false } | { done: true; header: ProxyHeader; rest: Buffer };

const NOT_YET: ParseResult = { done: false };
const PORT = /^(0|[1-9][0-9]{0,4})$/;

function v1Port(s: string): number {
  if (!PORT.test(s)) throw new ProxyHeaderError(`bad port in PROXY v1 header: ${JSON.stringify(s)}`);
  const n = Number(s);
  if (n > 65535) throw new ProxyHeaderError(`bad port in PROXY v1 header: ${s}`);
  return n;
}

function parseV1Line(line: string): ProxyHeader {
  const parts = line.split(" ");
  if (parts[0] !== "PROXY") throw new ProxyHeaderError('PROXY v1 header must start with "PROXY "');
  if (parts[1] === "UNKNOWN") return { version: 1 };
  if (parts.length !== 6) throw new ProxyHeaderError(`PROXY v1 header must have 6 fields: ${JSON.stringify(line)}`);
  const [, proto, src, dst, sport, dport] = parts;
  const valid = proto === "TCP4" ? isIPv4 : proto === "TCP6" ? isIPv6 : undefined;
  if (!valid) throw new ProxyHeaderError(`unknown protocol in PROXY v1 header: ${JSON.stringify(proto)}`);
  if (!valid(src) || !valid(dst)) throw new ProxyHeaderError(`bad address in PROXY v1 header: ${JSON.stringify(line)}`);
  return { version: 1, source: { address: src, port: v1Port(sport) }, destination: { address: dst, port: v1Port(dport) } };
}

function ipv6(buf: Buffer, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(at + i * 2).toString(16));
  // Let the platform produce the canonical (compressed) form.
  return new URL(`http://[${groups.join(":")}]/`).hostname.slice(1, -1);
}

function parseV2(buf: Buffer, length: number): ProxyHeader {
  const verCmd = buf[12];
  if (verCmd >> 4 !== 2) throw new ProxyHeaderError(`unsupported PROXY v2 version ${verCmd >> 4}`);
  const cmd = verCmd & 0x0f;
  if (cmd === 0) return { version: 2 }; // LOCAL: health check from the balancer itself
  if (cmd !== 1) throw new ProxyHeaderError(`unknown PROXY v2 command ${cmd}`);
  const fam = buf[13];
  const body = 16;
  if (fam === 0x11) {
    if (length < 12) throw new ProxyHeaderError("PROXY v2 TCP4 address block too short");
    const a = (o: number): string => `${buf[o]}.${buf[o + 1]}.${buf[o + 2]}.${buf[o + 3]}`;
    return {
      version: 2,
      source: { address: a(body), port: buf.readUInt16BE(body + 8) },
      destination: { address: a(body + 4), port: buf.readUInt16BE(body + 10) },
    };
  }
  if (fam === 0x21) {
    if (length < 36) throw new ProxyHeaderError("PROXY v2 TCP6 address block too short");
    return {
      version: 2,
      source: { address: ipv6(buf, body), port: buf.readUInt16BE(body + 32) },
      destination: { address: ipv6(buf, body + 16), port: buf.readUInt16BE(body + 34) },
    };
  }
  const known = [0x00, 0x12, 0x22, 0x31, 0x32];
  if (!known.includes(fam)) throw new ProxyHeaderError(`unknown PROXY v2 address family 0x${fam.toString(16)}`);
  return { version: 2 }; // UNSPEC, UDP, UNIX: no TCP client address to take over
}

/** Feeds the first bytes of a connection until the header is complete; throws ProxyHeaderError. */
export class ProxyHeaderParser {
  private buf: Buffer = Buffer.alloc(0);
  private version: 1 | 2 | undefined;

  constructor(private readonly mode: Exclude<ProxyMode, "off">) {}

  push(chunk: Buffer): ParseResult {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const b = this.buf;
    if (this.version === undefined) {
      if (b.length === 0) return NOT_YET;
      if (b[0] === V1_PREFIX[0] && this.mode !== "v2") this.version = 1;
      else if (b[0] === V2_SIGNATURE[0] && this.mode !== "v1") this.version = 2;
      else throw new ProxyHeaderError(`no PROXY ${this.mode === "any" ? "" : this.mode + " "}header`);
    }
    return this.version === 1 ? this.pushV1(b) : this.pushV2(b);
  }

  private pushV1(b: Buffer): ParseResult {
    const n = Math.min(b.length, V1_PREFIX.length);
    if (b.compare(V1_PREFIX, 0, n, 0, n) !== 0) throw new ProxyHeaderError("no PROXY v1 header");
    const lf = b.indexOf(0x0a, 0, "latin1");
    const limit = Math.min(lf === -1 ? b.length : lf + 1, MAX_V1_LENGTH);
    for (let i = 0; i < limit; i++) {
      const c = b[i];
      // Printable US-ASCII only, then CR LF.
      if (c === 0x0d && i + 1 < b.length && b[i + 1] !== 0x0a) throw new ProxyHeaderError("PROXY v1 header: CR without LF");
      if ((c < 0x20 || c > 0x7e) && c !== 0x0d && c !== 0x0a) throw new ProxyHeaderError("PROXY v1 header: not printable ASCII");
    }
    if (lf === -1) {
      if (b.length >= MAX_V1_LENGTH) throw new ProxyHeaderError(`PROXY v1 header longer than ${MAX_V1_LENGTH} bytes`);
      return NOT_YET;
    }
    if (lf + 1 > MAX_V1_LENGTH) throw new ProxyHeaderError(`PROXY v1 header longer than ${MAX_V1_LENGTH} bytes`);
    if (lf === 0 || b[lf - 1] !== 0x0d) throw new ProxyHeaderError("PROXY v1 header must end with CR LF");
    const header = parseV1Line(b.toString("latin1", 0, lf - 1));
    return { done: true, header, rest: b.subarray(lf + 1) };
  }

  private pushV2(b: Buffer): ParseResult {
    const n = Math.min(b.length, V2_SIGNATURE.length);
    if (b.compare(V2_SIGNATURE, 0, n, 0, n) !== 0) throw new ProxyHeaderError("no PROXY v2 signature");
    if (b.length < 16) return NOT_YET;
    const length = b.readUInt16BE(14);
    if (length > MAX_V2_LENGTH) throw new ProxyHeaderError(`PROXY v2 header of ${length} bytes is over the limit of ${MAX_V2_LENGTH}`);
    if (b.length < 16 + length) return NOT_YET;
    const header = parseV2(b, length);
    return { done: true, header, rest: b.subarray(16 + length) };
  }
}

/** Builds a header (for tests and tools). */
export function proxyHeaderV1(src: string, dst: string, sport: number, dport: number): Buffer {
  const proto = isIPv4(src) ? "TCP4" : "TCP6";
  return Buffer.from(`PROXY ${proto} ${src} ${dst} ${sport} ${dport}\r\n`, "latin1");
}
