import { describe, expect, it } from '@jest/globals';
import { PIPELINE_DEFAULTS } from '@repovisor/protocol';
import type { PipelineSettings } from '@repovisor/protocol';
import { LikeErrors } from '../src/pipeline/engine/like-errors.js';
import { StageLanes } from '../src/pipeline/engine/stage-lanes.js';

const settings = (overrides: Partial<PipelineSettings>): PipelineSettings => ({
  ...PIPELINE_DEFAULTS,
  enabled: true,
  agent: { command: ['agent'] },
  stages: {},
  ...overrides,
});

describe('StageLanes', () => {
  it("gives each stage max_workers places, a stage's own over the pipeline's, and merges one", () => {
    const lanes = new StageLanes(settings({ max_workers: 2, stages: { review: { max_workers: 3 } } }));
    expect([1, 2, 3].map((id) => lanes.claim('implement', id))).toEqual([true, true, false]);
    expect([4, 5, 6, 7].map((id) => lanes.claim('review', id))).toEqual([true, true, true, false]);
    expect([8, 9].map((id) => lanes.claim('merge', id))).toEqual([true, false]);
    lanes.release('implement', 1);
    expect(lanes.claim('implement', 3)).toBe(true);
  });

  it('never lets one task hold two places', () => {
    const lanes = new StageLanes(settings({ max_workers: 5 }));
    expect(lanes.claim('triage', 1)).toBe(true);
    expect(lanes.claim('plan', 1)).toBe(false);
    expect(lanes.claim('triage', 1)).toBe(false);
    lanes.release('triage', 1);
    expect(lanes.claim('plan', 1)).toBe(true);
  });
});

describe('LikeErrors', () => {
  it('alerts once at the fifth error of one kind in a row, per lane', () => {
    const errors = new LikeErrors();
    const alerts = Array.from({ length: 7 }, () => errors.failed('implement', 'push').alert);
    expect(alerts).toEqual([false, false, false, false, true, false, false]);
    expect(errors.failed('review', 'push')).toEqual({ count: 1, alert: false });
  });

  it('starts counting again when the kind changes or the lane works', () => {
    const errors = new LikeErrors();
    for (let i = 0; i < 4; i += 1) errors.failed('merge', 'git');
    expect(errors.failed('merge', 'workspace')).toEqual({ count: 1, alert: false });
    for (let i = 0; i < 3; i += 1) errors.failed('merge', 'workspace');
    errors.succeeded('merge');
    expect(errors.failed('merge', 'workspace')).toEqual({ count: 1, alert: false });
  });
});
