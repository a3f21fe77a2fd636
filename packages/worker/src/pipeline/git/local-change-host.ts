import { SerialQueue } from '@repovisor/kit';
import type { Failure, Result } from '@repovisor/kit';
import { ChangeRecords } from './change-records.js';
import type { ChangeRecord } from './change-records.js';
import { PIPELINE_GIT_MAX_OUTPUT_BYTES, pipelineGit } from './pipeline-git.js';
import type { GitStepFailure } from './pipeline-git.js';
import { resolveRemoteTarget } from './remote-target.js';
import type { RemoteTarget, RemoteTargetFailure } from './remote-target.js';
import { squashMerge } from './squash-merge.js';
import type { SquashMergeOutcome } from './squash-merge.js';
import { TaskWorkspaces } from './task-workspaces.js';
import type { ChangeHost, ChangeMerge } from '../engine/change-host.js';
import type { Task } from '../tasks/task.js';

/** What {@link LocalChangeHost.open} needs: the repository, its data root, and `pipeline.remote` / `pipeline.base_branch`. */
export interface LocalChangeHostOptions {
  repoPath: string;
  dataRoot: string;
  remote: string;
  baseBranch: string | null;
  /** Told when an unreadable change record was moved aside. */
  onCorruptRecord?: (movedTo: string, reason: string) => void;
}

/** Why a push of a task's branch failed: git failed, or someone else pushed to the branch meanwhile. */
export type PushFailure = GitStepFailure | { reason: 'rejected'; message: string };

/** The outcome of {@link LocalChangeHost.merge}: the record as marked merged, or why not (a conflict sends the task to hitl). */
export type MergeOutcome = Result<{ record: ChangeRecord; alreadyMerged: boolean }, Failure<SquashMergeOutcome>>;

/**
 * The embedded change host: the repository's git remote. Task branches are
 * pushed there from their workspaces, change requests are records in the data
 * root, and an approved change is squash-merged into the base branch on the
 * remote. Nothing here writes to the repository's working tree, index,
 * branches or config; every write is in a workspace or on the remote.
 */
export class LocalChangeHost implements ChangeHost {
  /** The task workspaces, cloned from the repository and pointed at this remote. */
  readonly workspaces: TaskWorkspaces;
  private readonly records: ChangeRecords;
  private readonly merges = new SerialQueue();

  private constructor(
    /** The remote, its URL and the base branch. */
    readonly target: RemoteTarget,
    options: LocalChangeHostOptions,
  ) {
    this.workspaces = new TaskWorkspaces(options.repoPath, options.dataRoot, target);
    this.records = new ChangeRecords(options.dataRoot, options.onCorruptRecord);
  }

  /** The change host of a repository; fails when it lacks the remote or its base branch cannot be found, saying how to fix it. */
  static async open(options: LocalChangeHostOptions): Promise<Result<{ host: LocalChangeHost }, RemoteTargetFailure>> {
    const resolved = await resolveRemoteTarget(options);
    if (!resolved.ok) return resolved;
    return { ok: true, host: new LocalChangeHost(resolved.target, options) };
  }

  /**
   * Pushes `branch` from `workspace` to the remote. It may rewrite what the
   * workspace started from (an agent's rebase), but not what someone else
   * pushed meanwhile: the push leases the branch's state the workspace last saw.
   */
  async pushBranch(workspace: string, branch: string): Promise<Result<{ head: string }, PushFailure>> {
    const { remote } = this.target;
    const seen = await pipelineGit(workspace, ['rev-parse', '--verify', '--quiet', `refs/remotes/${remote}/${branch}`]);
    const head = await pipelineGit(workspace, ['rev-parse', '--verify', `refs/heads/${branch}`]);
    if (!head.ok) return head;
    const lease = `--force-with-lease=refs/heads/${branch}:${seen.ok ? seen.stdout : ''}`;
    const pushed = await pipelineGit(workspace, ['push', '--quiet', '--no-verify', lease, remote, `refs/heads/${branch}:refs/heads/${branch}`]);
    if (pushed.ok) return { ok: true, head: head.stdout };
    if (/\[rejected\]|stale info/.test(pushed.stderr)) {
      return { ok: false, reason: 'rejected', message: `${branch} on remote "${remote}" changed since the workspace fetched it (someone else pushed to it); prepare the workspace again to start from what is there` };
    }
    return pushed;
  }

  /** How many commits `branch` in `workspace` has that the base branch (as last fetched) lacks. */
  async commitsAhead(workspace: string, branch: string): Promise<Result<{ count: number }, GitStepFailure>> {
    const counted = await pipelineGit(workspace, ['rev-list', '--count', `refs/remotes/${this.target.remote}/${this.target.baseBranch}..refs/heads/${branch}`]);
    if (!counted.ok) return counted;
    return { ok: true, count: Number(counted.stdout) };
  }

  /** The change of `branch` in `workspace` since it left the base branch, as a patch for review; `truncated` past 8 MiB. */
  async diff(workspace: string, branch: string): Promise<Result<{ diff: string; truncated: boolean }, GitStepFailure>> {
    const base = `refs/remotes/${this.target.remote}/${this.target.baseBranch}`;
    const diffed = await pipelineGit(workspace, ['diff', '--no-color', '--no-ext-diff', `${base}...refs/heads/${branch}`]);
    if (!diffed.ok) return diffed;
    return { ok: true, diff: diffed.stdout, truncated: Buffer.byteLength(diffed.stdout) >= PIPELINE_GIT_MAX_OUTPUT_BYTES };
  }

  /** Opens task `taskId`'s change request, or returns the one it has (never two for one task). */
  openChange(request: { taskId: number; title: string; branch: string }): Promise<{ record: ChangeRecord; created: boolean }> {
    return this.records.open({ ...request, baseBranch: this.target.baseBranch });
  }

  /** Task `taskId`'s change request, or undefined when none was opened. */
  changeOf(taskId: number): Promise<ChangeRecord | undefined> {
    return this.records.forTask(taskId);
  }

  /** A local change has no reviews of its own: the task's history keeps the verdict. */
  reviewed(): Promise<void> {
    return Promise.resolve();
  }

  /** {@link merge} of the task's change record, as the engine asks for it. */
  async mergeChange(task: Task, workspace: string): Promise<ChangeMerge> {
    const record = await this.changeOf(task.id);
    if (record === undefined) {
      return { ok: false, reason: 'gone', message: `task ${task.id} has an approved change #${task.change?.number ?? '?'} but no change record under the data root's changes/ (it was deleted)` };
    }
    const merged = await this.merge(record, workspace);
    if (merged.ok) return { ok: true, commit: merged.record.merge_commit, alreadyMerged: merged.alreadyMerged };
    const reason = merged.reason === 'conflict' ? 'conflict' : merged.reason === 'branch_missing' ? 'gone' : 'retry';
    return { ok: false, reason, message: merged.message };
  }

  /**
   * Squash-merges `change` into the base branch on the remote from
   * `workspace`, deletes its branch there and marks the record merged. A
   * change already merged, by this call's record or by a commit with the
   * task's trailer on the base, is not merged again. Merges run one at a time.
   */
  merge(change: ChangeRecord, workspace: string): Promise<MergeOutcome> {
    return this.merges.run(async () => {
      const current = (await this.records.forTask(change.task_id)) ?? change;
      if (current.state === 'merged') return { ok: true, record: current, alreadyMerged: true };
      const merged = await squashMerge(this.target, { taskId: current.task_id, title: current.title, branch: current.branch, workspace });
      if (!merged.ok) return merged;
      const record = await this.records.markMerged(current.number, merged.commit);
      return { ok: true, record, alreadyMerged: merged.alreadyMerged };
    });
  }
}
