/**
 * The "where" properties of a listening node, checked: port, bind address,
 * connection limit and read timeout. Shared by the trigger and the bridge.
 */
import { isIP } from "node:net";
import { AccessControl, AccessListError } from "./access-control";
import { ConfigError, toInt, wholeNumber } from "../base/config";
import { PROXY_MODES, type ProxyMode } from "./proxy-protocol";

export interface ListenConfig {
  port: number;
  /** undefined = all interfaces (IPv6 and IPv4 where the system allows). */
  host: string | undefined;
  /** 0 = unlimited. */
  maxConnections: number;
  /** 0 = off. */
  readTimeoutMs: number;
}

export interface ListenProps {
  port?: unknown;
  host?: unknown;
  maxConnections?: unknown;
  readTimeout?: unknown;
}

const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export function isValidPort(v: unknown): boolean {
  const n = toInt(v, NaN);
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** An IP literal (IPv6 may be bracketed) or a host name. */
export function normalizeHost(v: unknown): string | undefined {
  if (v !== undefined && v !== null && typeof v !== "string") throw new ConfigError("host", String(v));
  const h = typeof v === "string" ? v.trim() : "";
  if (h === "") return undefined;
  const unbracketed = h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h;
  if (isIP(unbracketed) || HOSTNAME.test(unbracketed)) return unbracketed;
  throw new ConfigError("host", h);
}

export function parseListenConfig(p: ListenProps): ListenConfig {
  if (!isValidPort(p.port)) throw new ConfigError("port", String(p.port));
  return {
    port: toInt(p.port, NaN),
    host: normalizeHost(p.host),
    maxConnections: wholeNumber(p.maxConnections, 0, 0, 1_000_000, "maxConnections"),
    readTimeoutMs: wholeNumber(p.readTimeout, 0, 0, 2147483647, "readTimeout"),
  };
}

/** The "security" properties of a listening node other than TLS (that needs the tls-config node). */
export interface ListenGuards {
  /** undefined: both lists empty, everyone may connect. */
  access: AccessControl | undefined;
  /** 0 = unlimited. */
  maxPerIp: number;
  proxy: ProxyMode;
  /**
   * The load balancers allowed to send a PROXY header. undefined: any peer
   * (then nothing but the balancer may reach the port, or anyone can claim
   * any address and get past the allow list).
   */
  proxyFrom: AccessControl | undefined;
}

export interface ListenGuardProps {
  allow?: unknown;
  deny?: unknown;
  maxPerIp?: unknown;
  proxyProtocol?: unknown;
  proxyFrom?: unknown;
}

/** AccessControl.fromText, with a bad entry reported as a configuration error of the property `key`. */
function addressList(key: string, allow: unknown, deny: unknown): AccessControl | undefined {
  try {
    return AccessControl.fromText(allow, deny);
  } catch (err) {
    if (err instanceof AccessListError) throw new ConfigError(key, err.entry);
    throw err;
  }
}

function accessList(allow: unknown, deny: unknown): AccessControl | undefined {
  addressList("allow", allow, undefined); // so a bad allow entry is named as such
  return addressList("deny", allow, deny);
}

export function parseListenGuards(p: ListenGuardProps): ListenGuards {
  const proxy = p.proxyProtocol === undefined || p.proxyProtocol === "" ? "off" : String(p.proxyProtocol);
  if (!(PROXY_MODES as readonly string[]).includes(proxy)) throw new ConfigError("proxyProtocol", proxy);
  return {
    access: accessList(p.allow, p.deny),
    maxPerIp: wholeNumber(p.maxPerIp, 0, 0, 1_000_000, "maxPerIp"),
    proxy: proxy as ProxyMode,
    proxyFrom: addressList("proxyFrom", p.proxyFrom, undefined),
  };
}
