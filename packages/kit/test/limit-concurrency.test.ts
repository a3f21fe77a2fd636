import { describe, expect, it } from '@jest/globals';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { limitConcurrency } from '../src/limit-concurrency.js';

describe('limitConcurrency', () => {
  it('runs at most max tasks at once, starts the others in order as slots free, and passes results and errors through', async () => {
    const limit = limitConcurrency(3);
    let active = 0;
    let most = 0;
    const started: number[] = [];
    const task = (index: number) => async () => {
      started.push(index);
      active += 1;
      most = Math.max(most, active);
      await nextTurn();
      active -= 1;
      if (index % 5 === 4) throw new Error(`task ${index} failed`);
      return index * 2;
    };
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, index) => limit(task(index))));
    expect(most).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, index) => index));
    outcomes.forEach((outcome, index) => {
      if (index % 5 === 4) expect(outcome).toEqual({ status: 'rejected', reason: new Error(`task ${index} failed`) });
      else expect(outcome).toEqual({ status: 'fulfilled', value: index * 2 });
    });
    // A failed task gave its slot back: the limit still runs tasks.
    expect(await limit(() => Promise.resolve('after'))).toBe('after');
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => limitConcurrency(0)).toThrow(RangeError);
    expect(() => limitConcurrency(1.5)).toThrow(RangeError);
  });
});
