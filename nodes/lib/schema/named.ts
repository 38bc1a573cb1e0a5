/** What every node has: a name; and for the listening nodes, the topic of their messages and a second output for connection events. */
import { bool, editorOnly, text } from "./plain";

/** Shown in the node's label, the connection list and the messages that name the node. */
export const NAMED = { name: text({ value: "" }) };

/** outputs follows the events checkbox in the editor (2 with connection events). */
export const MESSAGES = { topic: text({ value: "" }), events: bool({ value: false }), outputs: editorOnly({ value: 1 }) };
