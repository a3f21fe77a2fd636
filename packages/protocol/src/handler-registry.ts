import type { Disposable } from '@repovisor/kit';
import { toDisposable } from '@repovisor/kit';
import { ErrorCodes } from './error-codes.js';
import type { ResponseErrorObject } from './errors.js';
import { ResponseError } from './errors.js';
import { formatIssues, issuesData } from './messages.js';
import type { NotificationSpec, RequestSpec } from './methods.js';
import type { Result } from '@repovisor/kit';

/** What answering one request produced: a result to send, or the error to send instead. */
export type RequestOutcome = Result<{ result: unknown }, { error: ResponseErrorObject }>;

/** What delivering one notification did; failures are for the log, as notifications get no reply. */
export type NotificationOutcome = Result<
  { delivered: number },
  { reason: 'no_handler' } | { reason: 'invalid_params'; message: string } | { reason: 'handler_failed'; error: unknown }
>;

type RequestEntry = (params: unknown) => Promise<RequestOutcome>;
type NotificationEntry = (params: unknown) => NotificationOutcome;

/**
 * The request handlers of a connection, one per method. Validates params
 * against the spec and turns whatever the handler does into an outcome.
 */
export class RequestHandlers {
  private readonly entries = new Map<string, RequestEntry>();

  /** Registers the handler of `spec.method`; a second handler for the same method is a mistake and throws. */
  register<P, R>(spec: RequestSpec<P, R>, handler: (params: P) => R | Promise<R>): Disposable {
    if (this.entries.has(spec.method)) {
      throw new Error(`A handler for "${spec.method}" is already registered; dispose it before registering another.`);
    }
    const entry: RequestEntry = async (raw) => {
      const params = spec.params.safeParse(raw);
      if (!params.success) {
        const message = `Invalid params for "${spec.method}": ${formatIssues(params.error)}`;
        return { ok: false, error: { code: ErrorCodes.InvalidParams, message, data: issuesData(params.error) } };
      }
      try {
        return { ok: true, result: await handler(params.data) };
      } catch (error) {
        return { ok: false, error: toErrorObject(error) };
      }
    };
    this.entries.set(spec.method, entry);
    return toDisposable(() => {
      if (this.entries.get(spec.method) === entry) this.entries.delete(spec.method);
    });
  }

  /** Runs the handler of `method` on `params`; never rejects. */
  async dispatch(method: string, params: unknown): Promise<RequestOutcome> {
    const entry = this.entries.get(method);
    if (entry === undefined) {
      return { ok: false, error: { code: ErrorCodes.MethodNotFound, message: `Unknown method "${method}": no handler is registered for it.` } };
    }
    return entry(params);
  }
}

/** The notification handlers of a connection; several may listen to one method. */
export class NotificationHandlers {
  private readonly entries = new Map<string, Set<NotificationEntry>>();

  constructor(private readonly onAsyncFailure: (method: string, error: unknown) => void) {}

  /** Registers a handler for `spec.method` until the returned disposer is called. */
  register<P>(spec: NotificationSpec<P>, handler: (params: P) => void): Disposable {
    const entry: NotificationEntry = (raw) => {
      const params = spec.params.safeParse(raw);
      if (!params.success) return { ok: false, reason: 'invalid_params', message: formatIssues(params.error) };
      try {
        const returned: unknown = handler(params.data);
        // A handler declared void may still be async; its rejection must not go unhandled.
        if (returned instanceof Promise) returned.catch((error: unknown) => this.onAsyncFailure(spec.method, error));
        return { ok: true, delivered: 1 };
      } catch (error) {
        return { ok: false, reason: 'handler_failed', error };
      }
    };
    let set = this.entries.get(spec.method);
    if (set === undefined) {
      set = new Set();
      this.entries.set(spec.method, set);
    }
    set.add(entry);
    return toDisposable(() => {
      const current = this.entries.get(spec.method);
      current?.delete(entry);
      if (current?.size === 0) this.entries.delete(spec.method);
    });
  }

  /** Delivers a notification to every handler of `method`; one outcome per handler. */
  dispatch(method: string, params: unknown): NotificationOutcome[] {
    const set = this.entries.get(method);
    if (set === undefined) return [{ ok: false, reason: 'no_handler' }];
    return [...set].map((entry) => entry(params));
  }
}

/** The wire error for anything a request handler threw. */
export function toErrorObject(error: unknown): ResponseErrorObject {
  if (error instanceof ResponseError) return error.toJSON();
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCodes.InternalError, message: message === '' ? 'The handler failed without a message.' : message };
}
