/**
 * send-to-tcp-port's properties: mode, destination, data, how a job ends and
 * what of the reply is kept, retries, the queue and the drain on redeploy.
 * Everything but data, encoding and the write and drain timeouts applies to
 * "send" only; "reply" writes to the connection a message came from;
 * "broadcast" to every live connection its targets pick.
 */
import { declared, ok, refused, type Common, type Declared, type View } from "./core";
import { accessList, type AccessEntry } from "./access";
import { AUTO, ENCODINGS, encoding } from "./encoding";
import { optionalEscapes } from "./escapes";
import { MAX_INT32, port, whole } from "./numbers";
import { NAMED } from "./named";
import { persistProps } from "./persist";
import { bool, choice, configNode } from "./plain";
import { messageProperty } from "./property-path";
import { tls, tlsChosen, tlsVerify } from "./security";
import { destinationHost, destinationPortProp, typedData, typedType } from "./typed";

export const SEND_MODES = ["send", "reply", "broadcast"] as const;
export type SendMode = (typeof SEND_MODES)[number];
export const AFTER_SEND = ["close", "eof", "delay"] as const;
export type AfterSend = (typeof AFTER_SEND)[number];
export const REPLY_OUTPUTS = ["string", "buffer"] as const;
/** Which connections a broadcast goes to: all of the manager's, one node's, by client address, by local port. */
export const BROADCAST_TARGETS = ["all", "node", "address", "port"] as const;
/** A client with more than the pending bound waiting: skip it for this message, or close it. */
export const SLOW_CLIENTS = ["skip", "close"] as const;
export const HOST_TYPES = ["str", "msg", "flow", "global", "env"];
export const PORT_TYPES = ["num", "str", "msg", "flow", "global", "env"];
export const DATA_TYPES = ["msg", "flow", "global", "str", "num", "json", "bin", "jsonata", "env"];
/** A close handler must end within 15 s; leave room for the sockets to close. */
export const MAX_DRAIN_MS = 14_000;

/** The defaults of a job and its queue, in the units the runtime uses. */
export const SEND_DEFAULTS = {
  eofTimeoutMs: 10_000,
  disconnectDelayMs: 1000,
  connectTimeoutMs: 5000,
  writeTimeoutMs: 30_000,
  attempts: 10,
  retryDelayMs: 250,
  retryMaxDelayMs: 5000,
  retryWithinMs: 30_000,
  concurrency: 1,
  maxQueue: 10_000,
  drainMs: 10_000,
} as const;

const sending = (p: View): boolean => p.value("mode") === "send";
const replying = (p: View): boolean => p.value("mode") === "reply";
const broadcasting = (p: View): boolean => p.value("mode") === "broadcast";
const toSessions = (p: View): boolean => replying(p) || broadcasting(p);
const targeting = (kind: string) => (p: View) => broadcasting(p) && p.value("targets") === kind;

/** The id of a flow node whose connections a broadcast goes to: required, any non-blank text. */
function nodeId<D extends Common & { message: string }>(spec: D): Declared<string, D> {
  return declared<string, D>({
    ...spec,
    read: (raw) => (typeof raw === "string" && raw.trim() !== "" ? ok(raw.trim()) : refused(String(raw ?? ""))),
  });
}

/** Client addresses and CIDR ranges (the access lists' grammar); at least one. */
function addresses<D extends Common & { message: string }>(spec: D): Declared<AccessEntry[], D> {
  const list = accessList(spec);
  return declared<AccessEntry[], D>({
    ...list,
    read(raw, p) {
      const r = list.read(raw, p);
      return r.ok && r.value.length === 0 ? refused("") : r;
    },
  });
}
const after =
  (...modes: string[]) =>
  (p: View): boolean =>
    sending(p) && modes.includes(p.value("after") as string);
const keepsReply = (p: View): boolean => sending(p) && p.value("saveReply") === true;

export const SEND = {
  ...NAMED,
  mode: choice({ value: "send", values: SEND_MODES, message: "choice", text: (v) => `mode.${v}` }),
  manager: configNode({ configType: "tcp-connection-manager", shown: toSessions }),
  tls: tls(sending),
  tlsVerify: tlsVerify((p) => sending(p) && tlsChosen(p)),
  host: destinationHost({ value: "", typeProp: "hostType", when: sending, message: "host" }),
  hostType: typedType({ value: "str", types: HOST_TYPES, key: "host", when: sending, message: "choice" }),
  port: destinationPortProp({ value: "", typeProp: "portType", hostProp: "host", when: sending, message: "port", needsPort: "host-port" }),
  portType: typedType({
    value: "num",
    types: PORT_TYPES,
    offered: ["num", "msg", "flow", "global", "env"],
    key: "port",
    when: sending,
    message: "choice",
  }),
  data: typedData({ value: "payload", typeProp: "dataType", message: "data" }),
  dataType: typedType({ value: "msg", types: DATA_TYPES, key: "data", message: "choice" }),
  encoding: encoding({
    value: AUTO,
    message: "encoding",
    options: { values: ENCODINGS, text: (v) => (v === AUTO ? "encoding.auto" : undefined) },
  }),
  after: choice({ value: "close", values: AFTER_SEND, when: sending, message: "choice", text: (v) => `after.${v}` }),
  /** Checked in every send mode (it also bounds closing a TLS connection); shown with "wait for EOF". */
  eofTimeout: whole({ value: SEND_DEFAULTS.eofTimeoutMs, min: 1, max: MAX_INT32, when: sending, shown: after("eof"), message: "positive" }),
  /** Checked in every send mode; shown with "keep open". */
  disconnectDelay: whole({
    value: SEND_DEFAULTS.disconnectDelayMs,
    min: 0,
    max: MAX_INT32,
    when: sending,
    shown: after("delay"),
    message: "ms",
  }),
  replyEnd: optionalEscapes({ value: "", when: after("eof", "delay"), message: "replyEnd" }),
  saveReply: bool({ value: false, when: sending }),
  replyProperty: messageProperty({ value: "reply", when: keepsReply, message: "property" }),
  replyOutput: choice({ value: "string", values: REPLY_OUTPUTS, when: keepsReply, message: "choice", text: (v) => `replyOutput.${v}` }),
  connectTimeout: whole({ value: SEND_DEFAULTS.connectTimeoutMs, min: 1, max: MAX_INT32, when: sending, message: "positive" }),
  writeTimeout: whole({ value: SEND_DEFAULTS.writeTimeoutMs, min: 1, max: MAX_INT32, message: "positive" }),
  attempts: whole({ value: SEND_DEFAULTS.attempts, min: 1, max: 1_000_000, when: sending, message: "positive" }),
  retryDelay: whole({ value: SEND_DEFAULTS.retryDelayMs, min: 0, max: MAX_INT32, when: sending, message: "ms" }),
  retryMaxDelay: whole({ value: SEND_DEFAULTS.retryMaxDelayMs, min: 0, max: MAX_INT32, when: sending, message: "ms" }),
  retryWithin: whole({ value: SEND_DEFAULTS.retryWithinMs, min: 0, max: MAX_INT32, when: sending, message: "ms" }),
  concurrency: whole({ value: SEND_DEFAULTS.concurrency, min: 1, max: 1000, when: sending, message: "positive" }),
  maxQueue: whole({ value: SEND_DEFAULTS.maxQueue, min: 1, max: 10_000_000, when: sending, message: "positive" }),
  drainTimeout: whole({ value: SEND_DEFAULTS.drainMs, min: 0, max: MAX_DRAIN_MS, message: "drain" }),
  closeAfterReply: bool({ value: false, shown: replying }),
  // Send to connections (added after the others: saved flows keep their key order).
  targets: choice({ value: "all", values: BROADCAST_TARGETS, when: broadcasting, message: "choice", text: (v) => `targets.${v}` }),
  targetNode: nodeId({ value: "", when: targeting("node"), message: "targetNode" }),
  targetAddresses: addresses({ value: "", when: targeting("address"), message: "targetAddresses" }),
  targetPort: port({ value: "", when: targeting("port"), message: "port" }),
  exceptSender: bool({ value: false, when: broadcasting }),
  slowClients: choice({ value: "skip", values: SLOW_CLIENTS, when: broadcasting, message: "choice", text: (v) => `slowClients.${v}` }),
  // Keep queued jobs across restarts (issue 15; after the others: saved flows keep their key order).
  ...persistProps(sending),
};
