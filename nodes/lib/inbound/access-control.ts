/**
 * Who may connect to a listening node: allow and deny lists of addresses and
 * CIDR ranges, IPv4 and IPv6. An IPv4 peer seen on a dual-stack socket
 * ("::ffff:10.0.0.5") and an IPv4-mapped entry match their IPv4 form.
 *
 * Rules: a peer on the deny list is refused; when the allow list has any
 * entry, a peer must be on it; otherwise everyone may connect.
 */
import { BlockList, isIP } from "node:net";
import { canonicalAddress, parseAccessList, type AccessEntry } from "../schema/access";

/** The lists' grammar is lib/schema's (the editor checks entries with the same code). */
export { AccessListError, canonicalAddress, parseAccessEntry, parseAccessList, type AccessEntry } from "../schema/access";

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

  constructor(
    readonly allow: AccessEntry[],
    readonly deny: AccessEntry[],
  ) {
    this.allowList = blockList(allow);
    this.denyList = blockList(deny);
  }

  /** From parsed lists; undefined when both are empty (everyone may connect). */
  static fromEntries(allow: AccessEntry[], deny: AccessEntry[]): AccessControl | undefined {
    return allow.length === 0 && deny.length === 0 ? undefined : new AccessControl(allow, deny);
  }

  /** From the editor's two text areas; undefined when both are empty (everyone may connect). */
  static fromText(allow: unknown, deny: unknown): AccessControl | undefined {
    return AccessControl.fromEntries(parseAccessList(allow), parseAccessList(deny));
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
