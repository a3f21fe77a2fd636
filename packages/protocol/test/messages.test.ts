import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { classifyMessage, formatIssues, isErrorResponse, issuesData } from '../src/messages.js';
import { EventParams, HelloParams, SupervisorRequests } from '../src/methods.js';

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

describe('classifyMessage results', () => {
  it('returns the parsed message, stripped of unknown members', () => {
    expect(classifyMessage({ id: 3, method: 'hello', params: { a: 1 }, jsonrpc: '2.0' })).toEqual({ kind: 'request', message: { id: 3, method: 'hello', params: { a: 1 } } });
    expect(classifyMessage({ id: 4, result: [1] })).toEqual({ kind: 'response', message: { id: 4, result: [1] } });
    expect(classifyMessage({ id: 5, error: { code: 'x', message: 'y', data: 1 } })).toEqual({ kind: 'response', message: { id: 5, error: { code: 'x', message: 'y', data: 1 } } });
    expect(classifyMessage({ method: 'event', params: 2, extra: true })).toEqual({ kind: 'notification', message: { method: 'event', params: 2 } });
  });

  it('treats a request without a usable method, or an error without a code, as no protocol message', () => {
    expect(classifyMessage({ id: 1, method: '' })).toEqual({ kind: 'unknown', value: { id: 1, method: '' } });
    expect(classifyMessage({ id: 1, method: 5 })).toEqual({ kind: 'unknown', value: { id: 1, method: 5 } });
    expect(classifyMessage({ id: 1, error: { code: '', message: 'y' } })).toEqual({ kind: 'unknown', value: { id: 1, error: { code: '', message: 'y' } } });
  });

  it('tells an error response from a success', () => {
    expect(isErrorResponse({ id: 1, error: { code: 'x', message: 'y' } })).toBe(true);
    expect(isErrorResponse({ id: 1, result: null })).toBe(false);
  });
});

describe('formatIssues and issuesData', () => {
  const Shape = z.object({ a: z.object({ b: z.number() }), list: z.array(z.string()) });

  it('writes one path: message per issue, joined by "; ", and (root) for the top level', () => {
    const nested = Shape.safeParse({ a: { b: 'x' }, list: ['ok', 2] });
    expect(nested.success).toBe(false);
    const text = nested.success ? '' : formatIssues(nested.error);
    expect(text).toMatch(/^a\.b: [^;]+; list\.1: [^;]+$/);
    const root = z.number().safeParse('x');
    expect(root.success ? '' : formatIssues(root.error)).toMatch(/^\(root\): \S/);
  });

  it('gives each issue as {path, message}, the path dotted and empty at the top level', () => {
    const nested = Shape.safeParse({ a: { b: 'x' }, list: [] });
    expect(nested.success ? undefined : issuesData(nested.error)).toEqual({ issues: [{ path: 'a.b', message: expect.any(String) as unknown }] });
    const root = z.number().safeParse('x');
    expect(root.success ? undefined : issuesData(root.error)).toEqual({ issues: [{ path: '', message: expect.any(String) as unknown }] });
  });
});
