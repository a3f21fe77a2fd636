import type { Readable } from 'node:stream';
import { DEFAULT_MAX_LINE_BYTES } from './constants.js';
import type { Disposable } from '@repovisor/kit';
import { ListenerSet, toDisposable } from '@repovisor/kit';
import type { Result } from '@repovisor/kit';

/** Options of a {@link LineReader}. */
export interface LineReaderOptions {
  /** Longest accepted line in bytes, excluding the newline (default 1 MiB). */
  maxLineBytes?: number;
  /** Read a last line that the end of the stream cuts off before its newline, instead of discarding it (default false). */
  readUnterminatedLastLine?: boolean;
}

/** One line read: the parsed JSON value, or why it is not JSON (the reader carries on). */
export type LineResult = Result<{ value: unknown }, { reason: 'parse_error'; error: Error; line: string }>;

/** Why a reader stopped: the stream ended, a line outgrew the limit, the stream failed, or was destroyed without ending. */
export type LineReaderCloseReason = 'end' | 'line_too_long' | 'error' | 'closed';

/** How a reader stopped; `partialLineBytes` counts bytes of an unfinished last line, which are discarded. */
export interface LineReaderCloseInfo {
  reason: LineReaderCloseReason;
  error?: Error;
  partialLineBytes: number;
}

/** The error reported when a line outgrows the limit. */
export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError';

  constructor(
    readonly maxLineBytes: number,
    readonly receivedBytes: number,
  ) {
    super(
      `Line too long: received ${receivedBytes} bytes without a newline, more than the limit of ${maxLineBytes}. ` +
        'Send one JSON message per line, or raise maxLineBytes on both sides.',
    );
  }
}

const NEWLINE = 0x0a;

// Not ndjson.parse: it errors out (or silently drops) on a bad line, limits chars not bytes after buffering a chunk, and emits a trailing partial line.
/**
 * Reads newline-delimited JSON from a stream. Never holds more than
 * `maxLineBytes` of an unfinished line: a longer line stops the reader at once.
 * Disposing it detaches from the stream without destroying it.
 */
export class LineReader implements Disposable {
  private readonly maxLineBytes: number;
  private readonly readUnterminatedLastLine: boolean;
  private readonly pieces: Buffer[] = [];
  private pendingBytes = 0;
  private state: 'idle' | 'listening' | 'stopped' = 'idle';
  private callback: ((line: LineResult) => void) | undefined;
  private readonly errorListeners: ListenerSet<Error>;
  private readonly closeListeners: ListenerSet<LineReaderCloseInfo>;

  constructor(
    private readonly readable: Readable,
    options: LineReaderOptions = {},
  ) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(this.maxLineBytes) || this.maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${String(options.maxLineBytes)}.`);
    }
    this.readUnterminatedLastLine = options.readUnterminatedLastLine ?? false;
    this.errorListeners = new ListenerSet<Error>();
    this.closeListeners = new ListenerSet<LineReaderCloseInfo>();
  }

  /** Starts reading; `callback` receives every complete line. Only one listener at a time. */
  listen(callback: (line: LineResult) => void): Disposable {
    if (this.state !== 'idle') throw new Error('LineReader.listen was called twice; a reader has a single listener.');
    this.state = 'listening';
    this.callback = callback;
    this.readable.on('data', this.onData);
    this.readable.on('end', this.onEnd);
    this.readable.on('close', this.onStreamClose);
    this.readable.on('error', this.onStreamError);
    if (this.readable.destroyed) queueMicrotask(() => this.stop({ reason: 'closed', partialLineBytes: 0 }));
    return toDisposable(() => this.dispose());
  }

  /** Called with each error of the underlying stream. */
  onError(listener: (error: Error) => void): Disposable {
    return this.errorListeners.add(listener);
  }

  /** Called once when reading stops for any reason but {@link dispose}. */
  onClose(listener: (info: LineReaderCloseInfo) => void): Disposable {
    return this.closeListeners.add(listener);
  }

  /** True once the reader stopped (closed or disposed). */
  get stopped(): boolean {
    return this.state === 'stopped';
  }

  /** Stops reading and detaches from the stream, without destroying it or firing `onClose`. */
  dispose(): void {
    this.detach();
    this.errorListeners.clear();
    this.closeListeners.clear();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    while (this.state === 'listening') {
      const newline = buffer.indexOf(NEWLINE, start);
      const end = newline === -1 ? buffer.length : newline;
      const lineBytes = this.pendingBytes + (end - start);
      if (lineBytes > this.maxLineBytes) {
        const error = new LineTooLongError(this.maxLineBytes, lineBytes);
        this.stop({ reason: 'line_too_long', error, partialLineBytes: this.pendingBytes });
        return;
      }
      if (newline === -1) {
        if (end > start) {
          // Copied so a small tail does not pin the whole chunk in memory.
          this.pieces.push(Buffer.from(buffer.subarray(start)));
          this.pendingBytes = lineBytes;
        }
        return;
      }
      const text = this.takeLine(buffer.subarray(start, newline));
      start = newline + 1;
      this.emitLine(text);
    }
  };

  private readonly onEnd = (): void => {
    if (this.readUnterminatedLastLine && this.pendingBytes > 0) this.emitLine(this.takeLine(Buffer.alloc(0)));
    this.stop({ reason: 'end', partialLineBytes: this.pendingBytes });
  };

  private readonly onStreamClose = (): void => {
    this.stop({ reason: 'closed', partialLineBytes: this.pendingBytes });
  };

  private readonly onStreamError = (error: Error): void => {
    this.errorListeners.emit(error);
    this.stop({ reason: 'error', error, partialLineBytes: this.pendingBytes });
  };

  private takeLine(last: Buffer): string {
    const bytes = this.pieces.length === 0 ? last : Buffer.concat([...this.pieces, last]);
    this.pieces.length = 0;
    this.pendingBytes = 0;
    // Splitting on the newline byte never cuts a UTF-8 sequence, so each line decodes on its own.
    const text = bytes.toString('utf8');
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  private emitLine(text: string): void {
    if (text.trim() === '') return;
    let result: LineResult;
    try {
      result = { ok: true, value: JSON.parse(text) as unknown };
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error));
      result = { ok: false, reason: 'parse_error', error: cause, line: text };
    }
    this.callback?.(result);
  }

  private stop(info: LineReaderCloseInfo): void {
    if (this.state === 'stopped') return;
    this.detach();
    this.closeListeners.emit(info);
    this.closeListeners.clear();
  }

  private detach(): void {
    if (this.state === 'listening') {
      this.readable.off('data', this.onData);
      this.readable.off('end', this.onEnd);
      this.readable.off('close', this.onStreamClose);
      this.readable.off('error', this.onStreamError);
    }
    this.state = 'stopped';
    this.callback = undefined;
    this.pieces.length = 0;
    this.pendingBytes = 0;
  }
}
