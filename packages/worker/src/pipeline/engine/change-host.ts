import type { Result } from '@repovisor/kit';
import type { TaskWorkspaces } from '../git/task-workspaces.js';
import type { Task } from '../tasks/task.js';

/** A review's verdict, as the change host records it (a pull request review on GitHub). */
interface ReviewVerdict {
  verdict: 'approve' | 'request_changes';
  summary: string;
  feedback: string;
}

/**
 * How merging a change ended: its squash commit on the base (null when the
 * branch brought nothing new), or why not. `conflict` (the change cannot be
 * merged as it is) and `gone` (its branch or record is gone) are for a human;
 * `retry` (git failed, the base kept moving, the host is down) is tried again.
 */
export type ChangeMerge = Result<{ commit: string | null; alreadyMerged: boolean }, { reason: 'conflict' | 'gone' | 'retry'; message: string }>;

/**
 * Where a task's branch goes and how its change is merged: the repo's git
 * remote with change records in the data root (`source: local`), or GitHub
 * with pull requests. The engine never talks to a host otherwise.
 */
export interface ChangeHost {
  /** The remote branches are pushed to, and the branch changes are merged into. */
  readonly target: { remote: string; baseBranch: string };
  /** The task workspaces, cloned from the repository and pointed at the remote. */
  readonly workspaces: TaskWorkspaces;
  /** Pushes `branch` from `workspace` (leased: never over someone else's push). */
  pushBranch(workspace: string, branch: string): Promise<Result<{ head: string }, { message: string }>>;
  /** Opens the task's change request, or returns the one it has: never two for one task. */
  openChange(request: { taskId: number; title: string; branch: string }): Promise<{ record: { number: number; url: string }; created: boolean }>;
  /** Records a review of the task's change (nothing to do for a host without reviews). */
  reviewed(task: Task, review: ReviewVerdict): Promise<void>;
  /** Squash-merges the task's approved change from `workspace` and deletes its branch; never merges twice. */
  mergeChange(task: Task, workspace: string): Promise<ChangeMerge>;
}
