import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ConnectionError } from '../src/errors.js';
import { PendingRequests } from '../src/pending-requests.js';

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe('PendingRequests', () => {
  it('resolves a request with its result once, and clears its timer', async () => {
    const pending = new PendingRequests('peer a');
    const answer = pending.add(1, 'health', 1000);
    expect(pending.size).toBe(1);
    expect(pending.resolve(1, { ok: true })).toBe(true);
    await expect(answer).resolves.toEqual({ ok: true });
    expect(pending.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    expect(pending.resolve(1, 'again')).toBe(false);
    expect(pending.reject(1, new Error('late'))).toBe(false);
  });

  it('rejects a request with the error given, and clears its timer', async () => {
    const pending = new PendingRequests('peer a');
    // Caught at once: a failing assertion must not leave the rejection unhandled.
    const answer = pending.add(2, 'shutdown', 1000).then(
      () => 'resolved',
      (reason: unknown) => reason,
    );
    const error = new Error('refused');
    expect(pending.reject(2, error)).toBe(true);
    expect(await answer).toBe(error);
    expect(pending.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('times a request out after exactly timeoutMs, forgets it, and says how to fix it', async () => {
    const pending = new PendingRequests('peer a');
    const answer = pending.add(3, 'runtime.start', 250);
    const outcome = answer.then(
      () => undefined,
      (error: unknown) => error,
    );
    jest.advanceTimersByTime(249);
    expect(pending.size).toBe(1);
    jest.advanceTimersByTime(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({
      code: 'timeout',
      message: 'Request "runtime.start" (id 3) on peer a got no response within 250 ms. The peer may be busy or hung; retry, or pass a larger timeoutMs.',
    });
    expect(pending.size).toBe(0);
    expect(pending.resolve(3, 'late')).toBe(false);
  });

  it('refuses an id that is already pending', () => {
    const pending = new PendingRequests('peer b');
    void pending.add(4, 'health', 1000).catch(() => undefined);
    expect(() => pending.add(4, 'health', 1000)).toThrow('Request id 4 is already pending on peer b; ids must be unique.');
    expect(pending.size).toBe(1);
    pending.rejectAll(() => new Error('cleanup'));
  });

  it('rejects every request with the error built for its id and method, clearing every timer', async () => {
    const pending = new PendingRequests('peer c');
    const first = pending.add(5, 'health', 1000).catch((error: unknown) => error);
    const second = pending.add(6, 'runtime.stop', 1000).catch((error: unknown) => error);
    pending.rejectAll((id, method) => new Error(`${id}:${method}`));
    expect(pending.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    expect(await first).toMatchObject({ message: '5:health' });
    expect(await second).toMatchObject({ message: '6:runtime.stop' });
    expect(pending.resolve(5, 'late')).toBe(false);
  });
});
