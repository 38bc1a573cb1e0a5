// What the runtime makes of a node's stored properties, as plain JSON: the
// parsed configuration of each node type, with Buffers as hex and access lists
// as their entries, so two versions of the parsers can be compared.
"use strict";
const { lib } = require("./index");

const { parseListenConfig, parseListenGuards } = lib("inbound/listen-config.js");
const { parseFramingConfig } = lib("inbound/framing-config.js");
const { parseBridgeConfig } = lib("bridge/config.js");
const { parseSendConfig } = lib("outbound/send-config.js");
const { parseClientConfig } = lib("client/config.js");
const { readProps, TLS_CLIENT, TLS_SERVER } = lib("schema/index.js");
const { SCHEMA_ENV } = lib("base/encoding.js");

/** Buffers as hex, AccessControl as its entries, undefined kept visible. */
function plain(v) {
  if (v === undefined) return "<undefined>";
  if (Buffer.isBuffer(v)) return `hex:${v.toString("hex")}`;
  if (v && typeof v === "object" && typeof v.permits === "function") return { allow: plain(v.allow), deny: plain(v.deny) };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, plain(v[k])]),
    );
  return v;
}

/**
 * The TLS choices red/security.ts reads: client certificates (a listening node, once its tls-config
 * exists; here any id counts as existing) and verification (a dialling node).
 */
function tlsChoices(n, listen, dial) {
  const out = {};
  if (listen && typeof n.tls === "string" && n.tls.trim() !== "") out.clientAuth = readProps(TLS_SERVER, n, SCHEMA_ENV).tlsClientAuth;
  if (dial) out.verify = readProps(TLS_CLIENT, n, SCHEMA_ENV).tlsVerify;
  return out;
}

/** The parsed configuration of one node as stored in a flow (throws the parser's ConfigError). */
function parsedConfig(n) {
  switch (n.type) {
    case "tcp-server-trigger":
      return plain({
        listen: parseListenConfig(n),
        framing: parseFramingConfig(n),
        guards: parseListenGuards(n),
        tls: tlsChoices(n, true, false),
      });
    case "tcp-server-client-bridge":
      return plain({
        listen: parseListenConfig({ port: n.port, host: n.host, keepAlive: n.keepAlive, greeting: n.greeting }),
        bridge: parseBridgeConfig(n),
        framing: parseFramingConfig(n),
        guards: parseListenGuards(n),
        tls: tlsChoices(n, true, true),
      });
    case "send-to-tcp-port":
      return plain(Object.assign(parseSendConfig(n), { tls: tlsChoices(n, false, true) }));
    case "tcp-client-link":
      return plain(Object.assign(parseClientConfig(n), { tls: tlsChoices(n, false, true) }));
    default:
      throw new Error(`no parser for ${n.type}`);
  }
}

module.exports = { parsedConfig, plain };
