import type { ConnectionLog } from './connection-log.js';
import type { Disposable } from '@repovisor/kit';
import { ListenerSet } from '@repovisor/kit';
import { ErrorCodes } from './error-codes.js';
import { NotificationHandlers, RequestHandlers, toErrorObject } from './handler-registry.js';
import type { LineResult } from './line-reader.js';
import type { LineWriteResult } from './line-writer.js';
import type { NotificationMessage, RequestMessage, ResponseMessage } from './messages.js';
import { classifyMessage } from './messages.js';
import { publishReceived } from './request-channel.js';

/** What {@link IncomingMessages} needs from its connection. */
export interface IncomingContext {
  log: ConnectionLog;
  /** Writes one line to the peer. */
  write(value: unknown): LineWriteResult;
  /** False once the connection is closed and answers can no longer go out. */
  canAnswer(): boolean;
  /** Settles the pending request a response belongs to. */
  onResponse(message: ResponseMessage): void;
}

const INVALID_REQUEST_MESSAGE =
  'Invalid request: expected a request {id, method, params?}, a response {id, result} or {id, error}, or a notification {method, params?}.';

/**
 * The receiving side of a connection: classifies each line, runs request
 * handlers and writes their answers, delivers notifications, and answers bad
 * input with `parse_error` or `invalid_request`. Tracks answers in flight.
 */
export class IncomingMessages {
  /** Request handlers, one per method. */
  readonly requests = new RequestHandlers();
  /** Notification handlers. */
  readonly notifications: NotificationHandlers;
  /** Listeners for the parse errors of lines that are not JSON. */
  readonly parseErrors: ListenerSet<Error>;
  private readonly unknown: ListenerSet<unknown>;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly context: IncomingContext) {
    const { log } = context;
    this.notifications = new NotificationHandlers((method, error) => log.warn({ method, err: error }, 'a notification handler rejected'));
    // Its listeners never throw: onUnknown wraps each handler.
    this.unknown = new ListenerSet<unknown>();
    this.parseErrors = new ListenerSet<Error>((error) => log.warn({ err: error }, 'a parse-error listener threw; carrying on'));
  }

  /** Registers a listener for valid JSON of no protocol shape; a promise it returns is tracked as an answer in flight. */
  onUnknown(handler: (value: unknown) => void | Promise<void>): Disposable {
    return this.unknown.add((value) =>
      this.track(async () => {
        try {
          await handler(value);
        } catch (error) {
          this.context.log.warn({ err: error }, 'an unknown-message listener failed; carrying on');
        }
      }),
    );
  }

  /** Resolves once every request (or unknown message) received so far has been answered (or given up on). */
  async answered(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  /** Handles one line from the peer; never throws. */
  receive(line: LineResult): void {
    try {
      this.dispatch(line);
    } catch (error) {
      // Only a bug gets here; the peer's input must not take the process down.
      this.context.log.warn({ err: error }, 'failed to handle a message');
    }
  }

  private dispatch(line: LineResult): void {
    if (!line.ok) {
      this.context.log.debug({ err: line.error }, 'the peer sent a line that is not JSON');
      if (this.parseErrors.size > 0) this.parseErrors.emit(line.error);
      else this.send({ id: null, error: { code: ErrorCodes.ParseError, message: `Parse error: the line is not valid JSON (${line.error.message}).` } });
      return;
    }
    const classified = classifyMessage(line.value);
    switch (classified.kind) {
      case 'request':
        return this.onRequest(classified.message);
      case 'response':
        return this.context.onResponse(classified.message);
      case 'notification':
        return this.onNotification(classified.message);
      case 'unknown':
        return this.receiveUnknown(classified.value);
      default:
        classified satisfies never;
    }
  }

  private onRequest({ id, method, params }: RequestMessage): void {
    // Tracked before the handler runs, so a handler that calls closeAfterFlush still gets its answer out.
    this.track(() =>
      this.requests
        .dispatch(method, params)
        .catch((error: unknown) => ({ ok: false as const, error: toErrorObject(error) }))
        .then((outcome) => {
          publishReceived(method, outcome.ok);
          this.answer(id, method, outcome.ok ? { id, result: outcome.result ?? null } : { id, error: outcome.error });
        })
        .catch((error: unknown) => this.context.log.warn({ id, method, err: error }, 'failed to send an answer')),
    );
  }

  /** Runs `work` (which never rejects) counted as in flight from before it starts until it settles. */
  private track(work: () => Promise<void>): void {
    let done!: () => void;
    const task = new Promise<void>((resolve) => (done = resolve));
    this.inflight.add(task);
    void work().finally(() => {
      this.inflight.delete(task);
      done();
    });
  }

  private answer(id: number, method: string, response: object): void {
    const { log } = this.context;
    if (!this.context.canAnswer()) {
      log.debug({ id, method }, 'answer not sent: the connection closed while the handler ran');
      return;
    }
    const written = this.context.write(response);
    if (written.ok) return;
    if (written.reason === 'unserializable') {
      log.warn({ id, method, err: written.error }, 'the handler result cannot be sent');
      this.send({ id, error: { code: ErrorCodes.InternalError, message: `The result of "${method}" is not serializable as JSON.` } });
    } else {
      log.debug({ id, method, err: written.error }, 'answer not sent');
    }
  }

  private onNotification({ method, params }: NotificationMessage): void {
    const { log } = this.context;
    for (const outcome of this.notifications.dispatch(method, params)) {
      if (outcome.ok) continue;
      if (outcome.reason === 'no_handler') log.debug({ method }, 'notification ignored: no handler');
      else if (outcome.reason === 'invalid_params') log.warn({ method, issues: outcome.message }, 'notification dropped: invalid params');
      else log.warn({ method, err: outcome.error }, 'a notification handler threw');
    }
  }

  private receiveUnknown(value: unknown): void {
    if (this.unknown.size > 0) this.unknown.emit(value);
    else this.send({ id: null, error: { code: ErrorCodes.InvalidRequest, message: INVALID_REQUEST_MESSAGE } });
  }

  private send(value: unknown): void {
    const written = this.context.write(value);
    if (!written.ok) this.context.log.debug({ err: written.error }, 'error answer not sent');
  }
}
