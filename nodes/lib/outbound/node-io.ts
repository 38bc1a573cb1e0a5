/**
 * What the send node's controllers take from the node, as small interfaces,
 * so they run (and are tested) without Node-RED: the message, send and done
 * of one input, the node's status, its catalog, and its typed properties as
 * evaluators.
 */
import type { NodeMessage, NodeStatus } from "../../types/node-red";

export type Msg = NodeMessage;
export type Send = (msg: Msg) => void;
export type Done = (err?: Error) => void;
export type ShowStatus = (status: NodeStatus) => void;

/** A typed property's value for a message, from a callback (JSONata and context stores may answer later). */
export type Evaluate = (msg: Msg, cb: (err: Error | null, value?: unknown) => void) => void;

/** A typed property whose value is known without a callback (constants, msg.payload): the fast path's reader. */
export type ReadNow = (msg: Msg) => unknown;
