import { describe, expect, it } from '@jest/globals';
import { linkOf, runningSinceOf, transition, workerOf } from '../src/manager/repo-lifecycle.js';
import type { Lifecycle, WorkerProcess } from '../src/manager/repo-lifecycle.js';
import { REPO_STATES } from '../src/manager/repo-state.js';

// The lifecycle's one transition check, on plain state values: which moves exist, and that
// leaving a state cancels its timer.

const worker: WorkerProcess = { pid: 1, exited: new Promise(() => undefined), launchedAt: 0, generation: 1, adopted: false };
const stopping: Lifecycle = { state: 'stopping', worker, link: null, since: 5, done: Promise.resolve() };

describe('the repo lifecycle', () => {
  it('refuses a transition it does not have, and allows the ones it does', () => {
    expect(() => transition(stopping, 'running')).toThrow('A managed repo cannot go from stopping to running: a bug in its lifecycle');
    expect(() => transition({ state: 'stopped' }, 'running')).toThrow(/from stopped to running/);
    expect(() => transition(stopping, 'stopped')).not.toThrow();
    expect(() => transition({ state: 'failed' }, 'starting')).not.toThrow();
  });

  it('lets a stopped repo go only to starting, or to backoff or failed when its launch fails', () => {
    const allowed = REPO_STATES.filter((to) => {
      try {
        transition({ state: 'stopped' }, to);
        return true;
      } catch {
        return false;
      }
    });
    expect(allowed).toEqual(['starting', 'backoff', 'failed']);
  });

  it('cancels the timer of the state it leaves', async () => {
    let fired = 0;
    const timer = setTimeout(() => (fired += 1), 1);
    transition({ state: 'backoff', timer }, 'stopped');
    // Timers fire in order of due time: one due later than the cancelled one has fired after it would have.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toBe(0);
  });

  it('tells the worker, hello and running time each state carries', () => {
    expect(workerOf(stopping)).toBe(worker);
    expect(workerOf({ ...stopping, worker: null })).toBeUndefined();
    expect(workerOf({ state: 'failed' })).toBeUndefined();
    expect(linkOf(stopping)).toBeNull();
    expect(runningSinceOf(stopping)).toBe(5);
    expect(runningSinceOf({ state: 'stopped' })).toBeNull();
  });
});
