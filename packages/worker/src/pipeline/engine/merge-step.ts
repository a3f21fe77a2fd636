import type { LocalChangeHost } from '../git/local-change-host.js';
import type { TaskWorkspace } from '../git/task-workspaces.js';
import type { StageOutcome } from '../tasks/stage-outcome.js';
import type { Task } from '../tasks/task.js';
import { PipelineFault } from './pipeline-fault.js';

/** What merging a task's approved change did: the outcome for `advance`, and the squash commit. */
export interface MergeResult {
  outcome: Extract<StageOutcome, { kind: 'merged' | 'merge_conflict' }>;
  commit: string | null;
}

/**
 * Squash-merges `task`'s approved change into the base branch on the remote
 * from its `workspace`. A conflict, or a branch gone from the remote, is for
 * a human; a git failure or a base that kept moving is a
 * {@link PipelineFault}, retried after the next poll. Never merges twice: the
 * host sees a merge it already pushed.
 */
export async function mergeApproved(host: LocalChangeHost, task: Task, workspace: TaskWorkspace): Promise<MergeResult> {
  const record = await host.changeOf(task.id);
  if (record === undefined) {
    throw new PipelineFault('merge', `task ${task.id} has an approved change #${task.change?.number ?? '?'} but no change record under the data root's changes/: it was deleted; close the task, or create it again`);
  }
  const merged = await host.merge(record, workspace.path);
  const base = host.target.baseBranch;
  if (merged.ok) {
    const commit = merged.record.merge_commit;
    const detail = merged.alreadyMerged ? `already merged into ${base}${commit === null ? '' : ` as ${commit}`}` : commit === null ? `${base} already had every change of ${task.branch}` : `squash-merged into ${base} as ${commit}`;
    return { outcome: { kind: 'merged', detail }, commit };
  }
  switch (merged.reason) {
    case 'conflict':
    case 'branch_missing':
      return { outcome: { kind: 'merge_conflict', detail: merged.message }, commit: null };
    case 'base_kept_moving':
    case 'git':
      throw new PipelineFault('merge', `could not merge task ${task.id}'s change into ${base}: ${merged.message}`);
    default:
      return unreachable(merged);
  }
}

function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
