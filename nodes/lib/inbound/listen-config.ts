/**
 * The "where" properties of a listening node (port, bind address, connection
 * limit, read timeout) and its guards other than TLS (access lists, limit per
 * address, PROXY protocol), read through lib/schema. Shared by the trigger
 * and the bridge.
 */
import { AccessControl } from "./access-control";
import { escapedBytes } from "../base/escapes";
import { SCHEMA_ENV } from "../base/encoding";
import { LISTEN, LISTEN_GUARDS, PROBE, readProps, type ProxyMode } from "../schema";

export interface ListenConfig {
  port: number;
  /** undefined = all interfaces (IPv6 and IPv4 where the system allows). */
  host: string | undefined;
  /** 0 = unlimited. */
  maxConnections: number;
  /** 0 = off. */
  readTimeoutMs: number;
  /** TCP keep-alive delay of each connection; 0 = off. */
  keepAliveMs: number;
  /** Written to each new client before anything else; absent = none. */
  greeting?: Buffer;
  /** The trigger's probe after the read timeout; absent = none. */
  probe?: { bytes: Buffer; answerMs: number };
}

export interface ListenProps {
  port?: unknown;
  host?: unknown;
  maxConnections?: unknown;
  readTimeout?: unknown;
  keepAlive?: unknown;
  greeting?: unknown;
  probe?: unknown;
  probeAnswer?: unknown;
}

export function parseListenConfig(p: ListenProps): ListenConfig {
  const v = readProps({ ...LISTEN, ...PROBE }, p as Record<string, unknown>, SCHEMA_ENV);
  return {
    port: v.port,
    host: v.host,
    maxConnections: v.maxConnections,
    readTimeoutMs: v.readTimeout,
    keepAliveMs: v.keepAlive,
    ...(v.greeting === undefined ? {} : { greeting: escapedBytes(v.greeting) }),
    ...(v.probe === undefined ? {} : { probe: { bytes: escapedBytes(v.probe), answerMs: v.probeAnswer ?? 5000 } }),
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

export function parseListenGuards(p: ListenGuardProps): ListenGuards {
  const v = readProps(LISTEN_GUARDS, p as Record<string, unknown>, SCHEMA_ENV);
  return {
    access: AccessControl.fromEntries(v.allow, v.deny),
    maxPerIp: v.maxPerIp,
    proxy: v.proxyProtocol,
    proxyFrom: AccessControl.fromEntries(v.proxyFrom, []),
  };
}
