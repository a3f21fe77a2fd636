import { describe, expect, it } from '@jest/globals';
import { newTask } from '../src/pipeline/tasks/task.js';
import type { Task } from '../src/pipeline/tasks/task.js';
import { toHitlItems, toPipelineSnapshot, toTaskView } from '../src/pipeline/tasks/task-views.js';

const at = new Date('2026-01-01T00:00:00.000Z');
const task = (id: number, fields: Partial<Task> = {}): Task => ({ ...newTask(id, { title: `task ${id}`, body: `body ${id}`, labels: ['x'] }, at), ...fields });

describe('the pipeline API views of tasks', () => {
  it('shows a task exactly in the shape of GET /api/tasks/:id', () => {
    const full = task(3, {
      stage: 'review',
      status: 'active',
      attempts: { plan: 1, implement: 2, review: 0 },
      change: { number: 4, url: 'local://changes/4', state: 'open' },
      plan: 'the plan',
      review_feedback: 'feedback',
      correction: 'a correction',
      history: [{ stage: 'triage', at: at.toISOString(), outcome: 'ready', detail: '' }],
      last_error: 'earlier failure',
    });
    expect(toTaskView(full)).toStrictEqual({
      id: 3,
      title: 'task 3',
      body: 'body 3',
      stage: 'review',
      status: 'active',
      attempts: { plan: 1, implement: 2, review: 0 },
      branch: 'agent/issue-3',
      change: { number: 4, url: 'local://changes/4', state: 'open' },
      history: [{ stage: 'triage', at: at.toISOString(), outcome: 'ready', detail: '' }],
      last_error: 'earlier failure',
    });
    expect(toTaskView(task(1)).change).toBeNull();
  });

  it('lists every task in hitl, by id, with its cause, origin stage, branch and change number', () => {
    const tasks = [
      task(5, { stage: 'hitl', status: 'queued', hitl: { cause: 'review failed', origin_stage: 'review' }, change: { number: 2, url: 'u', state: 'open' } }),
      task(2, { stage: 'hitl', status: 'hitl', hitl: { cause: 'plan attempts ran out', origin_stage: 'plan' } }),
      task(3, { stage: 'implement' }),
    ];
    expect(toHitlItems(tasks)).toStrictEqual([
      { issue: 2, title: 'task 2', cause: 'plan attempts ran out', origin_stage: 'plan', branch: 'agent/issue-2', pr: null },
      { issue: 5, title: 'task 5', cause: 'review failed', origin_stage: 'review', branch: 'agent/issue-5', pr: 2 },
    ]);
  });

  it("gives HydraFlow's PipelineSnapshot: a column per working stage, parked, done and closed tasks in none", () => {
    const tasks = [
      task(4, { stage: 'review', status: 'active', change: { number: 1, url: 'local://changes/1', state: 'open' } }),
      task(1),
      task(2, { stage: 'hitl', status: 'hitl', hitl: { cause: 'c', origin_stage: 'implement' } }),
      task(3, { stage: 'done', status: 'done' }),
      task(6, { stage: 'parked', status: 'parked' }),
      task(7, { stage: 'closed', status: 'closed' }),
      task(5, { stage: 'triage', status: 'active' }),
    ];
    expect(toPipelineSnapshot(tasks)).toStrictEqual({
      stages: {
        triage: [
          { issue_number: 1, title: 'task 1', url: null, status: 'queued' },
          { issue_number: 5, title: 'task 5', url: null, status: 'active' },
        ],
        plan: [],
        implement: [],
        review: [{ issue_number: 4, title: 'task 4', url: 'local://changes/1', status: 'active' }],
        hitl: [{ issue_number: 2, title: 'task 2', url: null, status: 'hitl' }],
      },
    });
  });
});
