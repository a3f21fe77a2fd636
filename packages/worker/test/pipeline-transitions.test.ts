import { describe, expect, it } from '@jest/globals';
import type { AgentStage } from '@repovisor/protocol';
import { DEFAULT_CAPS } from '../src/pipeline/tasks/stage-outcome.js';
import type { AttemptCaps, StageOutcome } from '../src/pipeline/tasks/stage-outcome.js';
import { newTask } from '../src/pipeline/tasks/task.js';
import type { Task } from '../src/pipeline/tasks/task.js';
import { nextStep, runNumber, startRun } from '../src/pipeline/tasks/task-runs.js';
import { advance, humanActionRefusal } from '../src/pipeline/tasks/transitions.js';

const NOW = new Date('2026-01-02T03:04:05.000Z');
const fresh = (): Task => newTask(7, { title: 'Add a greeting', body: 'Say hello in the README.', labels: [] }, new Date('2026-01-01T00:00:00.000Z'));

/** `task` after `outcome`, which must be accepted. */
function after(task: Task, outcome: StageOutcome, caps: AttemptCaps = DEFAULT_CAPS): Task {
  const result = advance(task, outcome, caps, NOW);
  if (!result.ok) throw new Error(`refused: ${result.message}`);
  return result.task;
}

/** `task` after a run of its next stage that ended with `outcome`. */
function run(task: Task, outcome: StageOutcome, caps: AttemptCaps = DEFAULT_CAPS): Task {
  const step = nextStep(task);
  if (step.kind !== 'agent') throw new Error(`task waits for ${step.kind}, not an agent`);
  const started = startRun(task, step.stage, NOW);
  if (!started.ok) throw new Error(started.message);
  expect(started.task.status).toBe('active');
  return after(started.task, outcome, caps);
}

const change = { number: 1, url: 'local://changes/1' };
const atImplement = (): Task => run(run(fresh(), { kind: 'triaged', ready: true, reasons: [] }), { kind: 'planned', plan: 'Edit README.md' });
const atReview = (): Task => run(atImplement(), { kind: 'implemented', commits: 2, change });
const failedRun = (stage: AgentStage, reason = 'exit 1 with no marker'): StageOutcome => ({ kind: 'failed', stage, reason });

describe("advance: the pipeline's stages", () => {
  it('takes a ready task from triage to plan, and a planned one to implement with its plan', () => {
    const planned = run(fresh(), { kind: 'triaged', ready: true, reasons: ['clear'] });
    expect(planned).toMatchObject({ stage: 'plan', status: 'queued', updated_at: NOW.toISOString() });
    expect(planned.history).toEqual([{ stage: 'triage', at: NOW.toISOString(), outcome: 'ready', detail: 'clear' }]);
    const implementing = run(planned, { kind: 'planned', plan: 'Edit README.md' });
    expect(implementing).toMatchObject({ stage: 'implement', status: 'queued', plan: 'Edit README.md' });
    expect(implementing.history.map((entry) => entry.outcome)).toEqual(['ready', 'planned']);
  });

  it('parks a task that is not ready, with the reasons in its history', () => {
    const parked = run(fresh(), { kind: 'triaged', ready: false, reasons: ['title too short', 'no body'] });
    expect(parked).toMatchObject({ stage: 'parked', status: 'parked' });
    expect(parked.history.at(-1)).toMatchObject({ stage: 'triage', outcome: 'not_ready', detail: 'title too short; no body' });
    expect(nextStep(parked)).toEqual({ kind: 'none' });
  });

  it('ends an already satisfied task as done, with no change', () => {
    const done = run(run(fresh(), { kind: 'triaged', ready: true, reasons: [] }), { kind: 'already_satisfied', detail: 'README already greets' });
    expect(done).toMatchObject({ stage: 'done', status: 'done', change: null });
    expect(done.history.at(-1)).toMatchObject({ stage: 'plan', outcome: 'already_satisfied', detail: 'README already greets' });
  });

  it('sends a task with new commits to review, with the change it opened', () => {
    const reviewing = atReview();
    expect(reviewing).toMatchObject({ stage: 'review', status: 'queued', change: { ...change, state: 'open' }, branch: 'agent/issue-7' });
    expect(reviewing.history.at(-1)).toMatchObject({ stage: 'implement', outcome: 'committed', detail: '2 new commit(s)' });
  });

  it('marks an approved change approved and waits for the merge, which makes the task done', () => {
    const approved = run(atReview(), { kind: 'approved', summary: 'looks right' });
    expect(approved).toMatchObject({ stage: 'review', status: 'queued', change: { state: 'approved' } });
    expect(nextStep(approved)).toEqual({ kind: 'merge' });
    const done = after(approved, { kind: 'merged', detail: 'squash-merged into main' });
    expect(done).toMatchObject({ stage: 'done', status: 'done', change: { ...change, state: 'merged' } });
    expect(done.history.map((entry) => [entry.stage, entry.outcome]).slice(-2)).toEqual([['review', 'approved'], ['review', 'merged']]);
  });

  it('sends an approved change that conflicts with the base to hitl as from implement, its change open again', () => {
    const approved = run(atReview(), { kind: 'approved', summary: 'ok' });
    const conflicted = after(approved, { kind: 'merge_conflict', detail: 'README.md conflicts with main' });
    expect(conflicted).toMatchObject({ stage: 'hitl', status: 'hitl', change: { ...change, state: 'open' }, hitl: { origin_stage: 'implement' } });
    expect(conflicted.hitl?.cause).toContain('README.md conflicts with main');
    expect(conflicted.history.at(-1)).toMatchObject({ stage: 'review', outcome: 'merge_conflict' });
    const corrected = after(conflicted, { kind: 'correct', correction: 'rebase onto main' });
    expect(nextStep(corrected)).toEqual({ kind: 'agent', stage: 'hitl' });
    expect(advance(atReview(), { kind: 'merge_conflict', detail: 'x' }, DEFAULT_CAPS, NOW)).toMatchObject({ ok: false, code: 'wrong_stage' });
  });

  it('refuses a merge before an approval, and a second approval', () => {
    expect(advance(atReview(), { kind: 'merged', detail: '' }, DEFAULT_CAPS, NOW)).toMatchObject({ ok: false, code: 'wrong_stage' });
    const approved = run(atReview(), { kind: 'approved', summary: 'ok' });
    const again = advance({ ...approved, status: 'active' }, { kind: 'approved', summary: 'ok' }, DEFAULT_CAPS, NOW);
    expect(again).toMatchObject({ ok: false, code: 'wrong_stage' });
  });

  it('sends a rejected change back to implement with the feedback, on the same change request', () => {
    const fixing = run(atReview(), { kind: 'changes_requested', summary: 'missing test', feedback: 'Add a test for the greeting.' });
    expect(fixing).toMatchObject({ stage: 'implement', status: 'queued', review_feedback: 'Add a test for the greeting.', attempts: { review: 1 } });
    expect(fixing.history.at(-1)?.detail).toBe('missing test (rejection 1 of max_review_fix_attempts 2): implement again');
    const reviewed = run(fixing, { kind: 'implemented', commits: 1 });
    expect(reviewed.change).toEqual({ ...change, state: 'open' });
    // A second change request for one task is refused.
    const started = startRun(fixing, 'implement', NOW);
    expect(started.ok && advance(started.task, { kind: 'implemented', commits: 1, change: { number: 2, url: 'x' } }, DEFAULT_CAPS, NOW)).toMatchObject({ ok: false, code: 'wrong_stage' });
  });

  it('refuses a run outcome for another stage, or for a task whose agent was not started', () => {
    const planned = run(fresh(), { kind: 'triaged', ready: true, reasons: [] });
    expect(advance(planned, { kind: 'planned', plan: 'x' }, DEFAULT_CAPS, NOW)).toMatchObject({ ok: false, code: 'wrong_stage' });
    const started = startRun(planned, 'plan', NOW);
    expect(started.ok && advance(started.task, { kind: 'implemented', commits: 1 }, DEFAULT_CAPS, NOW)).toMatchObject({ ok: false, code: 'wrong_stage' });
    expect(started.ok && advance(started.task, failedRun('review'), DEFAULT_CAPS, NOW)).toMatchObject({ ok: false, code: 'wrong_stage' });
    expect(startRun(planned, 'implement', NOW)).toMatchObject({ ok: false, code: 'wrong_stage' });
    expect(started.ok && startRun(started.task, 'plan', NOW)).toMatchObject({ ok: false, message: expect.stringContaining('running') });
  });

  it('runs the stage again after an interrupted run, counting no attempt', () => {
    const started = startRun(atImplement(), 'implement', NOW);
    if (!started.ok) throw new Error(started.message);
    const again = after(started.task, { kind: 'interrupted', reason: 'the worker restarted' });
    expect(again).toMatchObject({ stage: 'implement', status: 'queued', attempts: { implement: 0 } });
    expect(again.history.at(-1)).toMatchObject({ outcome: 'interrupted', detail: 'the worker restarted: the run starts again' });
    expect(runNumber(again, 'implement')).toBe(2);
    expect(advance(again, { kind: 'interrupted', reason: 'x' }, DEFAULT_CAPS, NOW)).toMatchObject({ ok: false, code: 'wrong_stage' });
  });
});

describe('advance: attempt caps', () => {
  it('counts an implement run with zero new commits as a failed attempt, and escalates the third (max_issue_attempts 3)', () => {
    let task = atImplement();
    for (const attempt of [1, 2]) {
      task = run(task, { kind: 'implemented', commits: 0 });
      expect(task).toMatchObject({ stage: 'implement', status: 'queued', attempts: { implement: attempt }, last_error: 'the implement run left no new commits' });
      expect(task.history.at(-1)).toMatchObject({ outcome: 'no_commits', detail: `the implement run left no new commits (attempt ${attempt} of max_issue_attempts 3): implement again` });
    }
    expect(runNumber(task, 'implement')).toBe(3);
    task = run(task, { kind: 'implemented', commits: 0 });
    expect(task).toMatchObject({ stage: 'hitl', status: 'hitl', attempts: { implement: 3 } });
    expect(task.hitl).toEqual({ origin_stage: 'implement', cause: 'implement attempts ran out (attempt 3 of max_issue_attempts 3): the implement run left no new commits' });
    expect(task.last_error).toBe(task.hitl?.cause);
    expect(nextStep(task)).toEqual({ kind: 'human' });
  });

  it('escalates implement at another cap, counting failed runs of any kind', () => {
    const caps = { ...DEFAULT_CAPS, max_issue_attempts: 2 };
    const once = run(atImplement(), failedRun('implement', 'timed out'), caps);
    expect(once).toMatchObject({ stage: 'implement', attempts: { implement: 1 }, last_error: 'timed out' });
    expect(run(once, { kind: 'implemented', commits: 0 }, caps)).toMatchObject({ stage: 'hitl', hitl: { origin_stage: 'implement' } });
    expect(run(atImplement(), failedRun('implement'), { ...caps, max_issue_attempts: 1 })).toMatchObject({ stage: 'hitl' });
  });

  it('escalates plan at the third failure (max_plan_attempts 3), and at another cap', () => {
    let task = run(fresh(), { kind: 'triaged', ready: true, reasons: [] });
    task = run(run(task, failedRun('plan')), failedRun('plan'));
    expect(task).toMatchObject({ stage: 'plan', attempts: { plan: 2 } });
    task = run(task, failedRun('plan', 'no PLAN_START marker'));
    expect(task).toMatchObject({ stage: 'hitl', hitl: { origin_stage: 'plan', cause: 'plan attempts ran out (attempt 3 of max_plan_attempts 3): no PLAN_START marker' } });
    const planning = run(fresh(), { kind: 'triaged', ready: true, reasons: [] });
    expect(run(planning, failedRun('plan'), { ...DEFAULT_CAPS, max_plan_attempts: 1 })).toMatchObject({ stage: 'hitl', attempts: { plan: 1 } });
    expect(run(run(planning, failedRun('plan'), { ...DEFAULT_CAPS, max_plan_attempts: 5 }), failedRun('plan'), { ...DEFAULT_CAPS, max_plan_attempts: 5 })).toMatchObject({ stage: 'plan', attempts: { plan: 2 } });
  });

  it('escalates at once a failure that retries cannot fix', () => {
    const planning = run(fresh(), { kind: 'triaged', ready: true, reasons: [] });
    const task = run(planning, { kind: 'failed', stage: 'plan', reason: 'agent command not found', fatal: true });
    expect(task).toMatchObject({ stage: 'hitl', attempts: { plan: 1 }, hitl: { origin_stage: 'plan', cause: 'plan failed and a retry cannot fix it: agent command not found' } });
  });

  it('escalates a failed triage or review run at once: those stages have no cap', () => {
    expect(run(fresh(), failedRun('triage'))).toMatchObject({ stage: 'hitl', hitl: { origin_stage: 'triage', cause: 'triage failed: exit 1 with no marker' } });
    expect(run(atReview(), failedRun('review'))).toMatchObject({ stage: 'hitl', hitl: { origin_stage: 'review' }, attempts: { review: 0 } });
  });

  it('escalates the second review rejection (max_review_fix_attempts 2), and at other caps', () => {
    const reject: StageOutcome = { kind: 'changes_requested', summary: 'still wrong', feedback: 'Fix it.' };
    const rejectedTwice = (caps: AttemptCaps): Task => run(run(run(run(atReview(), reject, caps), { kind: 'implemented', commits: 1 }, caps), reject, caps), { kind: 'implemented', commits: 1 }, caps);
    const twice = run(run(atReview(), reject), { kind: 'implemented', commits: 1 });
    const escalated = run(twice, reject);
    expect(escalated).toMatchObject({ stage: 'hitl', attempts: { review: 2 }, review_feedback: 'Fix it.' });
    expect(escalated.hitl).toEqual({ origin_stage: 'review', cause: 'review rejections ran out (rejection 2 of max_review_fix_attempts 2): still wrong' });
    expect(run(atReview(), reject, { ...DEFAULT_CAPS, max_review_fix_attempts: 1 })).toMatchObject({ stage: 'hitl', attempts: { review: 1 } });
    const three = { ...DEFAULT_CAPS, max_review_fix_attempts: 3 };
    expect(run(rejectedTwice(three), reject, three)).toMatchObject({ stage: 'hitl', attempts: { review: 3 } });
  });
});

describe('advance: the human in the loop', () => {
  const inHitlFrom = (origin: 'triage' | 'plan' | 'implement' | 'review'): Task => {
    switch (origin) {
      case 'triage':
        return run(fresh(), failedRun('triage'));
      case 'plan':
        return run(run(fresh(), { kind: 'triaged', ready: true, reasons: [] }), failedRun('plan'), { ...DEFAULT_CAPS, max_plan_attempts: 1 });
      case 'implement':
        return run(atImplement(), { kind: 'implemented', commits: 0 }, { ...DEFAULT_CAPS, max_issue_attempts: 1 });
      case 'review':
        return run(atReview(), failedRun('review'));
    }
  };

  it('sends a correction of a plan or triage escalation back to that stage, with the correction and a fresh budget', () => {
    const replanned = after(inHitlFrom('plan'), { kind: 'correct', correction: 'Only touch README.md.' });
    expect(replanned).toMatchObject({ stage: 'plan', status: 'queued', correction: 'Only touch README.md.', hitl: null, attempts: { plan: 0 }, last_error: null });
    expect(replanned.history.at(-1)).toMatchObject({ stage: 'hitl', outcome: 'corrected' });
    expect(runNumber(replanned, 'plan')).toBe(2);
    expect(after(inHitlFrom('triage'), { kind: 'correct', correction: 'It is ready.' })).toMatchObject({ stage: 'triage', status: 'queued' });
  });

  it('sends a correction of a failed review run back to review', () => {
    expect(after(inHitlFrom('review'), { kind: 'correct', correction: 'Review again.' })).toMatchObject({ stage: 'review', status: 'queued', hitl: null });
  });

  it('has the hitl agent apply a correction of implement, and its commits send the task to review', () => {
    const corrected = after(inHitlFrom('implement'), { kind: 'correct', correction: 'Write to README.md, not docs/.' });
    expect(corrected).toMatchObject({ stage: 'hitl', status: 'queued', correction: 'Write to README.md, not docs/.', attempts: { implement: 0 }, hitl: { origin_stage: 'implement' } });
    expect(nextStep(corrected)).toEqual({ kind: 'agent', stage: 'hitl' });
    expect(runNumber(corrected, 'hitl')).toBe(1);
    const reviewing = run(corrected, { kind: 'fixed', commits: 1, change });
    expect(reviewing).toMatchObject({ stage: 'review', status: 'queued', hitl: null, last_error: null, change: { ...change, state: 'open' } });
    expect(reviewing.history.at(-1)).toMatchObject({ stage: 'hitl', outcome: 'committed' });
    const done = after(run(reviewing, { kind: 'approved', summary: 'ok' }), { kind: 'merged', detail: 'merged' });
    expect(done.stage).toBe('done');
  });

  it('has the hitl agent apply a correction once review rejections ran out, with a fresh review budget, on the same change', () => {
    const reject: StageOutcome = { kind: 'changes_requested', summary: 'no', feedback: 'Fix it.' };
    const caps = { ...DEFAULT_CAPS, max_review_fix_attempts: 1 };
    const corrected = after(run(atReview(), reject, caps), { kind: 'correct', correction: 'Do it this way.' }, caps);
    expect(corrected).toMatchObject({ stage: 'hitl', status: 'queued', attempts: { review: 0 } });
    expect(run(corrected, { kind: 'fixed', commits: 1 })).toMatchObject({ stage: 'review', change: { ...change, state: 'open' } });
    const started = startRun(corrected, 'hitl', NOW);
    expect(started.ok && advance(started.task, { kind: 'fixed', commits: 1, change: { number: 9, url: 'x' } }, caps, NOW)).toMatchObject({ ok: false, code: 'wrong_stage' });
  });

  it('returns a task to the human when the correction run fails or leaves no commits', () => {
    const corrected = after(inHitlFrom('implement'), { kind: 'correct', correction: 'Try again.' });
    const empty = run(corrected, { kind: 'fixed', commits: 0 });
    expect(empty).toMatchObject({ stage: 'hitl', status: 'hitl', hitl: { origin_stage: 'implement', cause: 'the correction run failed: the correction run left no new commits' } });
    expect(runNumber(empty, 'hitl')).toBe(2);
    const failed = run(corrected, failedRun('hitl', 'timed out'));
    expect(failed).toMatchObject({ stage: 'hitl', status: 'hitl', last_error: 'timed out' });
  });

  it('parks a skipped task and ends a closed one', () => {
    expect(after(inHitlFrom('plan'), { kind: 'skip' })).toMatchObject({ stage: 'parked', status: 'parked', hitl: null });
    const closed = after(inHitlFrom('review'), { kind: 'close' });
    expect(closed).toMatchObject({ stage: 'closed', status: 'closed' });
    expect(closed.history.at(-1)).toMatchObject({ stage: 'hitl', outcome: 'closed' });
  });

  it('refuses a human action on a task not in hitl, or while the hitl agent runs (409)', () => {
    expect(humanActionRefusal(atReview())).toEqual({ code: 'not_in_hitl', message: expect.stringContaining('task 7 is at review, not in hitl') });
    for (const action of [{ kind: 'skip' }, { kind: 'close' }, { kind: 'correct', correction: 'x' }] as const) {
      expect(advance(atImplement(), action, DEFAULT_CAPS, NOW)).toMatchObject({ ok: false, code: 'not_in_hitl' });
    }
    expect(humanActionRefusal(inHitlFrom('plan'))).toBeUndefined();
    const started = startRun(after(inHitlFrom('implement'), { kind: 'correct', correction: 'x' }), 'hitl', NOW);
    expect(started.ok && advance(started.task, { kind: 'skip' }, DEFAULT_CAPS, NOW)).toMatchObject({ ok: false, code: 'agent_running' });
  });

  it('lets a human give another correction while a queued one waits for the hitl agent', () => {
    const corrected = after(inHitlFrom('implement'), { kind: 'correct', correction: 'first' });
    expect(after(corrected, { kind: 'correct', correction: 'second' })).toMatchObject({ stage: 'hitl', status: 'queued', correction: 'second' });
  });
});

describe('advance: history', () => {
  it('appends exactly one entry per result, at the stage the task was at, and leaves the task given unchanged', () => {
    const reviewing = atReview();
    const before = structuredClone(reviewing);
    const fixing = run(reviewing, { kind: 'changes_requested', summary: 's', feedback: 'f' });
    expect(reviewing).toEqual(before);
    const done = after(run(run(fixing, { kind: 'implemented', commits: 1 }), { kind: 'approved', summary: 'ok' }), { kind: 'merged', detail: 'm' });
    expect(done.history.map((entry) => `${entry.stage}:${entry.outcome}`)).toEqual([
      'triage:ready',
      'plan:planned',
      'implement:committed',
      'review:changes_requested',
      'implement:committed',
      'review:approved',
      'review:merged',
    ]);
    expect(runNumber(done, 'implement')).toBe(3);
    expect(runNumber(done, 'review')).toBe(3);
  });
});
