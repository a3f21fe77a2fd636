import { describe, expect, it } from '@jest/globals';
import { hitlTable, taskReport, tasksTable } from '../src/cli/pipeline-tables.js';
import type { PipelineTask } from '../src/cli/pipeline-tables.js';

function task(overrides: Partial<PipelineTask>): PipelineTask {
  return {
    id: 3,
    title: 'Fix the typo',
    body: 'In README.\nSecond line.\n',
    stage: 'review',
    status: 'active',
    attempts: { plan: 1, implement: 2, review: 0 },
    branch: 'agent/issue-3',
    change: { number: 1, url: 'file:///srv/changes/1', state: 'open' },
    history: [{ stage: 'triage', at: '2026-12-04T21:00:00.000Z', outcome: 'ready', detail: '' }],
    last_error: null,
    ...overrides,
  };
}

describe('the pipeline tables of the CLI', () => {
  it('lists tasks with attempts as plan/implement/review, the change as #number state, and a title on one line', () => {
    const text = tasksTable([task({}), task({ id: 12, stage: 'triage', status: 'queued', attempts: { plan: 0, implement: 0, review: 0 }, change: null, title: 'two\nlines' })]);
    expect(text).toBe(
      [
        'ID  STAGE   STATUS  ATTEMPTS P/I/R  CHANGE   TITLE',
        '3   review  active  1/2/0           #1 open  Fix the typo',
        '12  triage  queued  0/0/0           -        two lines',
        '',
      ].join('\n'),
    );
  });

  it('says how to add a task when there is none, and when no task waits for a human', () => {
    expect(tasksTable([])).toMatch(/\n\(no tasks: add one with 'supervisor task add <slug> --title … --body …'\)\n$/);
    expect(hitlTable([])).toBe('ID  FROM  BRANCH  PR  CAUSE  TITLE\n(no task waits for a human)\n');
  });

  it('lists the human queue with the stage each task came from, its PR or -, and a cause cut to one line', () => {
    const text = hitlTable([
      { issue: 3, title: 'Fix the typo', cause: 'implement made no commit\nin 3 attempts', origin_stage: 'implement', branch: 'agent/issue-3', pr: null },
      { issue: 4, title: 'Other', cause: 'x'.repeat(80), origin_stage: 'review', branch: 'agent/issue-4', pr: 2 },
    ]);
    const [, first, second] = text.split('\n');
    expect(first).toMatch(/^3 +implement +agent\/issue-3 +- +implement made no commit in 3 attempts +Fix the typo$/);
    expect(second).toMatch(new RegExp(`^4 +review +agent\\/issue-4 +#2 +${'x'.repeat(49)}… +Other$`));
  });

  it('shows a task with its fields, indented body, history table and the transcript under its run', () => {
    const text = taskReport(task({ last_error: 'review agent timed out' }), { task: 3, run: { stage: 'review', attempt: 1 }, lines: ['one', 'two'] });
    expect(text).toBe(
      [
        'task 3: Fix the typo',
        '  stage      review (active)',
        '  attempts   plan 1, implement 2, review 0',
        '  branch     agent/issue-3',
        '  change     #1 open file:///srv/changes/1',
        '  last error review agent timed out',
        '',
        '  In README.',
        '  Second line.',
        '',
        'HISTORY',
        'STAGE   AT                        OUTCOME  DETAIL',
        'triage  2026-12-04T21:00:00.000Z  ready',
        '',
        'TRANSCRIPT: review, attempt 1 (its last 2 lines)',
        'one',
        'two',
        '',
      ].join('\n'),
    );
  });

  it('says so when the task has no history and no agent has run for it', () => {
    const text = taskReport(task({ history: [], change: null }), { task: 3, run: null, lines: [] });
    expect(text).toContain('  branch     agent/issue-3\n  change     -\n');
    expect(text).toContain('HISTORY\n(none yet)\n\nTRANSCRIPT: none (no agent has run for this task yet)\n');
  });
});
