/**
 * lib/bridge: ezTCP's TCP Server/Client mode, one link at a time.
 *
 *   core    the link state machine (listen, dial when data waits, hold off)
 *   buffer  the bounded input buffer with its overflow policy
 *   config  the bridge's properties, read through lib/schema
 */
export * from "./buffer";
export * from "./config";
export * from "./core";
