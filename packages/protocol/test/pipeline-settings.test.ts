import { describe, expect, it } from '@jest/globals';
import { PIPELINE_DEFAULTS, PipelineSettings } from '../src/index.js';

const complete = { ...PIPELINE_DEFAULTS, enabled: true, agent: { command: ['node', 'agent.mjs'] }, stages: {} };

describe('PipelineSettings', () => {
  it('accepts the defaults with a command agent, and a stage override with Claude Code', () => {
    expect(PipelineSettings.safeParse(complete).success).toBe(true);
    const overridden = { ...complete, stages: { review: { agent: { kind: 'claude', model: 'opus', permission_mode: 'plan' }, max_workers: 2 } } };
    expect(PipelineSettings.parse(overridden).stages.review?.agent).toEqual({ kind: 'claude', model: 'opus', permission_mode: 'plan' });
  });

  it('refuses an empty command, an unknown agent kind, a zero cap and a duration over a day', () => {
    for (const broken of [
      { ...complete, agent: { command: [] } },
      { ...complete, agent: { kind: 'gpt' } },
      { ...complete, max_issue_attempts: 0 },
      { ...complete, agent_timeout_ms: 86_400_001 },
      { ...complete, source: 'gitlab' },
    ]) {
      expect(PipelineSettings.safeParse(broken).success).toBe(false);
    }
  });

  it('has HydraFlow’s attempt caps and poll interval as defaults, and no pipeline unless enabled', () => {
    expect(PIPELINE_DEFAULTS).toMatchObject({ enabled: false, max_issue_attempts: 3, max_review_fix_attempts: 2, max_plan_attempts: 3, poll_interval_ms: 30_000, max_workers: 1 });
  });
});
