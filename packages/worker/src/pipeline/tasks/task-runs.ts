import type { AgentStage } from '@repovisor/protocol';
import type { Advance } from './transitions.js';
import type { Task } from './task.js';

// What the engine does next with a task, and the bookkeeping of a run's
// start; the run's result goes through `advance` (transitions.ts).

/** What a task waits for: an agent run of a stage, the merge of its approved change, a human, a running agent, or nothing (it ended or is parked). */
export type NextStep = { kind: 'agent'; stage: AgentStage } | { kind: 'merge' } | { kind: 'human' } | { kind: 'running' } | { kind: 'none' };

/** The step `task` waits for. */
export function nextStep(task: Task): NextStep {
  if (task.status === 'active') return { kind: 'running' };
  switch (task.stage) {
    case 'triage':
    case 'plan':
    case 'implement':
      return { kind: 'agent', stage: task.stage };
    case 'review':
      return task.change?.state === 'approved' ? { kind: 'merge' } : { kind: 'agent', stage: 'review' };
    case 'hitl':
      return task.status === 'queued' ? { kind: 'agent', stage: 'hitl' } : { kind: 'human' };
    case 'parked':
    case 'done':
    case 'closed':
      return { kind: 'none' };
    default:
      return unreachable(task.stage);
  }
}

/**
 * The task with its agent run of `stage` started (status `active`), to be
 * persisted before the agent starts; refused unless {@link nextStep} is that run.
 */
export function startRun(task: Task, stage: AgentStage, now: Date): Advance {
  const step = nextStep(task);
  if (step.kind !== 'agent' || step.stage !== stage) {
    return { ok: false, code: 'wrong_stage', message: `task ${task.id} at ${task.stage} (${task.status}) does not wait for a ${stage} run (it waits for: ${describe(step)})` };
  }
  return { ok: true, task: { ...task, status: 'active', updated_at: now.toISOString() } };
}

// History outcomes that are not the result of an agent run.
const NOT_RUNS = new Set(['corrected', 'skipped', 'closed', 'merged']);

/** `REPOVISOR_ATTEMPT` of the next run of `stage`: 1 for its first run for this task, then 2, 3 … (from the history). */
export function runNumber(task: Task, stage: AgentStage): number {
  return task.history.filter((entry) => entry.stage === stage && !NOT_RUNS.has(entry.outcome)).length + 1;
}

function describe(step: NextStep): string {
  return step.kind === 'agent' ? `a ${step.stage} run` : step.kind;
}

function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
