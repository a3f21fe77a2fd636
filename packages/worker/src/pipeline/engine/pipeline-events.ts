import type { AgentStage } from '@repovisor/protocol';
import type { Task, TaskStage } from '../tasks/task.js';
import { toPipelineSnapshot } from '../tasks/task-views.js';

/** Publishes an event on the runtime's bus. */
export type Publish = (type: string, data: Record<string, unknown>) => void;

/** The event type of each agent stage's progress, HydraFlow's names. */
const STAGE_EVENT: Record<AgentStage, string> = {
  triage: 'triage_update',
  plan: 'planner_update',
  implement: 'worker_update',
  review: 'review_update',
  hitl: 'hitl_update',
};

/**
 * The pipeline's events, with HydraFlow's type names and `issue` for the
 * task's id: one method a kind, so that every event of a kind has one shape.
 */
export class PipelineEvents {
  private lastQueue = '';

  constructor(private readonly publish: Publish) {}

  /** A stage run started or ended (`triage_update`, `planner_update`, `worker_update`, `review_update`, `hitl_update`). */
  stageRun(stage: AgentStage, task: Task, status: 'started' | 'done' | 'failed', attempt: number, detail: string): void {
    this.publish(STAGE_EVENT[stage], { issue: task.id, stage, status, attempt, detail });
  }

  /** One stdout line of an agent. */
  transcriptLine(task: Task, stage: AgentStage, attempt: number, line: string): void {
    this.publish('transcript_line', { issue: task.id, stage, attempt, line });
  }

  /** A task moved from one stage to another. */
  phaseChange(task: Task, from: TaskStage): void {
    if (task.stage === from) return;
    this.publish('phase_change', { issue: task.id, title: task.title, from, to: task.stage, status: task.status });
  }

  /** A change request was opened for a task. */
  prCreated(task: Task, change: { number: number; url: string }): void {
    this.publish('pr_created', { issue: task.id, pr: change.number, url: change.url, branch: task.branch });
  }

  /** A merge was done, or could not be. */
  mergeUpdate(task: Task, status: 'merged' | 'conflict' | 'failed', detail: string, commit: string | null = null): void {
    this.publish('merge_update', { issue: task.id, pr: task.change?.number ?? null, status, commit, detail });
  }

  /** A task went to a human. */
  hitlEscalation(task: Task): void {
    this.publish('hitl_escalation', { issue: task.id, title: task.title, cause: task.hitl?.cause ?? '', origin_stage: task.hitl?.origin_stage ?? null, pr: task.change?.number ?? null });
  }

  /** A human corrected, skipped or closed a task. */
  humanAction(task: Task, action: 'correct' | 'skip' | 'close'): void {
    this.publish('hitl_update', { issue: task.id, action, stage: task.stage, status: task.status });
  }

  /** Something went wrong in a stage (the task, when there is one, stays where it is). */
  error(stage: string, message: string, taskId: number | null): void {
    this.publish('error', { stage, issue: taskId, message });
  }

  /** The same error came `count` times in a row: an operator should look. */
  systemAlert(stage: string, message: string, count: number): void {
    this.publish('system_alert', { stage, message, count });
  }

  /** The tasks of each working stage, when they changed since the last one. */
  queueUpdate(tasks: readonly Task[]): void {
    const { stages } = toPipelineSnapshot(tasks);
    const counts = Object.fromEntries(Object.entries(stages).map(([stage, items]) => [stage, items.length]));
    const active = Object.fromEntries(Object.entries(stages).map(([stage, items]) => [stage, items.filter((item) => item.status === 'active').length]));
    const key = JSON.stringify([counts, active]);
    if (key === this.lastQueue) return;
    this.lastQueue = key;
    this.publish('queue_update', { queue: counts, active });
  }
}
