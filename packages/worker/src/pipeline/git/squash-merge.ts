import type { Failure, Result } from '@repovisor/kit';
import { pipelineGit } from './pipeline-git.js';
import type { GitStepFailure } from './pipeline-git.js';
import type { RemoteTarget } from './remote-target.js';
import { taskTrailer } from './task-names.js';

/** What to squash-merge: task `taskId`'s `branch` on the remote, into the base branch. */
export interface SquashMergeRequest {
  taskId: number;
  title: string;
  branch: string;
  /** The workspace the merge is made in (its remote is the target's). */
  workspace: string;
}

/** How a squash merge ended: `commit` is on the remote's base (null when the branch brought nothing new). */
export type SquashMergeOutcome = Result<
  { commit: string | null; alreadyMerged: boolean },
  GitStepFailure | { reason: 'conflict'; message: string; files: string[] } | { reason: 'branch_missing' | 'base_kept_moving'; message: string }
>;

/** How many times a push refused because the base moved is fetched and made again. */
const PUSH_ATTEMPTS = 5;

/**
 * Squash-merges a task's branch into the base branch on the remote, in the
 * task's workspace: fetch, check out the remote base detached, `merge
 * --squash`, commit with the task's trailer (`Repovisor-Task: <id>`), push
 * `HEAD:refs/heads/<base>`; a push refused because the base moved is made
 * again on the new base. A base whose history already has the task's
 * trailer is not merged again (a worker killed after the push), and the
 * branch is deleted on the remote either way.
 */
export async function squashMerge(target: RemoteTarget, request: SquashMergeRequest): Promise<SquashMergeOutcome> {
  const git = (...args: string[]): ReturnType<typeof pipelineGit> => pipelineGit(request.workspace, args);
  const { remote, baseBranch } = target;
  const base = `refs/remotes/${remote}/${baseBranch}`;
  const branch = `refs/remotes/${remote}/${request.branch}`;
  for (let attempt = 1; attempt <= PUSH_ATTEMPTS; attempt += 1) {
    const listed = await git('ls-remote', remote, `refs/heads/${request.branch}`);
    if (!listed.ok) return listed;
    const refspecs = [`+refs/heads/${baseBranch}:${base}`];
    const branchOnRemote = listed.stdout !== '';
    if (branchOnRemote) refspecs.push(`+refs/heads/${request.branch}:${branch}`);
    const fetched = await git('fetch', '--quiet', '--no-tags', remote, ...refspecs);
    if (!fetched.ok) return fetched;
    const landed = await git('log', '--format=%H', '-1', '--extended-regexp', `--grep=^${taskTrailer(request.taskId)}$`, base);
    if (!landed.ok) return landed;
    if (landed.stdout !== '') return finish(request, target, landed.stdout, true, branchOnRemote);
    if (!branchOnRemote) {
      return { ok: false, reason: 'branch_missing', message: `branch ${request.branch} is not on remote "${remote}" (${target.url}), and ${baseBranch} has no commit of task ${request.taskId}: push the branch again` };
    }
    const made = await commitSquash(request, base, branch);
    if (!made.ok) return made;
    if (made.commit === null) return finish(request, target, null, false, true);
    const pushed = await git('push', '--quiet', remote, `HEAD:refs/heads/${baseBranch}`);
    if (pushed.ok) return finish(request, target, made.commit, false, true);
    if (!refusedAsBehind(pushed.stderr)) return pushed;
  }
  return {
    ok: false,
    reason: 'base_kept_moving',
    message: `${baseBranch} on remote "${remote}" moved during each of ${PUSH_ATTEMPTS} attempts to push the squash merge of ${request.branch}; try again when it is quieter`,
  };
}

/** Makes the squash commit on the remote base, detached; null when the branch adds nothing to it. */
async function commitSquash(request: SquashMergeRequest, base: string, branch: string): Promise<{ ok: true; commit: string | null } | Failure<SquashMergeOutcome>> {
  const git = (...args: string[]): ReturnType<typeof pipelineGit> => pipelineGit(request.workspace, args);
  await git('reset', '--quiet', '--hard');
  const checkedOut = await git('checkout', '--quiet', '--force', '--detach', base);
  if (!checkedOut.ok) return checkedOut;
  const cleaned = await git('clean', '--quiet', '-ffdx');
  if (!cleaned.ok) return cleaned;
  const merged = await git('merge', '--squash', '--no-commit', branch);
  if (!merged.ok) {
    const unmerged = await git('diff', '--name-only', '--diff-filter=U');
    const files = unmerged.ok ? unmerged.stdout.split('\n').filter((file) => file !== '') : [];
    await git('reset', '--quiet', '--hard');
    if (files.length === 0) return merged;
    return {
      ok: false,
      reason: 'conflict',
      files,
      message: `${request.branch} conflicts with ${base.replace(/^refs\/remotes\//, '')} in ${files.join(', ')}: the branch must be brought up to date with the base`,
    };
  }
  const staged = await git('diff', '--cached', '--quiet');
  if (staged.ok) return { ok: true, commit: null };
  const message = `Task ${request.taskId}: ${request.title}\n\nSquash-merged from ${request.branch}.\n\n${taskTrailer(request.taskId)}\n`;
  const committed = await git('commit', '--quiet', '--no-verify', '--message', message);
  if (!committed.ok) return committed;
  const head = await git('rev-parse', 'HEAD');
  if (!head.ok) return head;
  return { ok: true, commit: head.stdout };
}

async function finish(request: SquashMergeRequest, target: RemoteTarget, commit: string | null, alreadyMerged: boolean, branchOnRemote: boolean): Promise<SquashMergeOutcome> {
  if (branchOnRemote) {
    const deleted = await pipelineGit(request.workspace, ['push', '--quiet', target.remote, '--delete', `refs/heads/${request.branch}`]);
    if (!deleted.ok && !/remote ref does not exist/.test(deleted.stderr)) return deleted;
  }
  return { ok: true, commit, alreadyMerged };
}

/** True when git refused a push because the remote branch has commits the push lacks. */
function refusedAsBehind(stderr: string): boolean {
  // A push that lost the race to the ref is refused by the remote: `cannot lock ref '…': is at X but expected Y`.
  return /\[rejected\]|\(fetch first\)|non-fast-forward|cannot lock ref '[^']+': is at \S+ but expected/.test(stderr);
}
