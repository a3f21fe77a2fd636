import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { ConnectionLog } from './connection-log.js';
import type { CloseInfo, CloseReason, ConnectionOptions, RequestOptions } from './connection-options.js';
import { timeoutProblem } from './connection-options.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './constants.js';
import type { Disposable } from '@repovisor/kit';
import { ListenerSet, toDisposable } from '@repovisor/kit';
import { ErrorCodes } from './error-codes.js';
import type { ConnectionErrorCode } from './errors.js';
import { ConnectionError, ResponseError } from './errors.js';
import { IncomingMessages } from './incoming-messages.js';
import type { LineReaderCloseInfo, LineResult } from './line-reader.js';
import { LineReader } from './line-reader.js';
import { LineWriter } from './line-writer.js';
import type { ResponseMessage } from './messages.js';
import { formatIssues, isErrorResponse, issuesData } from './messages.js';
import type { NotificationSpec, RequestSpec } from './methods.js';
import { PendingRequests } from './pending-requests.js';
import { publishSent } from './request-channel.js';

type State = 'open' | 'closing' | 'closed';

/**
 * Requests, responses and notifications over a pair of streams carrying JSON
 * lines. Both sides may send requests; ids correlate responses; every request
 * times out. Bad input from the peer is answered or logged, never thrown.
 */
export class Connection implements Disposable {
  /** Names the connection in logs and error messages. */
  readonly label: string;
  private state: State = 'open';
  private info: CloseInfo | undefined;
  private closing: Promise<void> | undefined;
  private pendingErrorCode: ConnectionErrorCode = ErrorCodes.ConnectionClosed;
  private nextId = 0;
  private received = 0;
  private readonly requestTimeoutMs: number;
  private readonly ownsStreams: boolean;
  private readonly log: ConnectionLog;
  private readonly reader: LineReader;
  private readonly writer: LineWriter;
  private readonly pending: PendingRequests;
  private readonly incoming: IncomingMessages;
  private readonly closeListeners: ListenerSet<CloseInfo>;

  /** A connection over a TCP socket it owns: sets noDelay, and destroys the socket when it closes. */
  static fromSocket(socket: Socket, options: ConnectionOptions = {}): Connection {
    socket.setNoDelay(true);
    return new Connection(socket, socket, { ...options, ownsStreams: true });
  }

  /** Starts reading `readable` at once; register handlers before the current tick ends. */
  constructor(
    private readonly readable: Readable,
    private readonly writable: Writable,
    options: ConnectionOptions = {},
  ) {
    this.label = options.label ?? 'connection';
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const problem = timeoutProblem('requestTimeoutMs', this.requestTimeoutMs);
    if (problem) throw problem;
    this.ownsStreams = options.ownsStreams ?? false;
    this.log = new ConnectionLog(options.logger, this.label);
    this.closeListeners = new ListenerSet<CloseInfo>((error) => this.log.warn({ err: error }, 'a close listener threw; carrying on'));
    this.pending = new PendingRequests(this.label);
    this.reader = new LineReader(readable, { maxLineBytes: options.maxLineBytes, readUnterminatedLastLine: options.readUnterminatedLastLine });
    this.writer = new LineWriter(writable);
    this.incoming = new IncomingMessages({
      log: this.log,
      write: (value) => this.writer.write(value),
      canAnswer: () => this.state !== 'closed',
      onResponse: (message) => this.onResponse(message),
    });
    if (this.ownsStreams) {
      // Owned streams keep an error listener for good, so a late error is never uncaught.
      readable.on('error', this.onOwnedStreamError);
      if ((writable as unknown) !== readable) writable.on('error', this.onOwnedStreamError);
    }
    this.reader.onClose((closed) => this.onReaderClose(closed));
    this.writer.onError((error) => this.finish('error', error));
    this.reader.listen((line) => this.onLine(line));
  }

  /** True once the connection takes no new requests: closing (flushing its last answers) or closed. */
  get closed(): boolean {
    return this.state !== 'open';
  }

  /** Why the connection closed, once it has. */
  get closeReason(): CloseReason | undefined {
    return this.info?.reason;
  }

  /** Answers incoming requests for `spec.method` with `handler`; params are validated first. */
  handle<P, R>(spec: RequestSpec<P, R>, handler: (params: P) => R | Promise<R>): Disposable {
    return this.incoming.requests.register(spec, handler);
  }

  /** Calls `handler` with each valid incoming `spec.method` notification; invalid ones are logged and dropped. */
  onNotification<P>(spec: NotificationSpec<P>, handler: (params: P) => void): Disposable {
    return this.incoming.notifications.register(spec, handler);
  }

  /** How many lines the peer has sent so far (blank lines aside), counting the one being handled. */
  get linesReceived(): number {
    return this.received;
  }

  /**
   * Receives valid JSON lines that are no protocol message; without a listener
   * the peer gets `invalid_request`. A returned promise counts as an answer in
   * flight: `closeAfterFlush` waits for it.
   */
  onUnknownMessage(handler: (message: unknown) => void | Promise<void>): Disposable {
    return this.incoming.onUnknown(handler);
  }

  /** Receives the parse error of each line that is not JSON; without a listener the peer gets `parse_error`. */
  onParseError(handler: (error: Error) => void): Disposable {
    return this.incoming.parseErrors.add(handler);
  }

  /** Called once when the connection closes; registered after that, called on the next microtask. */
  onClose(listener: (info: CloseInfo) => void): Disposable {
    const info = this.info;
    if (info === undefined) return this.closeListeners.add(listener);
    let cancelled = false;
    queueMicrotask(() => {
      if (cancelled) return;
      try {
        listener(info);
      } catch (error) {
        this.log.warn({ err: error }, 'a close listener threw; carrying on');
      }
    });
    return toDisposable(() => (cancelled = true));
  }

  /** Sends a request and resolves with its validated result; rejects with ResponseError or ConnectionError. */
  request<P, R>(spec: RequestSpec<P, R>, params: P, options: RequestOptions = {}): Promise<R> {
    if (this.state !== 'open') return Promise.reject(this.closedError(`send request "${spec.method}"`));
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const problem = timeoutProblem('timeoutMs', timeoutMs);
    if (problem) return Promise.reject(problem);
    const id = this.nextId++;
    const response = this.pending.add(id, spec.method, timeoutMs);
    const written = this.writer.write({ id, method: spec.method, params });
    if (!written.ok) {
      const error =
        written.reason === 'closed'
          ? new ConnectionError(ErrorCodes.ConnectionClosed, `Cannot send request "${spec.method}" on ${this.label}: ${written.error.message}`, { cause: written.error })
          : written.error;
      this.pending.reject(id, error);
    }
    const settled = response.then((result) => {
      const parsed = spec.result.safeParse(result);
      if (parsed.success) return parsed.data;
      const message = `The response to "${spec.method}" (id ${id}) on ${this.label} does not match its schema: ${formatIssues(parsed.error)}`;
      throw new ResponseError(ErrorCodes.InvalidResponse, message, issuesData(parsed.error));
    });
    publishSent(spec.method, settled);
    return settled;
  }

  /** Sends a notification; a no-op (logged at debug) once the connection is closing or closed. */
  notify<P>(spec: NotificationSpec<P>, params: P): void {
    if (this.state !== 'open') {
      this.log.debug({ method: spec.method, state: this.state }, 'notification not sent: the connection is closed');
      return;
    }
    const written = this.writer.write({ method: spec.method, params });
    if (!written.ok) this.log.warn({ method: spec.method, err: written.error }, 'notification not sent');
  }

  /** Writes any JSON value as one line, e.g. the answer to a one-shot client; logged at debug if it cannot. */
  writeRaw(value: unknown): void {
    const written = this.writer.write(value);
    if (!written.ok) this.log.debug({ err: written.error }, 'raw line not sent');
  }

  /** Closes now: rejects pending requests, stops reading, destroys owned streams, fires `onClose`. */
  close(reason: CloseReason = 'local'): void {
    this.finish(reason);
  }

  /** Like `close('local')`, but pending requests reject with code `disposed`. */
  dispose(): void {
    if (this.state !== 'closed') this.pendingErrorCode = ErrorCodes.Disposed;
    this.finish('local');
  }

  /**
   * Closes once in-flight answers are written and the writable has flushed and
   * ended, so a final answer reaches the peer. Stops taking new messages at
   * once; gives up waiting after the request timeout.
   */
  closeAfterFlush(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    this.closing ??= this.drainAndClose('local', true);
    return this.closing;
  }

  private async drainAndClose(reason: CloseReason, endWritable: boolean): Promise<void> {
    this.state = 'closing';
    this.pending.rejectAll((id, method) => this.pendingError(id, method));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.requestTimeoutMs)));
    try {
      await Promise.race([this.incoming.answered(), deadline]);
      if (endWritable && this.state === 'closing') await Promise.race([this.writer.end(), deadline]);
    } finally {
      clearTimeout(timer);
    }
    this.finish(reason);
  }

  private finish(reason: CloseReason, error?: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const info: CloseInfo = error === undefined ? { reason } : { reason, error };
    this.info = info;
    this.reader.dispose();
    this.pending.rejectAll((id, method) => this.pendingError(id, method, error));
    this.writer.dispose();
    if (this.ownsStreams) {
      this.readable.destroy();
      if ((this.writable as unknown) !== this.readable) this.writable.destroy();
    }
    if (reason === 'error') this.log.warn({ reason, err: error }, 'connection closed by a transport error');
    else this.log.debug({ reason }, 'connection closed');
    this.closeListeners.emit(info);
    this.closeListeners.clear();
  }

  private onReaderClose(closed: LineReaderCloseInfo): void {
    const { reason, error, partialLineBytes } = closed;
    if (partialLineBytes > 0 && reason !== 'line_too_long') {
      this.log.debug({ partialLineBytes }, 'the peer stopped mid-line; the partial line is discarded');
    }
    switch (reason) {
      case 'line_too_long':
        this.log.warn({ reason, err: error }, `closing the connection: ${error?.message ?? 'line too long'}`);
        this.finish('line_too_long', error);
        return;
      case 'error':
        this.finish('error', error);
        return;
      case 'end':
        // The peer finished sending; answer what is in flight, then close.
        if (this.state === 'open') this.closing = this.drainAndClose('peer', this.ownsStreams);
        return;
      case 'closed':
        if (this.state === 'open') this.finish('peer');
        return;
      default:
        reason satisfies never;
    }
  }

  private onLine(line: LineResult): void {
    this.received++;
    if (this.state === 'open') this.incoming.receive(line);
    else this.log.debug({ state: this.state }, 'message ignored: the connection is closing');
  }

  private onResponse(message: ResponseMessage): void {
    if (message.id === null) {
      const error = isErrorResponse(message) ? message.error : undefined;
      this.log.warn({ error }, 'the peer reported an error for a line it could not attribute');
      return;
    }
    const settled = isErrorResponse(message)
      ? this.pending.reject(message.id, ResponseError.fromObject(message.error))
      : this.pending.resolve(message.id, message.result);
    if (!settled) this.log.debug({ id: message.id }, 'response ignored: no such request is pending (it timed out or was never sent)');
  }

  private pendingError(id: number, method: string, cause?: Error): ConnectionError {
    const message = `Request "${method}" (id ${id}) on ${this.label} got no response: the connection ${this.describeClose()}.`;
    return new ConnectionError(this.pendingErrorCode, message, cause === undefined ? undefined : { cause });
  }

  private closedError(action: string): ConnectionError {
    return new ConnectionError(this.pendingErrorCode, `Cannot ${action} on ${this.label}: the connection ${this.describeClose()}. Open a new connection.`);
  }

  private describeClose(): string {
    if (this.pendingErrorCode === ErrorCodes.Disposed) return 'was disposed';
    if (this.state === 'closing') return 'is closing';
    return `closed (${this.info?.reason ?? 'local'})`;
  }

  private readonly onOwnedStreamError = (error: Error): void => {
    this.log.debug({ err: error }, 'stream error');
  };
}
