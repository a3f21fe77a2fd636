/** Runs async steps one at a time, in the order they were queued. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Queues `step`; resolves or rejects with its outcome. */
  run<T>(step: () => Promise<T> | T): Promise<T> {
    const next = this.tail.then(step);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
