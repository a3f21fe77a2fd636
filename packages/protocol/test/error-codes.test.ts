import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ConnectionError, ErrorCodes, ResponseError, hasErrorCode } from '../src/index.js';

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
