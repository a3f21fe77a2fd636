import { describe, expect, it } from '@jest/globals';
import { ResponseError } from '../src/errors.js';
import { NotificationHandlers, RequestHandlers, toErrorObject } from '../src/handler-registry.js';
import { Echo, Ping } from './specs.js';

describe('RequestHandlers', () => {
  it('runs the handler on valid params and returns its result', async () => {
    const handlers = new RequestHandlers();
    handlers.register(Echo, ({ n }) => ({ n: n * 2 }));
    await expect(handlers.dispatch('test.echo', { n: 2 })).resolves.toEqual({ ok: true, result: { n: 4 } });
  });

  it('answers invalid_params with the issues, as text and as data, without calling the handler', async () => {
    const handlers = new RequestHandlers();
    let calls = 0;
    handlers.register(Echo, ({ n }) => {
      calls++;
      return { n };
    });
    const outcome = await handlers.dispatch('test.echo', { n: 'two', text: 3 });
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'invalid_params',
        message: expect.stringMatching(/^Invalid params for "test\.echo": n: .+; text: .+$/) as unknown,
        data: { issues: [expect.objectContaining({ path: 'n' }), expect.objectContaining({ path: 'text' })] },
      },
    });
    expect(calls).toBe(0);
  });

  it('says which method has no handler', async () => {
    await expect(new RequestHandlers().dispatch('nope', {})).resolves.toEqual({
      ok: false,
      error: { code: 'method_not_found', message: 'Unknown method "nope": no handler is registered for it.' },
    });
  });

  it('turns a thrown ResponseError, Error or other value into its wire error', async () => {
    const handlers = new RequestHandlers();
    handlers.register(Echo, ({ n }) => {
      if (n === 0) throw new ResponseError('not_running', 'Not running', { since: 2 });
      if (n === 1) throw new Error('boom');
      const notAnError: unknown = 'a string';
      throw notAnError;
    });
    await expect(handlers.dispatch('test.echo', { n: 0 })).resolves.toEqual({ ok: false, error: { code: 'not_running', message: 'Not running', data: { since: 2 } } });
    await expect(handlers.dispatch('test.echo', { n: 1 })).resolves.toEqual({ ok: false, error: { code: 'internal_error', message: 'boom' } });
    await expect(handlers.dispatch('test.echo', { n: 2 })).resolves.toEqual({ ok: false, error: { code: 'internal_error', message: 'a string' } });
  });

  it('refuses a second handler for a method, naming it, until the first is disposed', async () => {
    const handlers = new RequestHandlers();
    const first = handlers.register(Echo, () => ({ n: 1 }));
    expect(() => handlers.register(Echo, () => ({ n: 2 }))).toThrow('A handler for "test.echo" is already registered; dispose it before registering another.');
    first.dispose();
    handlers.register(Echo, () => ({ n: 3 }));
    first.dispose();
    await expect(handlers.dispatch('test.echo', { n: 0 })).resolves.toEqual({ ok: true, result: { n: 3 } });
  });
});

describe('toErrorObject', () => {
  it('gives a message to an error without one', () => {
    expect(toErrorObject(new Error(''))).toEqual({ code: 'internal_error', message: 'The handler failed without a message.' });
    expect(toErrorObject('')).toEqual({ code: 'internal_error', message: 'The handler failed without a message.' });
    expect(toErrorObject(new ResponseError('duplicate', 'Taken'))).toEqual({ code: 'duplicate', message: 'Taken' });
  });
});

describe('NotificationHandlers', () => {
  const noAsyncFailure = (): void => {
    throw new Error('no handler should reject here');
  };

  it('delivers to every handler of the method, one outcome each', () => {
    const handlers = new NotificationHandlers(noAsyncFailure);
    const seen: string[] = [];
    handlers.register(Ping, ({ seq }) => seen.push(`a${seq}`));
    handlers.register(Ping, ({ seq }) => seen.push(`b${seq}`));
    expect(handlers.dispatch('test.ping', { seq: 1 })).toEqual([
      { ok: true, delivered: 1 },
      { ok: true, delivered: 1 },
    ]);
    expect(seen).toEqual(['a1', 'b1']);
  });

  it('reports no_handler, invalid params and a handler that threw', () => {
    const handlers = new NotificationHandlers(noAsyncFailure);
    expect(handlers.dispatch('test.ping', { seq: 1 })).toEqual([{ ok: false, reason: 'no_handler' }]);
    const failure = new Error('handler bug');
    handlers.register(Ping, () => {
      throw failure;
    });
    expect(handlers.dispatch('test.ping', { seq: 'x' })).toEqual([{ ok: false, reason: 'invalid_params', message: expect.stringMatching(/^seq: /) as unknown }]);
    expect(handlers.dispatch('test.ping', { seq: 1 })).toEqual([{ ok: false, reason: 'handler_failed', error: failure }]);
  });

  it('hands the rejection of an async handler to onAsyncFailure with the method', async () => {
    const failures: [string, unknown][] = [];
    const handlers = new NotificationHandlers((method, error) => failures.push([method, error]));
    const failure = new Error('async bug');
    // Typed void, as a handler is, yet returning a promise at run time, as an async one does.
    const rejecting = (): undefined => {
      const promise: unknown = Promise.reject(failure);
      return promise as undefined;
    };
    handlers.register(Ping, rejecting);
    expect(handlers.dispatch('test.ping', { seq: 1 })).toEqual([{ ok: true, delivered: 1 }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toEqual([['test.ping', failure]]);
  });

  it('forgets a disposed handler, and the method once its last handler is gone', () => {
    const handlers = new NotificationHandlers(noAsyncFailure);
    const seen: number[] = [];
    const first = handlers.register(Ping, ({ seq }) => seen.push(seq));
    const second = handlers.register(Ping, ({ seq }) => seen.push(seq * 10));
    first.dispose();
    expect(handlers.dispatch('test.ping', { seq: 1 })).toEqual([{ ok: true, delivered: 1 }]);
    second.dispose();
    expect(handlers.dispatch('test.ping', { seq: 2 })).toEqual([{ ok: false, reason: 'no_handler' }]);
    handlers.register(Ping, ({ seq }) => seen.push(seq * 100));
    first.dispose();
    expect(handlers.dispatch('test.ping', { seq: 3 })).toEqual([{ ok: true, delivered: 1 }]);
    expect(seen).toEqual([10, 300]);
  });
});
