/**
 * The "security" group: TLS through Node-RED's tls-config node and, for
 * listening nodes, who may connect (allow and deny lists, a limit per
 * address) and the PROXY protocol with the balancers allowed to send it.
 */
import { accessList } from "./access";
import type { View } from "./core";
import { whole } from "./numbers";
import { bool, choice, configNode } from "./plain";

export const PROXY_MODES = ["off", "v1", "v2", "any"] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];
export const CLIENT_AUTH = ["none", "require"] as const;
export type ClientAuth = (typeof CLIENT_AUTH)[number];

/** A tls-config node is chosen ("_ADD_" is the editor's "add new" entry). */
export function tlsChosen(p: View): boolean {
  const id = p.value("tls");
  return typeof id === "string" && id !== "" && id !== "_ADD_";
}

/** The TLS config node; `when`: only then does the node use it. */
export function tls(when?: (p: View) => boolean) {
  return configNode({ configType: "tls-config", ...(when ? { when } : {}) });
}

/** A listening node's TLS server: client certificates apply once a tls-config is chosen. */
export const TLS_SERVER = {
  tls: tls(),
  tlsClientAuth: choice({
    value: "none",
    values: CLIENT_AUTH,
    when: tlsChosen,
    message: "choice",
    text: (v) => `security.clientAuth-${v}`,
  }),
};

/** A dialling node's TLS client: verification is on unless explicitly off. */
export function tlsVerify(shown: (p: View) => boolean = tlsChosen) {
  return bool({ value: true, shown });
}

/** The dialling side of a node that also listens (the bridge). */
export const TLS_CLIENT = { tlsVerify: tlsVerify() };

/** Who may connect and the PROXY protocol (lib/inbound/listen-config). */
export const LISTEN_GUARDS = {
  allow: accessList({ value: "", message: "access" }),
  deny: accessList({ value: "", message: "access" }),
  /** Flows from before this property do not have it: absent means 0 (no limit). */
  maxPerIp: whole({ value: 0, min: 0, max: 1_000_000, message: "maxPerIp" }),
  proxyProtocol: choice({ value: "off", values: PROXY_MODES, message: "choice", text: (v) => `security.proxy-${v}` }),
  /** Checked whatever the mode; shown only with the PROXY protocol on. */
  proxyFrom: accessList({ value: "", message: "access", shown: (p) => p.value("proxyProtocol") !== "off" }),
};
