/**
 * Keeps work in arrival order when part of it is asynchronous: each arrival
 * takes a ticket; steps finished out of order wait until every earlier ticket
 * has run. A node whose input needs an async evaluation (JSONata, a context
 * store) uses it so jobs reach the queue, and replies the socket, in the order
 * the messages came in.
 */
export class InOrder {
  private next = 0;
  private head = 0;
  private readonly ready = new Map<number, () => void>();

  /** A ticket for one arrival; complete it exactly once. */
  take(): number {
    return this.next++;
  }

  /** Runs step now if every earlier ticket has run, else when they have. A step that throws does not hold up later ones. */
  complete(ticket: number, step: () => void): void {
    if (ticket === this.head && this.ready.size === 0) {
      // The usual case (synchronous evaluation): nothing waits before or after this one.
      this.head++;
      step();
      return;
    }
    this.ready.set(ticket, step);
    let failure: { err: unknown } | undefined;
    while (this.ready.has(this.head)) {
      const run = this.ready.get(this.head) as () => void;
      this.ready.delete(this.head);
      this.head++;
      try {
        run();
      } catch (err) {
        failure ??= { err };
      }
    }
    if (failure) throw failure.err;
  }

  /** Tickets taken and not yet run. */
  get waiting(): number {
    return this.next - this.head;
  }
}
