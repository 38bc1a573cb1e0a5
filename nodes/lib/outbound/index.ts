/**
 * lib/outbound: bytes sent to a peer. Jobs to host:port (send to tcp port),
 * each on its own connection, queued per destination; replies written to the
 * session a message came from.
 *
 *   payload       message value -> bytes (one documented table)
 *   destination   host:port from node settings and the message
 *   job           one job: connect, write, end as configured, capture a reply
 *   delivery      ordered per-destination queues with retries and drain
 *   in-order      outputs in input order
 *   reply         reply to sender: write to a live session
 *   send-config   the send node's properties, read through lib/schema
 *   send-errors   every send error as a catalog key, substitutions and code
 */
export * from "./delivery";
export * from "./destination";
export * from "./in-order";
export * from "./job";
export * from "./payload";
export * from "./reply";
export * from "./send-config";
export * from "./send-errors";
