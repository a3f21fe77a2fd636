import { describe, expect, it } from '@jest/globals';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { SerialQueue } from '../src/serial-queue.js';

describe('SerialQueue', () => {
  it('runs steps one at a time, in the order they were queued', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const step = (name: string) => async (): Promise<string> => {
      running += 1;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await nextTurn();
      log.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all([queue.run(step('a')), queue.run(step('b')), queue.run(() => 'c')]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('fails only the caller of a failing step; the steps after it still run', async () => {
    const queue = new SerialQueue();
    const failed = queue.run(() => Promise.reject(new Error('disk full')));
    const after = queue.run(() => 'written');
    await expect(failed).rejects.toThrow('disk full');
    await expect(after).resolves.toBe('written');
  });

  it('idle() resolves, without rejecting, once every step queued so far has finished', async () => {
    const queue = new SerialQueue();
    const done: string[] = [];
    void queue.run(async () => {
      await nextTurn();
      done.push('first');
    });
    queue.run(() => Promise.reject(new Error('ignored here'))).catch(() => undefined);
    await queue.idle();
    expect(done).toEqual(['first']);
  });
});
