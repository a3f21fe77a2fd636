import { AGENT_STAGES } from '@repovisor/protocol';
import type { AgentStage, PipelineSettings } from '@repovisor/protocol';

/** A lane of runs: an agent stage, or the merges of approved changes. */
export type Lane = AgentStage | 'merge';

/**
 * How many runs each lane may have at once (a stage's `max_workers`, else the
 * pipeline's; merges one at a time) and which tasks they are for: a task is
 * in at most one run.
 */
export class StageLanes {
  private readonly limits = new Map<Lane, number>();
  private readonly running = new Map<Lane, Set<number>>();
  private readonly busy = new Set<number>();

  constructor(settings: PipelineSettings) {
    for (const stage of AGENT_STAGES) this.limits.set(stage, settings.stages[stage]?.max_workers ?? settings.max_workers);
    this.limits.set('merge', 1);
  }

  /** Takes a place in `lane` for task `id`; false when the lane is full or the task already runs. */
  claim(lane: Lane, id: number): boolean {
    const running = this.running.get(lane) ?? new Set<number>();
    if (this.busy.has(id) || running.size >= (this.limits.get(lane) ?? 1)) return false;
    running.add(id);
    this.running.set(lane, running);
    this.busy.add(id);
    return true;
  }

  /** Gives task `id`'s place in `lane` back. */
  release(lane: Lane, id: number): void {
    this.running.get(lane)?.delete(id);
    this.busy.delete(id);
  }
}
