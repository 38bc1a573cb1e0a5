/**
 * Node status updates, at most one per interval: a server with thousands of
 * connects a second must not flood the editor with status events. The last
 * state always gets through.
 */
import type { Node, NodeStatus } from "../types/node-red";

export const STATUS_INTERVAL_MS = 250;

export class ThrottledStatus {
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private pending: (() => NodeStatus) | undefined;

  constructor(private readonly node: Node, private readonly interval = STATUS_INTERVAL_MS) {}

  /** Shows what make() returns now, or at the end of the current interval. */
  update(make: () => NodeStatus): void {
    const wait = this.last + this.interval - Date.now();
    if (wait <= 0 && !this.timer) {
      this.show(make);
      return;
    }
    this.pending = make;
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.pending) this.show(this.pending);
      }, Math.max(wait, 0));
    }
  }

  /** Shows it at once (errors, stop), dropping anything pending. */
  now(status: NodeStatus): void {
    this.stop();
    this.node.status(status);
    this.last = Date.now();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private show(make: () => NodeStatus): void {
    this.pending = undefined;
    this.last = Date.now();
    this.node.status(make());
  }
}
