import { describe, expect, it } from '@jest/globals';
// Internal: the orchestrator's wait between ticks.
import { abortableSleep } from '../src/orchestrator/abortable-sleep.js';

describe('abortableSleep', () => {
  it('resolves true once the time is up', async () => {
    await expect(abortableSleep(5, new AbortController().signal)).resolves.toBe(true);
  });

  it('resolves false when aborted while waiting', async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(3_600_000, controller.signal);
    controller.abort();
    await expect(sleeping).resolves.toBe(false);
  });

  it('resolves false at once for a signal aborted before', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(abortableSleep(3_600_000, controller.signal)).resolves.toBe(false);
  });
});
