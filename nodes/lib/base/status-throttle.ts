/**
 * Node status updates, at most one per interval: a server with thousands of
 * connects a second must not flood the editor with status events. The last
 * state always gets through.
 *
 * Hot path: update() runs once per message on busy nodes, so it reads no
 * clock and allocates nothing. A shown status opens an interval (a timer);
 * updates inside it only remember the newest state, shown when it ends.
 */
import type { Node, NodeStatus } from "../../types/node-red";

export const STATUS_INTERVAL_MS = 250;

export class ThrottledStatus {
  private timer: NodeJS.Timeout | undefined;
  private pending: (() => NodeStatus) | undefined;
  private readonly tick = (): void => {
    this.timer = undefined;
    const make = this.pending;
    if (make) this.show(make);
  };

  constructor(
    private readonly node: Pick<Node, "status">,
    private readonly interval = STATUS_INTERVAL_MS,
  ) {}

  /** Shows what make() returns now, or at the end of the current interval. */
  update(make: () => NodeStatus): void {
    if (this.timer) this.pending = make;
    else this.show(make);
  }

  /** Shows it at once (errors, stop), dropping anything pending. */
  now(status: NodeStatus): void {
    this.stop();
    this.node.status(status);
    this.timer = setTimeout(this.tick, this.interval);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private show(make: () => NodeStatus): void {
    this.pending = undefined;
    this.node.status(make());
    this.timer = setTimeout(this.tick, this.interval);
  }
}
