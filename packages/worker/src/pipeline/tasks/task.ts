import * as z from 'zod/mini';

// A task of the per-repo pipeline as it is persisted, one JSON file per task
// (<data_root>/tasks/<id>.json, see task-store.ts). The names are the pipeline contract's
// ("The per-repo pipeline"): the API shows most fields as they are here.

/** Every stage a task can be at, in pipeline order, then the ones that end or hold it. */
const TASK_STAGES = ['triage', 'plan', 'implement', 'review', 'hitl', 'parked', 'done', 'closed'] as const;
/** A stage of {@link TASK_STAGES}. */
export type TaskStage = (typeof TASK_STAGES)[number];

/** The stages whose work an agent does; a task escalated to `hitl` came from one of them. */
const WORK_STAGES = ['triage', 'plan', 'implement', 'review'] as const;
/** A stage of {@link WORK_STAGES}. */
export type WorkStage = (typeof WORK_STAGES)[number];

/**
 * What is happening to a task: `queued` (waiting for its stage's agent),
 * `active` (an agent runs for it), `hitl` (waiting for a human), `parked`,
 * `done`, `closed`.
 */
const TASK_STATUSES = ['queued', 'active', 'hitl', 'parked', 'done', 'closed'] as const;
/** A status of {@link TASK_STATUSES}. */
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * A change request's state: `open`, `approved` (the review approved it, the
 * merge has not happened yet: a restart merges it without a new review),
 * `merged`, `closed`.
 */
const CHANGE_STATES = ['open', 'approved', 'merged', 'closed'] as const;

const count = z.int().check(z.minimum(0));
const timestamp = z.string().check(z.minLength(1));

/** A change request ("PR") of a task. */
const ChangeSchema = z.object({
  number: z.int().check(z.minimum(1)),
  url: z.string(),
  state: z.enum(CHANGE_STATES),
});
/** A task's change request. */
export type TaskChange = z.infer<typeof ChangeSchema>;

/** One entry of a task's history: a stage run's result or a human's action. */
const HistoryEntrySchema = z.object({
  stage: z.enum(TASK_STAGES),
  at: timestamp,
  outcome: z.string().check(z.minLength(1)),
  detail: z.string(),
});
/** An entry of a task's history. */
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** The persisted task, `version: 1`. */
export const TaskSchema = z.object({
  version: z.literal(1),
  id: z.int().check(z.minimum(1)),
  title: z.string(),
  body: z.string(),
  labels: z.array(z.string()),
  stage: z.enum(TASK_STAGES),
  status: z.enum(TASK_STATUSES),
  /** plan and implement: failed runs of the stage; review: review rejections (the caps bound these). */
  attempts: z.object({ plan: count, implement: count, review: count }),
  branch: z.string().check(z.minLength(1)),
  change: z.nullable(ChangeSchema),
  /** The plan the plan stage wrote; the implement prompt carries it. */
  plan: z.nullable(z.string()),
  /** The last review's feedback when it asked for changes; the implement prompt carries it. */
  review_feedback: z.nullable(z.string()),
  /** Why the task is with a human, and the stage it came from. */
  hitl: z.nullable(z.object({ cause: z.string(), origin_stage: z.enum(WORK_STAGES) })),
  /** The human's last correction; the prompts of the runs after it carry it. */
  correction: z.nullable(z.string()),
  history: z.array(HistoryEntrySchema),
  last_error: z.nullable(z.string()),
  created_at: timestamp,
  updated_at: timestamp,
});
/** A persisted task. */
export type Task = z.infer<typeof TaskSchema>;

/** What a new task is made from (checked by validateNewTask). */
export interface NewTask {
  title: string;
  body: string;
  labels: string[];
}

/** The branch a task's commits go on: `agent/issue-<id>`. */
function branchFor(id: number): string {
  return `agent/issue-${id}`;
}

/** A new task at `triage`, queued, with nothing done yet. */
export function newTask(id: number, input: NewTask, now: Date): Task {
  const at = now.toISOString();
  return {
    version: 1,
    id,
    title: input.title,
    body: input.body,
    labels: [...input.labels],
    stage: 'triage',
    status: 'queued',
    attempts: { plan: 0, implement: 0, review: 0 },
    branch: branchFor(id),
    change: null,
    plan: null,
    review_feedback: null,
    hitl: null,
    correction: null,
    history: [],
    last_error: null,
    created_at: at,
    updated_at: at,
  };
}
