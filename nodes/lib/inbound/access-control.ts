/**
 * Who may connect to a listening node: allow and deny lists of addresses and
 * CIDR ranges, IPv4 and IPv6. An IPv4 peer seen on a dual-stack socket
 * ("::ffff:10.0.0.5") and an IPv4-mapped entry match their IPv4 form.
 *
 * Rules: a peer on the deny list is refused; when the allow list has any
 * entry, a peer must be on it; otherwise everyone may connect.
 */
import { BlockList, isIP, isIPv4 } from "node:net";
import { CodedError } from "../base/coded-error";

/** Access lists come from a node's configuration: a bad entry is a configuration problem (ECONFIG). */
export class AccessListError extends CodedError {
  constructor(readonly entry: string) {
    super("ECONFIG", `not an IP address or CIDR range: ${entry}`);
    this.name = "AccessListError";
  }
}

export interface AccessEntry {
  address: string;
  family: "ipv4" | "ipv6";
  /** Undefined for a single address. */
  prefix?: number;
}

/** "::ffff:a.b.c.d" as "a.b.c.d"; a zone ("fe80::1%eth0") dropped; anything else unchanged. */
export function canonicalAddress(address: string): string {
  let a = address.trim();
  const zone = a.indexOf("%");
  if (zone !== -1) a = a.slice(0, zone);
  if (a.length > 7 && a.slice(0, 7).toLowerCase() === "::ffff:" && isIPv4(a.slice(7))) return a.slice(7);
  return a;
}

/** One entry: "10.0.0.5", "10.0.0.0/8", "2001:db8::/32", "[::1]", "::ffff:10.0.0.0/104". */
export function parseAccessEntry(text: string): AccessEntry {
  const raw = text.trim();
  const slash = raw.indexOf("/");
  let addr = slash === -1 ? raw : raw.slice(0, slash);
  const prefixText = slash === -1 ? undefined : raw.slice(slash + 1);
  if (addr.startsWith("[") && addr.endsWith("]")) addr = addr.slice(1, -1);
  const kind = isIP(addr);
  if (kind === 0) throw new AccessListError(raw);
  let prefix: number | undefined;
  if (prefixText !== undefined) {
    if (!/^[0-9]{1,3}$/.test(prefixText)) throw new AccessListError(raw);
    prefix = Number(prefixText);
    if (prefix > (kind === 4 ? 32 : 128)) throw new AccessListError(raw);
  }
  const v4 = kind === 6 ? canonicalAddress(addr) : addr;
  if (kind === 6 && v4 !== addr && isIPv4(v4)) {
    // IPv4-mapped: ::ffff:0:0/96 is the whole IPv4 space.
    if (prefix === undefined) return { address: v4, family: "ipv4" };
    if (prefix < 96) throw new AccessListError(raw);
    return { address: v4, family: "ipv4", prefix: prefix - 96 };
  }
  return prefix === undefined ? { address: addr, family: kind === 4 ? "ipv4" : "ipv6" } : { address: addr, family: kind === 4 ? "ipv4" : "ipv6", prefix };
}

/**
 * A list as the editor stores it: entries separated by new lines, commas or
 * spaces; "#" starts a comment to the end of the line. Throws AccessListError
 * naming the first bad entry.
 */
export function parseAccessList(text: unknown): AccessEntry[] {
  if (text === undefined || text === null) return [];
  const lines = Array.isArray(text) ? text.map(String) : String(text).split(/\r?\n/);
  const out: AccessEntry[] = [];
  for (const line of lines) {
    const hash = line.indexOf("#");
    const body = hash === -1 ? line : line.slice(0, hash);
    for (const part of body.split(/[\s,;]+/)) if (part !== "") out.push(parseAccessEntry(part));
  }
  return out;
}

function blockList(entries: AccessEntry[]): BlockList | undefined {
  if (entries.length === 0) return undefined;
  const b = new BlockList();
  for (const e of entries) {
    if (e.prefix === undefined) b.addAddress(e.address, e.family);
    else b.addSubnet(e.address, e.prefix, e.family);
  }
  return b;
}

export class AccessControl {
  private readonly allowList: BlockList | undefined;
  private readonly denyList: BlockList | undefined;

  constructor(readonly allow: AccessEntry[], readonly deny: AccessEntry[]) {
    this.allowList = blockList(allow);
    this.denyList = blockList(deny);
  }

  /** From the editor's two text areas; undefined when both are empty (everyone may connect). */
  static fromText(allow: unknown, deny: unknown): AccessControl | undefined {
    const a = parseAccessList(allow);
    const d = parseAccessList(deny);
    return a.length === 0 && d.length === 0 ? undefined : new AccessControl(a, d);
  }

  /** True when a peer with this address may connect. */
  permits(address: string): boolean {
    const a = canonicalAddress(address);
    const kind = isIP(a);
    if (kind === 0) return false; // no address to check: never let it through a list
    const family = kind === 4 ? "ipv4" : "ipv6";
    if (this.denyList && this.denyList.check(a, family)) return false;
    if (this.allowList) return this.allowList.check(a, family);
    return true;
  }
}
