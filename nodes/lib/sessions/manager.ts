/**
 * What a tcp-connection-manager is, without Node-RED: a session registry plus
 * the list of nodes using it. The config node wraps one of these; nodes with
 * no manager configured share DEFAULT_MANAGER, so reply-to-sender works in a
 * flow nobody configured a manager for.
 *
 * Each user node closes only its own sockets; the manager never closes a
 * socket on a node's behalf except when asked to from the editor.
 */
import { SessionRegistry, type SessionOwner } from "./registry";

export class ManagerCore {
  readonly registry = new SessionRegistry();
  private readonly users = new Map<string, SessionOwner>();

  constructor(readonly id: string, readonly name: string) {}

  register(user: SessionOwner): void {
    this.users.set(user.id, user);
  }

  /** Forgets a user; its sessions are its own to close (they leave the registry as their sockets close). */
  deregister(user: SessionOwner): void {
    this.users.delete(user.id);
  }

  get userCount(): number {
    return this.users.size;
  }

  usersList(): SessionOwner[] {
    return [...this.users.values()];
  }
}

export const DEFAULT_MANAGER_ID = "default";

export const DEFAULT_MANAGER = new ManagerCore(DEFAULT_MANAGER_ID, "default");
