/** What every node has: a name; and for the listening nodes, the topic of their messages and a second output for connection events. */
import { bool, editorOnly, text } from "./plain";

/** Shown in the node's label, the connection list and the messages that name the node. */
export const NAMED = { name: text({ value: "" }) };

/** outputs follows the events checkbox in the editor (2 with connection events). */
/**
 * Keep each connection's recent traffic for the manager's traffic view (lib/traffic). Off by default:
 * the bytes may be secret (logins, label contents) and each captured connection reserves memory.
 * Declared after every other property of its nodes: saved flows keep their key order.
 */
export const TRAFFIC = { traffic: bool({ value: false }) };

export const MESSAGES = { topic: text({ value: "" }), events: bool({ value: false }), outputs: editorOnly({ value: 1 }) };
