/**
 * lib/outbound: bytes sent to a peer. Jobs to host:port (send to tcp port),
 * each on its own connection, queued per destination; replies written to the
 * session a message came from.
 *
 *   payload       message value -> bytes (one documented table)
 *   destination   host:port from node settings and the message
 *   job           one job: dial with retries, then its transfer
 *   transfer      a connected job: write, end as configured (a state machine)
 *   reply-capture what the peer answers a job: kept, counted, its end found
 *   delivery      ordered per-destination queues with retries and drain
 *   in-order      outputs in input order
 *   reply         reply to sender: write to a live session
 *   send-config   the send node's properties, read through lib/schema
 *   send-errors   every send error as a catalog key, substitutions and code
 *   kept-jobs     queued jobs kept on disk across restarts: lib/journal's keeper with the destination
 *   send-controller    the send node sending: inputs -> jobs -> outputs
 *   reply-controller   the send node replying: inputs -> replies -> outputs
 *   broadcast     send to connections: pick live sessions, write to each on its own
 *   broadcast-controller  the send node sending to connections: inputs -> fan-out -> outputs
 *   ordered-data  a message's data as bytes, in arrival order (reply, broadcast)
 *   waiting       messages whose writes wait behind slow peers; ESTOPPED at the drain bound
 *   session-writer  what the reply and broadcast controllers share (data in order, waiting, stop)
 *   outcomes      how they all end a message (output, error, status)
 *   node-io       what the controllers take from the node (send, done, status, readers)
 */
export * from "./broadcast";
export * from "./broadcast-controller";
export * from "./delivery";
export * from "./destination";
export * from "./in-order";
export * from "./node-io";
export * from "./ordered-data";
export * from "./outcomes";
export * from "./job";
export * from "./kept-jobs";
export { msgToJson, parseWithBuffers } from "../journal/kept-msg";
export * from "./payload";
export * from "./reply";
export * from "./reply-capture";
export * from "./reply-controller";
export * from "./send-config";
export * from "./send-controller";
export * from "./send-errors";
export * from "./session-writer";
export * from "./transfer";
export * from "./waiting";
