import { describe, expect, it } from '@jest/globals';
import { EventParams, HelloParams, SupervisorRequests, classifyMessage } from '../src/index.js';

describe('classifyMessage', () => {
  it.each([
    [{ id: 0, method: 'health' }, 'request'],
    [{ id: 3, method: 'hello', params: { a: 1 }, jsonrpc: '2.0' }, 'request'],
    [{ id: 3, result: null }, 'response'],
    [{ id: 3, error: { code: 'timeout', message: 'slow' } }, 'response'],
    [{ id: null, error: { code: 'parse_error', message: 'bad' } }, 'response'],
    [{ method: 'event', params: {} }, 'notification'],
    [{ method: 'event' }, 'notification'],
  ])('recognizes %j as a %s', (value, kind) => {
    expect(classifyMessage(value).kind).toBe(kind);
  });

  it.each([
    [{ id: 1 }],
    [{ id: 1, result: 1, error: { code: 'x', message: 'y' } }],
    [{ id: 1.5, method: 'x' }],
    [{ id: -1, method: 'x' }],
    [{ id: '1', method: 'x' }],
    [{ id: null, result: 1 }],
    [{ id: 1, error: { code: 1, message: 'y' } }],
    [{ method: '' }],
    [{ action: 'ping' }],
    [[1]],
    ['text'],
    [null],
  ])('treats %j as no protocol message', (value) => {
    expect(classifyMessage(value)).toEqual({ kind: 'unknown', value });
  });
});

describe('method schemas', () => {
  it('rejects a hello with an empty token or an out-of-range port', () => {
    const good = { slug: 'a/b', pid: 1, protocolVersion: 1, token: 't', httpPort: 8080, running: false, sessionId: null };
    expect(HelloParams.safeParse(good).success).toBe(true);
    expect(HelloParams.safeParse({ ...good, httpPort: null }).success).toBe(true);
    expect(HelloParams.safeParse({ ...good, token: '' }).success).toBe(false);
    expect(HelloParams.safeParse({ ...good, httpPort: 0 }).success).toBe(false);
  });

  it('treats omitted params of a method without params as {}', () => {
    expect(SupervisorRequests.health.params.safeParse(undefined)).toEqual({ success: true, data: {} });
    expect(SupervisorRequests.shutdown.params.safeParse(undefined)).toEqual({ success: true, data: {} });
  });

  it('requires an ISO timestamp on events', () => {
    const event = { slug: 'a/b', event: { type: 'started', at: new Date().toISOString(), data: {} } };
    expect(EventParams.safeParse(event).success).toBe(true);
    expect(EventParams.safeParse({ ...event, event: { ...event.event, at: 'yesterday' } }).success).toBe(false);
  });
});
