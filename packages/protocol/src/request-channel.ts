import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Disposable } from '@repovisor/kit';
import { toDisposable } from '@repovisor/kit';

/** A request that has settled, as published on {@link REQUEST_CHANNEL}. */
export interface SettledRequest {
  /** The request's method, as the peer or this side named it. */
  readonly method: string;
  /** `sent`: this side asked and got an answer, an error or a timeout; `received`: the peer asked and was answered. */
  readonly direction: 'sent' | 'received';
  /** `ok` for a result, `failed` for an error of any kind. */
  readonly outcome: 'ok' | 'failed';
}

/** The node:diagnostics_channel on which every {@link Connection} of the process publishes each request it settles. */
export const REQUEST_CHANNEL = 'repovisor:protocol:request';

// Held here, so that the channel (and its subscribers) lives as long as the publishers.
const requests = channel(REQUEST_CHANNEL);

/** Calls `listener` with every request a connection of this process settles, until the returned disposer is called. */
export function onSettledRequest(listener: (request: SettledRequest) => void): Disposable {
  const handler = (message: unknown) => listener(message as SettledRequest);
  subscribe(REQUEST_CHANNEL, handler);
  return toDisposable(() => unsubscribe(REQUEST_CHANNEL, handler));
}

/** Publishes the outcome of a sent request once `settled` settles; nothing is done while nobody listens. */
export function publishSent(method: string, settled: Promise<unknown>): void {
  if (!requests.hasSubscribers) return;
  settled.then(
    () => requests.publish({ method, direction: 'sent', outcome: 'ok' } satisfies SettledRequest),
    () => requests.publish({ method, direction: 'sent', outcome: 'failed' } satisfies SettledRequest),
  );
}

/** Publishes that a request from the peer was answered, with a result (`ok`) or an error. */
export function publishReceived(method: string, ok: boolean): void {
  if (requests.hasSubscribers) requests.publish({ method, direction: 'received', outcome: ok ? 'ok' : 'failed' } satisfies SettledRequest);
}
