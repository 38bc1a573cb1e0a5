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

  /**
   * An asynchronous start every later arrival waits for (jobs kept on disk go before new ones): takes a ticket
   * now and completes it with ok(value) or failed(err) once start settles. A step that throws goes to report
   * instead of escaping into the promise.
   */
  first<T>(start: Promise<T>, ok: (value: T) => void, failed: (err: unknown) => void, report: (err: unknown) => void): void {
    const ticket = this.take();
    const step = (run: () => void): void => {
      try {
        this.complete(ticket, run);
      } catch (err) {
        report(err);
      }
    };
    start.then(
      (value) => step(() => ok(value)),
      (err: unknown) => step(() => failed(err)),
    );
  }

  /** Tickets taken and not yet run. */
  get waiting(): number {
    return this.next - this.head;
  }
}
