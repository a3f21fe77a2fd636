import { ConnectionError } from './errors.js';

interface PendingRequest {
  method: string;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Requests sent and not yet answered, by id. Each one has a timer; when it
 * fires the request is removed and rejected with a `timeout` ConnectionError,
 * so a late response finds nothing and is ignored.
 */
export class PendingRequests {
  private readonly entries = new Map<number, PendingRequest>();

  constructor(private readonly label: string) {}

  /** How many requests are waiting for a response. */
  get size(): number {
    return this.entries.size;
  }

  /** Registers request `id`; the promise settles with its response, its timeout or {@link rejectAll}. */
  add(id: number, method: string, timeoutMs: number): Promise<unknown> {
    if (this.entries.has(id)) throw new Error(`Request id ${id} is already pending on ${this.label}; ids must be unique.`);
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.entries.delete(id);
        reject(
          new ConnectionError(
            'timeout',
            `Request "${method}" (id ${id}) on ${this.label} got no response within ${timeoutMs} ms. ` +
              'The peer may be busy or hung; retry, or pass a larger timeoutMs.',
          ),
        );
      }, timeoutMs);
      this.entries.set(id, { method, resolve, reject, timer });
    });
  }

  /** Resolves pending request `id` with `result`; false when no such request is pending. */
  resolve(id: number, result: unknown): boolean {
    const entry = this.take(id);
    entry?.resolve(result);
    return entry !== undefined;
  }

  /** Rejects pending request `id` with `error`; false when no such request is pending. */
  reject(id: number, error: Error): boolean {
    const entry = this.take(id);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** Rejects every pending request with the error `makeError` builds for it. */
  rejectAll(makeError: (id: number, method: string) => Error): void {
    const entries = [...this.entries];
    this.entries.clear();
    for (const [id, entry] of entries) {
      clearTimeout(entry.timer);
      entry.reject(makeError(id, entry.method));
    }
  }

  private take(id: number): PendingRequest | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    this.entries.delete(id);
    clearTimeout(entry.timer);
    return entry;
  }
}
