import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ErrorCodes } from '../src/error-codes.js';
import { ConnectionError, ResponseError, hasErrorCode } from '../src/errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('error codes', () => {
  it.each(Object.values(ErrorCodes))('documents %s in the README table', (code) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it('has no two names for the same code', () => {
    const values = Object.values(ErrorCodes);
    expect(new Set(values).size).toBe(values.length);
  });
});

describe('error classes', () => {
  it('serializes a ResponseError to the wire shape, with data only when given', () => {
    expect(new ResponseError(ErrorCodes.NotRunning, 'Not running').toJSON()).toEqual({ code: 'not_running', message: 'Not running' });
    expect(JSON.parse(JSON.stringify(new ResponseError('custom', 'm', { a: 1 })))).toEqual({ code: 'custom', message: 'm', data: { a: 1 } });
  });

  it('names both classes and keeps the cause of a ConnectionError', () => {
    const cause = new Error('socket hang up');
    const error = new ConnectionError(ErrorCodes.ConnectionClosed, 'closed', { cause });
    expect(error.name).toBe('ConnectionError');
    expect(error.cause).toBe(cause);
    expect(new ResponseError(ErrorCodes.Timeout, 't').name).toBe('ResponseError');
    expect(hasErrorCode(error, ErrorCodes.ConnectionClosed)).toBe(true);
    expect(hasErrorCode(new Error('x'), ErrorCodes.ConnectionClosed)).toBe(false);
  });
});

describe('ResponseError and hasErrorCode', () => {
  it('builds a ResponseError from the wire object, keeping its data', () => {
    const error = ResponseError.fromObject({ code: 'duplicate', message: 'Taken', data: { slug: 'a/b' } });
    expect(error).toBeInstanceOf(ResponseError);
    expect(error).toMatchObject({ code: 'duplicate', message: 'Taken', data: { slug: 'a/b' } });
    expect(ResponseError.fromObject({ code: 'x', message: 'y' }).toJSON()).toEqual({ code: 'x', message: 'y' });
    expect(Object.keys(new ResponseError('x', 'y').toJSON())).toEqual(['code', 'message']);
  });

  it('keeps the cause of a ResponseError', () => {
    const cause = new Error('below');
    expect(new ResponseError('x', 'y', undefined, { cause }).cause).toBe(cause);
  });

  it('matches the code of either class, and only that code', () => {
    expect(hasErrorCode(new ResponseError(ErrorCodes.UnexpectedWorker, 'm'), ErrorCodes.UnexpectedWorker)).toBe(true);
    expect(hasErrorCode(new ResponseError(ErrorCodes.UnexpectedWorker, 'm'), ErrorCodes.Timeout)).toBe(false);
    expect(hasErrorCode(new ConnectionError(ErrorCodes.Timeout, 'm'), ErrorCodes.Disposed)).toBe(false);
    expect(hasErrorCode({ code: ErrorCodes.Timeout }, ErrorCodes.Timeout)).toBe(false);
  });
});
