/**
 * One schema per node type: every property the editor stores, in the order of
 * the editor's defaults (so saved flows keep their key order), each declared
 * once in the group it belongs to.
 */
import { BRIDGE_PEER } from "./bridge";
import { CLIENT_GREETING, CLIENT_LIMITS, CLIENT_WHAT, CLIENT_WHEN, CLIENT_WHERE } from "./client";
import type { Schema } from "./core";
import { FRAMING } from "./framing";
import { GREETING, KEEP_ALIVE, listenAddress, LISTEN_LIMITS, PROBE } from "./listen";
import { MESSAGES, NAMED, TRAFFIC } from "./named";
import { persistProps } from "./persist";
import { configNode } from "./plain";
import { LISTEN_GUARDS, tls, TLS_CLIENT, TLS_SERVER } from "./security";
import { SEND } from "./send";

const manager = configNode({ configType: "tcp-connection-manager" });

export const TRIGGER = {
  ...NAMED,
  manager,
  ...listenAddress(7000),
  ...LISTEN_LIMITS,
  ...MESSAGES,
  ...FRAMING,
  ...TLS_SERVER,
  ...LISTEN_GUARDS,
  ...KEEP_ALIVE,
  ...GREETING,
  ...PROBE,
  ...TRAFFIC,
};

export const BRIDGE = {
  ...NAMED,
  manager,
  ...listenAddress(1470),
  ...BRIDGE_PEER,
  ...MESSAGES,
  ...FRAMING,
  ...TLS_SERVER,
  ...LISTEN_GUARDS,
  ...TLS_CLIENT,
  ...KEEP_ALIVE,
  ...GREETING,
  ...TRAFFIC,
};

export const CLIENT = {
  ...NAMED,
  manager,
  ...CLIENT_WHERE,
  ...CLIENT_WHEN,
  ...CLIENT_WHAT,
  ...FRAMING,
  ...MESSAGES,
  ...CLIENT_LIMITS,
  ...CLIENT_GREETING,
  tls: tls(),
  ...TLS_CLIENT,
  ...TRAFFIC,
  // Keep queued jobs across restarts (issue 15; after the others: saved flows keep their key order).
  ...persistProps(),
};

export const MANAGER = { ...NAMED };

export const NODE_SCHEMAS: Readonly<Record<string, Schema>> = {
  "tcp-server-trigger": TRIGGER,
  "send-to-tcp-port": SEND,
  "tcp-server-client-bridge": BRIDGE,
  "tcp-client-link": CLIENT,
  "tcp-connection-manager": MANAGER,
};
