import { afterEach, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
// Internal: only seen through a worker's `health` answers.
import { ProcessHealth, SAMPLE_EVERY_MS } from '../src/process/process-health.js';

const healths: ProcessHealth[] = [];
afterEach(() => healths.splice(0).forEach((health) => health.dispose()));

/** How long the tests hold the loop, and the least delay that must then be seen: the stall less one sampling period and some clock slack. */
const STALL_MS = 2 * SAMPLE_EVERY_MS;
const AT_LEAST_MS = STALL_MS - SAMPLE_EVERY_MS - 10;
/** Long enough for the sampling timer to fire once more. */
const ONE_PERIOD_MS = SAMPLE_EVERY_MS + 50;

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Holds the event loop, as a hung handler would.
  }
}

describe('ProcessHealth', () => {
  it('reports a stalled event loop as at least the stall less one sampling period', async () => {
    const health = new ProcessHealth();
    healths.push(health);
    await sleep(ONE_PERIOD_MS);
    busyFor(STALL_MS);
    await sleep(ONE_PERIOD_MS); // the sampling timer fires, late
    expect(health.sample().eventLoopDelayMs).toBeGreaterThanOrEqual(AT_LEAST_MS);
  });

  it('counts a stall in progress at the time of the sample', () => {
    const health = new ProcessHealth();
    healths.push(health);
    busyFor(STALL_MS);
    // The timer due one period after construction has not had a chance to fire.
    expect(health.sample().eventLoopDelayMs).toBeGreaterThanOrEqual(AT_LEAST_MS);
  });

  it('forgets a stall once it has been reported', async () => {
    const health = new ProcessHealth();
    healths.push(health);
    busyFor(STALL_MS);
    // The sampling timer fires (late) and is due again one period on: the stall is recorded, none is in progress.
    await sleep(ONE_PERIOD_MS);
    expect(health.sample().eventLoopDelayMs).toBeGreaterThanOrEqual(AT_LEAST_MS);
    // Asked again at once: the stall was reported, and nothing has been late since.
    expect(health.sample().eventLoopDelayMs).toBe(0);
  });

  it('samples memory and uptime', () => {
    const health = new ProcessHealth();
    healths.push(health);
    const sample = health.sample();
    expect(sample.memory.rss).toBeGreaterThan(0);
    expect(sample.memory.heapUsed).toBeGreaterThan(0);
    expect(sample.uptimeSeconds).toBeGreaterThan(0);
  });
});
