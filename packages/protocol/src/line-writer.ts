import type { Writable } from 'node:stream';
import { finished } from 'node:stream';
import type { Disposable } from '@repovisor/kit';
import { ListenerSet } from '@repovisor/kit';
import type { Result } from '@repovisor/kit';

/** Outcome of one write: handed to the stream, or why not (the stream is gone, or the value is not JSON). */
export type LineWriteResult = Result<object, { reason: 'closed' | 'unserializable'; error: Error }>;

// Not ndjson.stringify: its Transform would hide which write failed, and it throws a BigInt from inside the pipe.
/**
 * Writes one JSON value per line to a stream. A write to an ended or destroyed
 * stream returns a failure instead of throwing; asynchronous stream errors go
 * to `onError`. Disposing it detaches without destroying the stream.
 */
export class LineWriter implements Disposable {
  private disposed = false;
  private lastError: Error | undefined;
  private readonly errorListeners = new ListenerSet<Error>();

  constructor(private readonly writable: Writable) {
    writable.on('error', this.onStreamError);
  }

  /** True when writes can no longer reach the stream (ended, destroyed, failed or disposed). */
  get closed(): boolean {
    return this.disposed || this.writable.destroyed || this.writable.writableEnded || this.lastError !== undefined;
  }

  /** Called with each error of the underlying stream. */
  onError(listener: (error: Error) => void): Disposable {
    return this.errorListeners.add(listener);
  }

  /** Serializes `value` and writes it followed by a newline. */
  write(value: unknown): LineWriteResult {
    if (this.closed) {
      return { ok: false, reason: 'closed', error: new Error(`Cannot write a line: the stream is ${this.describeState()}.`, { cause: this.lastError }) };
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      return { ok: false, reason: 'unserializable', error: new TypeError(`Cannot write a line: the value is not serializable as JSON (${describe(error)}).`, { cause: error }) };
    }
    if (text === undefined) {
      return { ok: false, reason: 'unserializable', error: new TypeError(`Cannot write a line: JSON.stringify gives nothing for a value of type ${typeof value}.`) };
    }
    this.writable.write(`${text}\n`, (error) => {
      if (error) this.onStreamError(error);
    });
    return { ok: true };
  }

  /** Ends the stream once buffered lines are flushed; resolves when flushed or when the stream is gone. Never rejects. */
  end(): Promise<void> {
    if (this.writable.destroyed || this.writable.writableFinished) return Promise.resolve();
    return new Promise((resolve) => {
      const cleanup = finished(this.writable, { readable: false }, () => {
        cleanup();
        resolve();
      });
      if (!this.writable.writableEnded) this.writable.end();
    });
  }

  /** Stops writing and detaches from the stream, without ending or destroying it. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.writable.off('error', this.onStreamError);
    this.errorListeners.clear();
  }

  private readonly onStreamError = (error: Error): void => {
    // A failed write reports to both its callback and the 'error' event.
    if (error === this.lastError) return;
    this.lastError = error;
    this.errorListeners.emit(error);
  };

  private describeState(): string {
    if (this.disposed) return 'detached from this writer (disposed)';
    if (this.lastError) return `failed (${this.lastError.message})`;
    if (this.writable.destroyed) return 'destroyed';
    return 'ended';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
