/**
 * A node's metrics (lib/metrics) as Node-RED wires them: labelled with the
 * node's id, type, name and manager, on or off by settings.js
 * (tcpAutomation.metrics), released when the node stops. A removed node's
 * series go at once; nodes that a full deploy dropped (Node-RED does not
 * say "removed" then) go when the new flows have started.
 */
import { acquireNodeMetrics, exportedNodes, releaseNodeMetrics, type NodeMetrics } from "../lib/metrics";
import { RateTicker } from "../lib/metrics";
import type { Node, NodeAPI } from "../types/node-red";
import { switches } from "./settings";

export function nodeMetrics(RED: NodeAPI, node: Node, type: string, name: string | undefined, managerId: string): NodeMetrics {
  const labels = { node_id: node.id, node_type: type, node_name: name ?? "", manager_id: managerId };
  const m = acquireNodeMetrics(labels, switches(RED).metrics);
  node.on("close", (removed: boolean, done: () => void) => {
    releaseNodeMetrics(m, removed);
    done();
  });
  return m;
}

/** The one "flows:started" listener of this module: the package is registered once per runtime, but tests load it again and again. */
let pruner: { RED: NodeAPI; listener: () => void } | undefined;

/** Drops the series of nodes that no longer run, once per started flows. */
export function pruneOnStart(RED: NodeAPI): void {
  if (pruner) pruner.RED.events.off("flows:started", pruner.listener);
  const listener = (): void => {
    for (const m of [...exportedNodes()]) if (!RED.nodes.getNode(m.labels.node_id)) releaseNodeMetrics(m, true);
  };
  RED.events.on("flows:started", listener);
  pruner = { RED, listener };
}

/**
 * A status rate: total() sampled once a second, refresh() called when the shown figure changes;
 * stopped with the node. withRate(text) appends " · 1.2k msg/s" (the catalog's status.rate) when there is one.
 */
export function statusRate(
  RED: NodeAPI,
  node: Node,
  type: string,
  total: () => number,
  refresh: () => void,
  key = "status.rate",
): (text: string) => string {
  const ticker = new RateTicker(total, refresh);
  node.on("close", (_removed: boolean, done: () => void) => {
    ticker.stop();
    done();
  });
  return (text: string): string => {
    const rate = ticker.text();
    return rate === "" ? text : RED._(`${type}.${key}`, { text, rate });
  };
}
