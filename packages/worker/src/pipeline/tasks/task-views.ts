import type { HistoryEntry, Task, TaskChange, TaskStage, TaskStatus, WorkStage } from './task.js';

// The pipeline API's views of tasks (the pipeline contract, "The worker's pipeline
// API"), exactly in its shapes: what a task file holds for the engine alone
// (the plan, feedback, correction, timestamps) stays out of them.

/** A task as `GET /api/tasks/:id` answers it. */
export interface TaskView {
  id: number;
  title: string;
  body: string;
  stage: TaskStage;
  status: TaskStatus;
  attempts: { plan: number; implement: number; review: number };
  branch: string;
  change: TaskChange | null;
  history: HistoryEntry[];
  last_error: string | null;
}

/** The view of `task` in the API. */
export function toTaskView(task: Task): TaskView {
  return {
    id: task.id,
    title: task.title,
    body: task.body,
    stage: task.stage,
    status: task.status,
    attempts: { ...task.attempts },
    branch: task.branch,
    change: task.change && { ...task.change },
    history: task.history.map((entry) => ({ ...entry })),
    last_error: task.last_error,
  };
}

/** An item of `GET /api/hitl`: `pr` is the change request's number, null before there is one. */
export interface HitlItem {
  issue: number;
  title: string;
  cause: string;
  origin_stage: WorkStage;
  branch: string;
  pr: number | null;
}

/** The items of `GET /api/hitl`: every task in hitl, by id. */
export function toHitlItems(tasks: readonly Task[]): HitlItem[] {
  return byId(tasks).flatMap((task) =>
    task.stage === 'hitl' && task.hitl !== null
      ? [{ issue: task.id, title: task.title, cause: task.hitl.cause, origin_stage: task.hitl.origin_stage, branch: task.branch, pr: task.change?.number ?? null }]
      : [],
  );
}

/** A card of HydraFlow's PipelineSnapshot: `url` is the change request's, null before there is one (a local task has no page of its own). */
interface PipelineItem {
  issue_number: number;
  title: string;
  url: string | null;
  status: 'queued' | 'active' | 'hitl';
}

/** HydraFlow's `PipelineSnapshot` (`GET /api/pipeline`): the tasks of each working stage, by id. */
export interface PipelineSnapshot {
  stages: Record<'triage' | 'plan' | 'implement' | 'review' | 'hitl', PipelineItem[]>;
}

/** The snapshot of `tasks`; parked, done and closed tasks are in no column. */
export function toPipelineSnapshot(tasks: readonly Task[]): PipelineSnapshot {
  const stages: PipelineSnapshot['stages'] = { triage: [], plan: [], implement: [], review: [], hitl: [] };
  for (const task of byId(tasks)) {
    const { stage, status } = task;
    if (stage === 'parked' || stage === 'done' || stage === 'closed') continue;
    // A task at a working stage is queued, active or (in hitl) waiting for a human.
    if (status !== 'queued' && status !== 'active' && status !== 'hitl') continue;
    stages[stage].push({ issue_number: task.id, title: task.title, url: task.change?.url ?? null, status });
  }
  return { stages };
}

function byId(tasks: readonly Task[]): Task[] {
  return [...tasks].sort((a, b) => a.id - b.id);
}
