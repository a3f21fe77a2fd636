import { describe, expect, it } from '@jest/globals';
// Internal: the orchestrator's retry decision for a failed loop.
import { LOOP_RETRY_MAX_MS, LoopRetryPolicy } from '../src/orchestrator/loop-retry-policy.js';

describe('LoopRetryPolicy', () => {
  it('waits one interval after the first failure, doubles with each failure in a row, up to the cap', () => {
    const policy = new LoopRetryPolicy(2000);
    const delays = Array.from({ length: 8 }, () => policy.failed(new Error('x')).retryInMs);
    expect(delays).toEqual([2000, 4000, 8000, 16_000, 32_000, LOOP_RETRY_MAX_MS, LOOP_RETRY_MAX_MS, LOOP_RETRY_MAX_MS]);
  });

  it('never waits less than the interval, even when the interval is longer than the cap', () => {
    const policy = new LoopRetryPolicy(LOOP_RETRY_MAX_MS * 2);
    expect(policy.failed(new Error('x')).retryInMs).toBe(LOOP_RETRY_MAX_MS * 2);
    expect(policy.failed(new Error('x')).retryInMs).toBe(LOOP_RETRY_MAX_MS * 2);
  });

  it('counts failures in a row and like errors in a row apart', () => {
    const policy = new LoopRetryPolicy(10);
    expect(policy.failed(new Error('a'))).toMatchObject({ message: 'a', consecutive: 1, sameInARow: 1 });
    expect(policy.failed(new Error('a'))).toMatchObject({ consecutive: 2, sameInARow: 2 });
    expect(policy.failed('b')).toMatchObject({ message: 'b', consecutive: 3, sameInARow: 1 });
    expect(policy.failed(new Error('b'))).toMatchObject({ consecutive: 4, sameInARow: 2 });
  });

  it('ends the streak on a good tick, and says how long it was', () => {
    const policy = new LoopRetryPolicy(10);
    expect(policy.succeeded()).toBe(0);
    policy.failed(new Error('a'));
    policy.failed(new Error('a'));
    expect(policy.succeeded()).toBe(2);
    expect(policy.succeeded()).toBe(0);
    expect(policy.failed(new Error('a'))).toMatchObject({ consecutive: 1, sameInARow: 1, retryInMs: 10 });
  });
});
