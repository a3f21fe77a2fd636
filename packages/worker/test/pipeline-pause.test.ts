import { describe, expect, it } from '@jest/globals';
import { PipelinePause } from '../src/pipeline/engine/pipeline-pause.js';

const quiet = { warn: () => undefined };

describe('PipelinePause', () => {
  it('tells the reason, ends by itself at its time and resumes', async () => {
    const told: (string | null)[] = [];
    let resumed = 0;
    const pause = new PipelinePause(quiet, (reason) => told.push(reason), () => (resumed += 1));
    const ended = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (resumed > 0) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    pause.until(new Date(Date.now() + 30), 'credits ran out');
    expect(pause.active).toBe(true);
    await ended;
    expect(pause.active).toBe(false);
    expect(told).toEqual([expect.stringMatching(/^pipeline paused until .+: credits ran out$/) as unknown, null]);
  });

  it('keeps a pause of months, past what one timer holds, and the later of two times', async () => {
    const told: (string | null)[] = [];
    const pause = new PipelinePause(quiet, (reason) => told.push(reason), () => undefined);
    const far = new Date(Date.UTC(2100, 0, 1));
    pause.until(far, 'usage limit');
    pause.until(new Date(Date.now() + 1000), 'sooner');
    // A timer set past its limit would have fired by now, at once; this one waits in steps.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pause.active).toBe(true);
    expect(told.at(-1)).toContain('2100-01-01T00:00:00.000Z');
    pause.end();
    expect(pause.active).toBe(false);
    expect(told.at(-1)).toBeNull();
  });
});
