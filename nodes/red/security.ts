/**
 * The "security" properties of a node, resolved with Node-RED's help: the
 * tls-config node named by def.tls, and the allow/deny lists, per-address
 * limit and PROXY protocol of listening nodes. Throws ConfigError (reported
 * like any other configuration error); TLS problems carry a catalog text.
 */
import { clientTlsOptions, inWords, SCHEMA_ENV, serverTlsOptions, TlsOptionsError, type TlsConfigSource } from "../lib/base";
import { tunables } from "./settings";
import { parseListenGuards, type ListenGuardProps, type ListenSecurity } from "../lib/inbound";
import { ConfigError, readProps, TLS_CLIENT, TLS_SERVER } from "../lib/schema";
import type { ConnectionOptions } from "node:tls";
import type { NodeAPI, NodeDef } from "../types/node-red";

type T = (key: string, subs?: Record<string, unknown>) => string;

function tlsSource(RED: NodeAPI, def: NodeDef, t: T): TlsConfigSource | undefined {
  const id = typeof def.tls === "string" ? def.tls.trim() : "";
  if (id === "") return undefined;
  const n = RED.nodes.getNode(id) as unknown as TlsConfigSource | null;
  if (!n || typeof n.addTLSOptions !== "function") throw new ConfigError("tls", t("errors.tls-missing", { id }));
  return n;
}

function tlsProblem(err: unknown, t: T): never {
  if (err instanceof TlsOptionsError) throw new ConfigError("tls", (inWords(err, t) as Error).message);
  throw err;
}

/** Access lists, per-address limit, PROXY protocol and the TLS server of a listening node. */
export function listenSecurity(RED: NodeAPI, def: NodeDef, t: T): ListenSecurity {
  const g = parseListenGuards(def as ListenGuardProps);
  const tun = tunables(RED);
  const sec: ListenSecurity = {
    access: g.access,
    maxPerIp: g.maxPerIp,
    proxy: g.proxy,
    proxyFrom: g.proxyFrom,
    proxyTimeoutMs: tun.proxyHeaderTimeoutMs,
    handshakeTimeoutMs: tun.tlsHandshakeTimeoutMs,
  };
  const src = tlsSource(RED, def, t);
  if (src) {
    const auth = readProps(TLS_SERVER, def, SCHEMA_ENV).tlsClientAuth ?? "none";
    try {
      sec.tls = serverTlsOptions(src, auth);
    } catch (err) {
      tlsProblem(err, t);
    }
  }
  return sec;
}

export interface ClientTls {
  /** undefined: plain TCP. */
  options: ConnectionOptions | undefined;
  /** False only when the node's "verify server certificate" (tlsVerify) is explicitly off. */
  verify: boolean;
}

/** The TLS client options of a node that dials (send-to-tcp-port, the bridge's dial-out). */
export function clientTls(RED: NodeAPI, def: NodeDef, t: T): ClientTls {
  const verify = readProps(TLS_CLIENT, def, SCHEMA_ENV).tlsVerify;
  const src = tlsSource(RED, def, t);
  if (!src) return { options: undefined, verify };
  try {
    return { options: clientTlsOptions(src, verify), verify };
  } catch (err) {
    return tlsProblem(err, t);
  }
}
