/** Something that can be undone; `dispose` is safe to call more than once. */
export interface Disposable {
  dispose(): void;
}

/** Wraps `action` in a {@link Disposable} that runs it at most once. */
export function toDisposable(action: () => void): Disposable {
  let disposed = false;
  return {
    dispose(): void {
      if (disposed) return;
      disposed = true;
      action();
    },
  };
}

/**
 * A set of listeners for one event. Each registration returns a disposer; a
 * listener that throws does not stop the others, and its error goes to
 * `onListenerError` (default: rethrown on a microtask, like an uncaught bug).
 */
export class ListenerSet<T> {
  private readonly listeners = new Set<(value: T) => void>();

  constructor(private readonly onListenerError?: (error: unknown) => void) {}

  /** Registers `listener` until the returned disposer is called. */
  add(listener: (value: T) => void): Disposable {
    // Wrapped so that the same function registered twice is two registrations.
    const entry = (value: T): void => listener(value);
    this.listeners.add(entry);
    return toDisposable(() => this.listeners.delete(entry));
  }

  /** How many listeners are registered. */
  get size(): number {
    return this.listeners.size;
  }

  /** Calls every listener with `value`. */
  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        if (this.onListenerError) this.onListenerError(error);
        else
          queueMicrotask(() => {
            throw error;
          });
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
