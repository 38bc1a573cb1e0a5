/**
 * lib/sessions: the table of live connections (Q-SYS's table of sockets) and
 * the manager that owns one, so reply to sender finds its socket from any flow.
 *
 *   registry  session ids <-> live sockets, a bounded memory of closed ones
 *   manager   a registry per tcp-connection-manager, and the default one
 */
export * from "./manager";
export * from "./registry";
