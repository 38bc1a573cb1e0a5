/**
 * The small part of Node-RED's runtime API these nodes use, typed by hand.
 *
 * Node-RED ships no TypeScript types of its own; typing only what we call keeps
 * the compiler strict without pulling a large, loosely maintained @types tree
 * into the build. Everything here mirrors Node-RED 3.x/4.x behaviour.
 */
import type { EventEmitter } from "node:events";

export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  topic?: string;
  [key: string]: unknown;
}

export interface NodeStatus {
  fill?: "red" | "green" | "yellow" | "blue" | "grey";
  shape?: "ring" | "dot";
  text?: string;
}

/** send() takes one message, or an array with one slot per output (each slot a message or an array). */
export type SendArg = NodeMessage | null | Array<NodeMessage | NodeMessage[] | null>;
export type SendFn = (msg: SendArg) => void;
export type DoneFn = (err?: Error) => void;

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [key: string]: unknown;
}

export interface Node extends EventEmitter {
  id: string;
  type: string;
  name?: string;
  z?: string;
  send(msg: SendArg): void;
  status(status: NodeStatus | string): void;
  log(msg: unknown): void;
  warn(msg: unknown): void;
  error(err: unknown, msg?: NodeMessage): void;
  debug(msg: unknown): void;
  trace(msg: unknown): void;
  on(event: "input", handler: (msg: NodeMessage, send: SendFn, done: DoneFn) => void): this;
  on(event: "close", handler: (removed: boolean, done: () => void) => void): this;
  on(event: string, handler: (...args: never[]) => void): this;
}

export interface Request {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body?: unknown;
}
export interface Response {
  json(body: unknown): void;
  status(code: number): Response;
  type(contentType: string): Response;
  send(body: string): void;
  sendStatus(code: number): void;
}
type Handler = (req: Request, res: Response, next?: () => void) => void;

export interface NodeAPI {
  nodes: {
    createNode(node: Node, def: NodeDef): void;
    // T: the `this` a node's constructor declares (a config node adds its own members).
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
    registerType<T extends Node>(type: string, ctor: (this: T, def: NodeDef) => void, opts?: Record<string, unknown>): void;
    getNode(id: string): Node | null;
  };
  util: {
    evaluateNodeProperty(
      value: unknown,
      type: string,
      node: Node,
      msg: NodeMessage,
      cb?: (err: Error | null, value: unknown) => void,
    ): unknown;
    getMessageProperty(msg: NodeMessage, prop: string): unknown;
    setMessageProperty(msg: NodeMessage, prop: string, value: unknown, createMissing?: boolean): boolean;
    cloneMessage<T>(msg: T): T;
  };
  httpAdmin: {
    get(path: string, ...handlers: Handler[]): void;
    post(path: string, ...handlers: Handler[]): void;
  };
  auth: {
    needsPermission(permission: string): Handler;
  };
  settings: Record<string, unknown>;
  /** The runtime's events ("flows:started" after every deploy). */
  events: EventEmitter;
  log: { warn(msg: unknown): void };
  _(key: string, substitutions?: Record<string, unknown>): string;
}
