/**
 * Allow and deny lists as the editor stores them: entries separated by new
 * lines, commas, semicolons or blanks, "#" starting a comment to the end of
 * the line; each entry an IPv4 or IPv6 address or CIDR range ("10.0.0.0/8",
 * "[::1]", "::ffff:10.0.0.0/104"). An IPv4-mapped entry is taken as IPv4.
 */
import { ok, refused, type Common, declared, type Declared } from "./core";
import { isIP, isIPv4 } from "./ip";

export class AccessListError extends Error {
  constructor(readonly entry: string) {
    super(`not an IP address or CIDR range: ${entry}`);
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
  return prefix === undefined
    ? { address: addr, family: kind === 4 ? "ipv4" : "ipv6" }
    : { address: addr, family: kind === 4 ? "ipv4" : "ipv6", prefix };
}

/** Every entry of a list (an array: one line per element); throws AccessListError naming the first bad entry. */
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

/** An allow, deny or balancer list. */
export function accessList<D extends Common & { message: string }>(spec: D): Declared<AccessEntry[], D> {
  return declared<AccessEntry[], D>({
    ...spec,
    read(raw) {
      try {
        return ok(parseAccessList(raw));
      } catch (err) {
        if (err instanceof AccessListError) return refused(err.entry);
        throw err;
      }
    },
  });
}
