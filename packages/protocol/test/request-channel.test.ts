import { afterEach, describe, expect, it } from '@jest/globals';
import type { Disposable } from '@repovisor/kit';
import type { SettledRequest } from '../src/index.js';
import { ResponseError, onSettledRequest } from '../src/index.js';
import type { ConnectionPair } from './helpers.js';
import { Echo, Slow, connectionPair, until } from './helpers.js';

let pair: ConnectionPair | undefined;
let subscription: Disposable | undefined;

afterEach(() => {
  subscription?.dispose();
  subscription = undefined;
  pair?.dispose();
  pair = undefined;
});

function record(): SettledRequest[] {
  const seen: SettledRequest[] = [];
  subscription = onSettledRequest((request) => seen.push(request));
  return seen;
}

const sent = (seen: SettledRequest[]) => seen.filter((request) => request.direction === 'sent');
const received = (seen: SettledRequest[]) => seen.filter((request) => request.direction === 'received');

describe('the settled-request channel', () => {
  it('tells each request once it settles, on the side that sent it and on the side that answered it', async () => {
    pair = connectionPair();
    const { client, server } = pair;
    server.handle(Echo, ({ n }) => {
      if (n < 0) throw new ResponseError('invalid_params', 'n must not be negative');
      return { n };
    });
    const seen = record();
    await client.request(Echo, { n: 1 });
    await expect(client.request(Echo, { n: -1 })).rejects.toMatchObject({ code: 'invalid_params' });
    expect(sent(seen)).toEqual([
      { method: Echo.method, direction: 'sent', outcome: 'ok' },
      { method: Echo.method, direction: 'sent', outcome: 'failed' },
    ]);
    expect(received(seen)).toEqual([
      { method: Echo.method, direction: 'received', outcome: 'ok' },
      { method: Echo.method, direction: 'received', outcome: 'failed' },
    ]);
  });

  it('tells a request without a handler and a timed-out one as failed, and nothing once unsubscribed', async () => {
    pair = connectionPair();
    const { client, server } = pair;
    const seen = record();
    await expect(client.request(Slow, { ms: 0 })).rejects.toMatchObject({ code: 'method_not_found' });
    expect(seen).toEqual([
      { method: Slow.method, direction: 'received', outcome: 'failed' },
      { method: Slow.method, direction: 'sent', outcome: 'failed' },
    ]);
    server.handle(Slow, async ({ ms }) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { done: true as const };
    });
    await expect(client.request(Slow, { ms: 200 }, { timeoutMs: 10 })).rejects.toMatchObject({ code: 'timeout' });
    expect(sent(seen)).toHaveLength(2);
    expect(sent(seen)[1]).toEqual({ method: Slow.method, direction: 'sent', outcome: 'failed' });
    // The slow handler still answers (late): the side that answered tells it then.
    await until(() => received(seen).length === 2);
    expect(received(seen)[1]).toEqual({ method: Slow.method, direction: 'received', outcome: 'ok' });

    subscription?.dispose();
    subscription?.dispose();
    await client.request(Echo, { n: 1 }).catch(() => undefined);
    expect(seen).toHaveLength(4);
  });
});
