/**
 * lib/client: a persistent connection to one device (Q-SYS TcpSocket, ezTCP
 * TCP client mode), with reconnect, request/reply and nothing lost silently.
 * No Node-RED import; the tcp client node maps messages and events to it.
 *
 *   link          the connection state machine: when to dial, backoff, greeting,
 *                 liveness (keep-alive, read/write timeout, heartbeat), the outbox, stop
 *   requests      request/reply on a link: each reply on its own request, timeouts, pipelining
 *   outbox        writes waiting for the link: bounded, policy when full, maximum age
 *   entry-writer  which written entries the kernel took, and which not when a link broke
 *   heartbeat     the application heartbeat's timers (idle, answer)
 *   backoff       exponential waits with jitter between attempts, forever or within a bound
 *   dial          the default dialer: net or tls, connect timeout, self-connect guard
 *   errors        every way a write, request or link can fail, with code and catalog kind
 *   config        the node's stored properties read through lib/schema into the options above
 */
export * from "./backoff";
export * from "./config";
export * from "./dial";
export * from "./entry-writer";
export * from "./errors";
export * from "./heartbeat";
export * from "./link";
export * from "./outbox";
export * from "./requests";
