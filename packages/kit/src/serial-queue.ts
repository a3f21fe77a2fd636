/**
 * Runs async steps one at a time, in the order they were queued: writes to
 * one file, a runtime's starts and stops. A failed step fails only its own
 * caller; the steps after it still run.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Queues `step`; resolves or rejects with its outcome. */
  run<T>(step: () => Promise<T> | T): Promise<T> {
    const next = this.tail.then(step);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves (never rejects) once every step queued so far has finished. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
