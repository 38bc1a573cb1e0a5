/**
 * A node's typed properties (a typedInput's value and type) as the readers the
 * controllers take (lib/outbound/node-io): evaluated with Node-RED's help,
 * JSONata included. A property that cannot be prepared is a ConfigError.
 */
import { ConfigError } from "../lib/schema";
import type { Evaluate, ReadNow, TypedProp } from "../lib/outbound";
import type { Node, NodeAPI, NodeMessage } from "../types/node-red";

/** The part of RED.util used for JSONata, typed here (types/node-red.ts covers the common API). */
interface JsonataUtil {
  prepareJSONataExpression(value: string, node: Node): unknown;
  evaluateJSONataExpression(expr: unknown, msg: NodeMessage, cb: (err: Error | null, value: unknown) => void): void;
}

const CONSTANT_TYPES = new Set(["str", "num", "json", "bin"]);

/** A reader for values known without a callback: constants (evaluated once, here) and msg.payload; else undefined. */
export function readNow(RED: NodeAPI, node: Node, p: TypedProp, key: string): ReadNow | undefined {
  if (CONSTANT_TYPES.has(p.type)) {
    let v: unknown;
    try {
      v = RED.util.evaluateNodeProperty(p.value, p.type, node, {});
    } catch (err) {
      throw new ConfigError(key, (err as Error).message);
    }
    return () => v;
  }
  // The default, on every message: read it directly rather than parse "payload" as a property path each time.
  if (p.type === "msg" && p.value === "payload") return (msg) => msg.payload;
  return undefined;
}

/** A typed property as a callback-style evaluator (now: its readNow, when it has one). */
export function evaluator(RED: NodeAPI, node: Node, p: TypedProp, key: string, now = readNow(RED, node, p, key)): Evaluate {
  if (now) return (msg, cb) => cb(null, now(msg));
  if (p.type === "jsonata") {
    const util = RED.util as unknown as JsonataUtil;
    let expr: unknown;
    try {
      expr = util.prepareJSONataExpression(p.value, node);
    } catch (err) {
      throw new ConfigError(key, (err as Error).message);
    }
    return (msg, cb) => util.evaluateJSONataExpression(expr, msg, (err, v) => cb(err, v));
  }
  return (msg, cb) => {
    try {
      RED.util.evaluateNodeProperty(p.value, p.type, node, msg, (err, v) => cb(err, v));
    } catch (err) {
      cb(err as Error);
    }
  };
}
