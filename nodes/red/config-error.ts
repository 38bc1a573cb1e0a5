/**
 * A configuration the runtime cannot use: say which property and why, in
 * the node's own language, and leave the node visibly stopped (red ring).
 */
import type { ConfigError } from "../lib/schema";
import type { Node, NodeAPI } from "../types/node-red";

export function reportConfigError(RED: NodeAPI, node: Node, type: string, err: ConfigError): void {
  const text = RED._(`${type}.errors.config`, { property: RED._(`${type}.label.${err.key}`), value: err.detail });
  node.error(text);
  node.status({ fill: "red", shape: "ring", text: RED._(`${type}.status.config-error`) });
}
