/**
 * What a tcp-connection-manager is, without Node-RED: the session registry of
 * every node that uses it. The config node wraps one of these; nodes with no
 * manager configured share DEFAULT_MANAGER, so reply-to-sender works in a
 * flow nobody configured a manager for.
 *
 * Each user node closes only its own sockets; the manager never closes a
 * socket on a node's behalf except when asked to from the editor.
 */
import { SessionRegistry } from "./registry";

export class ManagerCore {
  readonly registry = new SessionRegistry();

  constructor(
    readonly id: string,
    readonly name: string,
  ) {}
}

export const DEFAULT_MANAGER_ID = "default";

export const DEFAULT_MANAGER = new ManagerCore(DEFAULT_MANAGER_ID, "default");
