import { describe, expect, it } from '@jest/globals';
import { RestartPolicy } from '../src/manager/restart-policy.js';

const settings = { initialDelayMs: 100, maxDelayMs: 1000, maxRestarts: 5, windowMs: 60_000, stableAfterMs: 10_000 };

describe('RestartPolicy', () => {
  it('doubles the delay after each short run, up to the maximum', () => {
    const policy = new RestartPolicy({ ...settings, maxRestarts: 100 });
    const delays = Array.from({ length: 6 }, (_, index) => policy.decide(index * 10, 5));
    expect(delays.map((decision) => (decision.action === 'restart' ? decision.delayMs : -1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('resets the backoff after a run longer than stableAfterMs', () => {
    const policy = new RestartPolicy({ ...settings, maxRestarts: 100 });
    policy.decide(0, 5);
    policy.decide(10, 5);
    expect(policy.decide(20, 10_000)).toMatchObject({ action: 'restart', delayMs: 100, attempt: 1 });
  });

  it('fails once the window already holds maxRestarts restarts, and forgets restarts older than the window', () => {
    const policy = new RestartPolicy({ ...settings, maxRestarts: 2, windowMs: 1000 });
    expect(policy.decide(0, 5).action).toBe('restart');
    expect(policy.decide(100, 5).action).toBe('restart');
    const third = policy.decide(200, 5);
    expect(third).toMatchObject({ action: 'fail' });
    expect(third.action === 'fail' && third.reason).toMatch(/crash loop: 2 restarts within 1000 ms/);
    expect(policy.decide(1500, 5).action).toBe('restart');
  });

  it('gives a fresh budget after reset', () => {
    const policy = new RestartPolicy({ ...settings, maxRestarts: 1 });
    policy.decide(0, 5);
    expect(policy.decide(1, 5).action).toBe('fail');
    policy.reset();
    expect(policy.decide(2, 5)).toMatchObject({ action: 'restart', delayMs: 100 });
  });

  it('fails at once with max_restarts 0', () => {
    expect(new RestartPolicy({ ...settings, maxRestarts: 0 }).decide(0, 5).action).toBe('fail');
  });
});

describe('RestartPolicy boundaries', () => {
  it('counts the attempts of a backoff and starts again at 1 after a stable run', () => {
    const policy = new RestartPolicy({ ...settings, maxRestarts: 100 });
    expect([policy.decide(0, 5), policy.decide(1, 5), policy.decide(2, 5)]).toEqual([
      { action: 'restart', delayMs: 100, attempt: 1 },
      { action: 'restart', delayMs: 200, attempt: 2 },
      { action: 'restart', delayMs: 400, attempt: 3 },
    ]);
    expect(policy.decide(3, 10_000)).toEqual({ action: 'restart', delayMs: 100, attempt: 1 });
  });

  it('keeps backing off after a run just short of stableAfterMs', () => {
    const policy = new RestartPolicy({ ...settings, maxRestarts: 100 });
    policy.decide(0, 5);
    expect(policy.decide(1, 9_999)).toEqual({ action: 'restart', delayMs: 200, attempt: 2 });
  });

  it('forgets a restart exactly windowMs old, and keeps one a millisecond younger', () => {
    const policy = new RestartPolicy({ ...settings, maxRestarts: 1, windowMs: 1000 });
    expect(policy.decide(0, 5).action).toBe('restart');
    expect(policy.decide(999, 5).action).toBe('fail');
    expect(policy.decide(1000, 5).action).toBe('restart');
  });

  it('names the restarts, the window and the limit in the crash-loop reason', () => {
    const policy = new RestartPolicy({ ...settings, maxRestarts: 2, windowMs: 5000 });
    policy.decide(0, 5);
    policy.decide(1, 5);
    expect(policy.decide(2, 5)).toEqual({ action: 'fail', reason: 'crash loop: 2 restarts within 5000 ms (max_restarts 2)' });
  });

  it('counts neither a failed decision as a restart nor as a step of the backoff', () => {
    const policy = new RestartPolicy({ ...settings, maxRestarts: 2, windowMs: 1000 });
    policy.decide(0, 5);
    policy.decide(100, 5);
    expect(policy.decide(200, 5).action).toBe('fail');
    expect(policy.decide(201, 5).action).toBe('fail');
    // Both restarts (at 0 and 100) are out of the window at 1100: a fresh budget, the backoff goes on.
    expect(policy.decide(1100, 5)).toEqual({ action: 'restart', delayMs: 400, attempt: 3 });
    expect(policy.decide(1101, 5)).toEqual({ action: 'restart', delayMs: 800, attempt: 4 });
    expect(policy.decide(1102, 5).action).toBe('fail');
  });
});
