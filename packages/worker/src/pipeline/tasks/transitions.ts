import type { Result } from '@repovisor/kit';
import type { AttemptCaps, StageOutcome } from './stage-outcome.js';
import type { Task, TaskStage, WorkStage } from './task.js';

// The pipeline's state machine (its stages and transitions), as one pure function:
// a task and what just happened to it in, the task's next state out, with
// one history entry for the result. Nothing here reads a clock, a file or a
// process: the engine persists what comes out.
//
// Decisions the pipeline contract leaves open, made here:
// - An approve does not end the task: it marks the change `approved` and the
//   task waits at `review` for the merge; `merged` then makes it `done`. A
//   worker that dies between the two merges after its restart without a
//   second review, and the merge step can see a merge it already pushed.
// - The caps bound failures: `max_plan_attempts` failed plan runs,
//   `max_issue_attempts` failed implement runs (zero new commits is one),
//   `max_review_fix_attempts` review rejections; reaching one escalates.
// - triage and review have no cap key: a failed triage or review run (no
//   marker, a timeout: the agent, not the task, is at fault) escalates at once.
// - An approved change that conflicts with the base goes to hitl as if from
//   implement (the branch must change), its change open again for a new review.
// - A correction gives the stage it goes to a fresh budget. It goes back to the
//   stage the task came from, except when that stage's work is the code on the
//   branch (implement, or review once its rejections ran out): then the hitl
//   agent applies it, and its success sends the task to review.

/** Why an outcome was refused: it does not fit the task's stage or status (409 for a human's action). */
export interface Refusal {
  code: 'not_in_hitl' | 'agent_running' | 'wrong_stage';
  message: string;
}

/** The result of {@link advance}: the task's next state, or why the outcome does not apply. */
export type Advance = Result<{ task: Task }, Refusal>;

/** The task's next state after `outcome`, at `now`, under `caps`. */
export function advance(task: Task, outcome: StageOutcome, caps: AttemptCaps, now: Date): Advance {
  const at = now.toISOString();
  const next = (stage: TaskStage, fields: Partial<Task>, outcomeName: string, detail: string): Advance => ({
    ok: true,
    task: {
      ...task,
      status: statusAt(stage),
      ...fields,
      stage,
      updated_at: at,
      history: [...task.history, { stage: task.stage, at, outcome: outcomeName, detail }],
    },
  });
  const escalate = (origin: WorkStage, cause: string, fields: Partial<Task>, outcomeName: string): Advance =>
    next('hitl', { ...fields, status: 'hitl', hitl: { cause, origin_stage: origin }, last_error: cause }, outcomeName, `${cause}: to hitl`);
  // A failed attempt of plan or implement: again while the cap allows, else hitl.
  const failAttempt = (stage: 'plan' | 'implement', reason: string, fatal: boolean, outcomeName = 'failed'): Advance => {
    const attempts = { ...task.attempts, [stage]: task.attempts[stage] + 1 };
    const [cap, key] = stage === 'plan' ? [caps.max_plan_attempts, 'max_plan_attempts'] : [caps.max_issue_attempts, 'max_issue_attempts'];
    const tally = `attempt ${attempts[stage]} of ${key} ${cap}`;
    if (fatal) return escalate(stage, `${stage} failed and a retry cannot fix it: ${reason}`, { attempts }, outcomeName);
    if (attempts[stage] >= cap) return escalate(stage, `${stage} attempts ran out (${tally}): ${reason}`, { attempts }, outcomeName);
    return next(stage, { attempts, last_error: reason }, outcomeName, `${reason} (${tally}): ${stage} again`);
  };

  const refused = refuse(task, outcome);
  if (refused !== undefined) return { ok: false, ...refused };
  switch (outcome.kind) {
    case 'triaged': {
      const reasons = outcome.reasons.join('; ');
      if (outcome.ready) return next('plan', { last_error: null }, 'ready', reasons);
      return next('parked', { last_error: null }, 'not_ready', reasons === '' ? 'not ready (no reasons given)' : reasons);
    }
    case 'planned':
      return next('implement', { plan: outcome.plan, last_error: null }, 'planned', `a plan of ${outcome.plan.length} characters`);
    case 'already_satisfied':
      return next('done', { last_error: null }, 'already_satisfied', outcome.detail);
    case 'implemented': {
      if (outcome.commits === 0) return failAttempt('implement', 'the implement run left no new commits', false, 'no_commits');
      return next('review', { change: opened(task, outcome.change), last_error: null }, 'committed', `${outcome.commits} new commit(s)`);
    }
    case 'approved':
      // refuse() saw that there is a change.
      return next('review', { change: task.change && { ...task.change, state: 'approved' }, last_error: null }, 'approved', outcome.summary);
    case 'changes_requested': {
      const attempts = { ...task.attempts, review: task.attempts.review + 1 };
      const tally = `rejection ${attempts.review} of max_review_fix_attempts ${caps.max_review_fix_attempts}`;
      const fields = { attempts, review_feedback: outcome.feedback };
      if (attempts.review >= caps.max_review_fix_attempts) {
        return escalate('review', `review rejections ran out (${tally}): ${outcome.summary}`, fields, 'changes_requested');
      }
      return next('implement', { ...fields, last_error: null }, 'changes_requested', `${outcome.summary} (${tally}): implement again`);
    }
    case 'merged':
      return next('done', { change: task.change && { ...task.change, state: 'merged' }, last_error: null }, 'merged', outcome.detail);
    case 'merge_conflict':
      // The change goes back to open: whatever fixes the branch has it reviewed again before a merge.
      return escalate('implement', `the approved change cannot be merged: ${outcome.detail}`, { change: task.change && { ...task.change, state: 'open' } }, 'merge_conflict');
    case 'fixed':
      if (outcome.commits === 0) return hitlRunFailed('the correction run left no new commits', 'no_commits');
      return next('review', { change: opened(task, outcome.change), hitl: null, last_error: null }, 'committed', `${outcome.commits} new commit(s): to review`);
    case 'failed':
      switch (outcome.stage) {
        case 'plan':
        case 'implement':
          return failAttempt(outcome.stage, outcome.reason, outcome.fatal === true);
        case 'triage':
        case 'review':
          return escalate(outcome.stage, `${outcome.stage} failed: ${outcome.reason}`, {}, 'failed');
        case 'hitl':
          return hitlRunFailed(outcome.reason, 'failed');
        default:
          return unreachable(outcome.stage);
      }
    case 'interrupted':
      return next(task.stage, { status: 'queued' }, 'interrupted', `${outcome.reason}: the run starts again`);
    case 'correct':
      return correct(task, outcome.correction, caps, next);
    case 'skip':
      return next('parked', { hitl: null }, 'skipped', 'a human skipped it');
    case 'close':
      return next('closed', { hitl: null }, 'closed', 'a human closed it');
    default:
      return unreachable(outcome);
  }

  function hitlRunFailed(reason: string, outcomeName: string): Advance {
    const origin = task.hitl?.origin_stage ?? 'implement';
    return next('hitl', { hitl: { cause: `the correction run failed: ${reason}`, origin_stage: origin }, last_error: reason }, outcomeName, `${reason}: back to a human`);
  }
}

/** The task's change after a run that may have opened one (refuse() saw that it had none then). */
function opened(task: Task, change: { number: number; url: string } | undefined): Task['change'] {
  return change === undefined ? task.change : { ...change, state: 'open' };
}

type Next = (stage: TaskStage, fields: Partial<Task>, outcomeName: string, detail: string) => Advance;

/** Where a correction sends a task in hitl, with a fresh budget for that stage. */
function correct(task: Task, correction: string, caps: AttemptCaps, next: Next): Advance {
  // refuse() saw that the task is in hitl, so it has its origin.
  const origin = task.hitl?.origin_stage ?? 'implement';
  const detail = `a human's correction of ${correction.length} characters`;
  const fresh = { ...task.attempts };
  if (origin !== 'triage') fresh[origin] = 0;
  const onTheBranch = origin === 'implement' || (origin === 'review' && task.attempts.review >= caps.max_review_fix_attempts);
  if (onTheBranch) return next('hitl', { status: 'queued', correction, attempts: fresh }, 'corrected', `${detail}: the hitl agent applies it`);
  return next(origin, { correction, attempts: fresh, hitl: null, last_error: null }, 'corrected', `${detail}: back to ${origin}`);
}

/** Why `outcome` does not apply to `task`, or undefined when it does. */
function refuse(task: Task, outcome: StageOutcome): Refusal | undefined {
  switch (outcome.kind) {
    case 'correct':
    case 'skip':
    case 'close':
      return humanActionRefusal(task);
    case 'merged':
    case 'merge_conflict':
      if (task.stage === 'review' && task.change?.state === 'approved') return undefined;
      return wrongStage(task, outcome.kind, 'a task at review with an approved change');
    case 'interrupted':
      return task.status === 'active' ? undefined : wrongStage(task, outcome.kind, 'a task an agent runs for');
    default: {
      const stage = outcome.kind === 'failed' ? outcome.stage : RUN_STAGE[outcome.kind];
      if (task.stage !== stage || task.status !== 'active') return wrongStage(task, outcome.kind, `a task at ${stage} with its agent running`);
      if (outcome.kind === 'approved' && task.change === null) return wrongStage(task, outcome.kind, 'a task with a change request');
      if (outcome.kind === 'approved' && task.change?.state !== 'open') return wrongStage(task, outcome.kind, 'a task with an open change request');
      // One task never has two change requests: the fix of a rejected change goes on the same one.
      if ((outcome.kind === 'implemented' || outcome.kind === 'fixed') && outcome.change !== undefined && task.change !== null) {
        return wrongStage(task, outcome.kind, `a task without a change request (task ${task.id} has #${task.change.number})`);
      }
      return undefined;
    }
  }
}

/** The stage each run outcome comes from. */
const RUN_STAGE = {
  triaged: 'triage',
  planned: 'plan',
  already_satisfied: 'plan',
  implemented: 'implement',
  approved: 'review',
  changes_requested: 'review',
  fixed: 'hitl',
} as const satisfies Record<string, TaskStage>;

/** Why a human may not correct, skip or close `task` now (409), or undefined when they may. */
export function humanActionRefusal(task: Task): Refusal | undefined {
  if (task.stage !== 'hitl') return { code: 'not_in_hitl', message: `task ${task.id} is at ${task.stage}, not in hitl: only a task in hitl takes a correction, a skip or a close` };
  if (task.status === 'active') return { code: 'agent_running', message: `task ${task.id} is in hitl with its correction being applied by an agent: wait until that run ends` };
  return undefined;
}

function wrongStage(task: Task, kind: string, wanted: string): Refusal {
  return { code: 'wrong_stage', message: `a '${kind}' outcome is for ${wanted}, and task ${task.id} is at ${task.stage} (${task.status})` };
}

/** The status a task has on arriving at `stage` (a caller may ask for another, as a correction does). */
function statusAt(stage: TaskStage): Task['status'] {
  switch (stage) {
    case 'triage':
    case 'plan':
    case 'implement':
    case 'review':
      return 'queued';
    case 'hitl':
      return 'hitl';
    case 'parked':
    case 'done':
    case 'closed':
      return stage;
    default:
      return unreachable(stage);
  }
}

function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
