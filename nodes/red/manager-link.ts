/**
 * How a node finds its tcp-connection-manager: the configured config node, or
 * the runtime's default manager when none is configured.
 */
import { DEFAULT_MANAGER, ManagerCore } from "../lib/sessions";
import type { Node, NodeAPI } from "../types/node-red";

export interface ManagerNode extends Node {
  core: ManagerCore;
}

/** The manager for a node's `manager` property; null when it names a config node that does not exist. */
export function resolveManager(RED: NodeAPI, id: unknown): ManagerCore | null {
  if (id === undefined || id === null || id === "" || id === "_ADD_") return DEFAULT_MANAGER;
  const node = RED.nodes.getNode(String(id)) as ManagerNode | null;
  return node && node.core instanceof ManagerCore ? node.core : null;
}

/**
 * resolveManager for a node that cannot run without one: when the configured
 * manager does not exist it says so (error and red status) and returns null.
 */
export function managerOrReport(RED: NodeAPI, node: Node, type: string, id: unknown): ManagerCore | null {
  const manager = resolveManager(RED, id);
  if (!manager) {
    node.error(RED._(`${type}.errors.no-manager`, { id: String(id) }));
    node.status({ fill: "red", shape: "ring", text: RED._(`${type}.status.no-manager`) });
  }
  return manager;
}
