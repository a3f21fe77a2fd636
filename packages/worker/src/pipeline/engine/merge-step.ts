import type { StageOutcome } from '../tasks/stage-outcome.js';
import type { Task } from '../tasks/task.js';
import type { ChangeHost } from './change-host.js';
import { PipelineFault } from './pipeline-fault.js';

/** What merging a task's approved change did: the outcome for `advance`, and the squash commit. */
export interface MergeResult {
  outcome: Extract<StageOutcome, { kind: 'merged' | 'merge_conflict' }>;
  commit: string | null;
}

/**
 * Squash-merges `task`'s approved change into the base branch from its
 * workspace at `workspace` (the merge checks out what it needs itself). A conflict, or a branch or record gone, is for a human; what
 * can work on a second try (git failed, the base kept moving) is a
 * {@link PipelineFault}, retried after the next poll. Never merges twice: the
 * host sees a merge it already made.
 */
export async function mergeApproved(host: ChangeHost, task: Task, workspace: string): Promise<MergeResult> {
  const merged = await host.mergeChange(task, workspace);
  const base = host.target.baseBranch;
  if (merged.ok) {
    const { commit } = merged;
    const detail = merged.alreadyMerged ? `already merged into ${base}${commit === null ? '' : ` as ${commit}`}` : commit === null ? `${base} already had every change of ${task.branch}` : `squash-merged into ${base} as ${commit}`;
    return { outcome: { kind: 'merged', detail }, commit };
  }
  if (merged.reason === 'retry') throw new PipelineFault('merge', `could not merge task ${task.id}'s change into ${base}: ${merged.message}`);
  return { outcome: { kind: 'merge_conflict', detail: merged.message }, commit: null };
}
