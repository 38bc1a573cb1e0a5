/**
 * TLS options from what Node-RED's tls-config node gives (its addTLSOptions
 * fills key, cert, ca, passphrase, servername, ALPN and rejectUnauthorized),
 * turned into the options of a TLS server or client of ours. No Node-RED
 * import: the node passes the config node in.
 *
 * Servers: a certificate and key are required; "require" client
 * certificates makes it mutual TLS (requestCert + rejectUnauthorized), which
 * needs a CA to check them against.
 *
 * Clients verify the server's certificate and host name unless verify is
 * explicitly false; the tls-config node's own "verify server certificate"
 * does not turn that off (the node's property is the one opt-out).
 */
import { isIP } from "node:net";
import type { ConnectionOptions, TlsOptions } from "node:tls";
import { CodedError, type CatalogEntry } from "./coded-error";

import type { ClientAuth } from "../schema";

export { CLIENT_AUTH, type ClientAuth } from "../schema";

/** The part of a tls-config node used here. */
export interface TlsConfigSource {
  valid?: boolean;
  addTLSOptions(opts: Record<string, unknown>): Record<string, unknown>;
}

export type TlsProblem = "invalid" | "no-cert" | "no-ca";

/** A tls-config node that cannot serve: a configuration problem (ECONFIG), in every node's catalog. */
export class TlsOptionsError extends CodedError {
  constructor(readonly problem: TlsProblem) {
    super("ECONFIG", `TLS configuration: ${problem}`);
    this.name = "TlsOptionsError";
  }

  override catalog(): CatalogEntry {
    return { key: `tls-${this.problem}`, subs: {} };
  }
}

/** Server options handed to tls.createServer; the handshake happens on sockets we accepted ourselves. */
export interface ServerTls {
  options: TlsOptions;
  clientAuth: ClientAuth;
}

function base(src: TlsConfigSource): Record<string, unknown> {
  if (src.valid === false) throw new TlsOptionsError("invalid");
  return src.addTLSOptions({});
}

export function serverTlsOptions(src: TlsConfigSource, clientAuth: ClientAuth): ServerTls {
  const o = base(src);
  if (!o.key || !o.cert) throw new TlsOptionsError("no-cert");
  if (clientAuth === "require" && !o.ca) throw new TlsOptionsError("no-ca");
  const options: TlsOptions = {
    key: o.key as TlsOptions["key"],
    cert: o.cert as TlsOptions["cert"],
    requestCert: clientAuth === "require",
    rejectUnauthorized: clientAuth === "require",
  };
  if (o.ca) options.ca = o.ca as TlsOptions["ca"];
  if (typeof o.passphrase === "string") options.passphrase = o.passphrase;
  if (Array.isArray(o.ALPNProtocols)) options.ALPNProtocols = o.ALPNProtocols as string[];
  return { options, clientAuth };
}

/**
 * Options for tls.connect to host, without host and port. servername (SNI and
 * the name checked against the certificate) is the tls-config's, or the host
 * when it is a name; an IP literal is checked against the certificate's IP
 * addresses.
 */
export function clientTlsOptions(src: TlsConfigSource | undefined, verify: boolean): ConnectionOptions {
  const o = src ? base(src) : {};
  const options: ConnectionOptions = { rejectUnauthorized: verify };
  if (o.key && o.cert) {
    options.key = o.key as ConnectionOptions["key"];
    options.cert = o.cert as ConnectionOptions["cert"];
  }
  if (o.ca) options.ca = o.ca as ConnectionOptions["ca"];
  if (typeof o.passphrase === "string") options.passphrase = o.passphrase;
  if (typeof o.servername === "string" && o.servername !== "") options.servername = o.servername;
  if (Array.isArray(o.ALPNProtocols)) options.ALPNProtocols = o.ALPNProtocols as string[];
  return options;
}

/** The options for one connection to host: SNI set to the host when it is a name and none was configured. */
export function forHost(options: ConnectionOptions, host: string): ConnectionOptions {
  if (options.servername || isIP(host) !== 0) return options;
  return { ...options, servername: host };
}
