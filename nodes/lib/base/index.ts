/**
 * lib/base: the foundation every other part of lib/ builds on, with no
 * Node-RED import and nothing about any one node.
 *
 *   coded-error     the one error type: a code, and the catalog entry a node shows
 *   encoding        Buffer <-> string through iconv-lite ("auto" included), and
 *                   the schema's Env (which encoding names iconv-lite knows)
 *   escapes         "\r\n\x02"-style escapes to bytes (the grammar is lib/schema's)
 *   tls-options     tls-config node -> Node.js TLS options (server and client)
 *   dial            one outgoing connection attempt (timeout, TLS, self-connect guard)
 *   socket-reset    end a connection with RST (also under TLS)
 *   tracked-writer  which written bytes were not confirmed when a link broke
 *   chunk-list      a byte queue without copies
 *   msgid           cheap unique _msgid values
 *   status-throttle node status at most once per interval
 *   countdown       whole seconds left, ticking just past each crossing
 *   tunables        settings.js `tcpAutomation`
 */
export * from "./chunk-list";
export * from "./coded-error";
export * from "./countdown";
export * from "./dial";
export * from "./encoding";
export * from "./escapes";
export * from "./msgid";
export * from "./socket-reset";
export * from "./status-throttle";
export * from "./tls-options";
export * from "./tracked-writer";
export * from "./tunables";
