/**
 * lib/metrics: what the nodes count, for Prometheus and for their status.
 * No Node-RED import; prom-client, with a registry of its own.
 *
 *   definitions  the metrics and their registry, made once per runtime
 *   node-metrics the one interface nodes call: plain counters, per node id
 *   sources      the managers' tables, read at scrape time (connections, bytes)
 *   scrape       numbers -> prom-client -> Prometheus text format
 *   rate         a sliding-window rate of a running total
 *   rate-ticker  a node's status rate, sampled once a second
 *   compact      1.2k-style numbers for a status
 */
export * from "./compact";
export * from "./definitions";
export * from "./node-metrics";
export * from "./rate";
export * from "./rate-ticker";
export * from "./scrape";
export * from "./sources";
