import { SerialQueue } from '@repovisor/kit';
import type { Result } from '@repovisor/kit';
import { chmod, lstat, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FOLDER_MODE } from '../../runtime/private-files.js';
import { PIPELINE_IDENTITY, pipelineGit } from './pipeline-git.js';
import type { GitStepFailure } from './pipeline-git.js';
import type { RemoteTarget } from './remote-target.js';
import { taskBranch, workspaceName, workspacesFolder } from './task-names.js';

/** A task's workspace, ready for an agent: on the task's branch, clean, at `head`. */
export interface TaskWorkspace {
  id: number;
  /** `<data_root>/workspaces/issue-<id>`. */
  path: string;
  /** `agent/issue-<id>`, checked out. */
  branch: string;
  /** False when an existing workspace was reused (and reset). */
  created: boolean;
  /** `pushed`: the branch's pushed state on the remote; `base`: the base branch's remote head (nothing pushed yet). */
  startedFrom: 'pushed' | 'base';
  /** The commit the workspace is at. */
  head: string;
}

/** Why a workspace could not be prepared: git failed in it, the remote could not be reached, or it has no base branch. */
export type WorkspaceFailure = GitStepFailure | { reason: 'remote_unreachable' | 'no_base_branch'; message: string };

const WORKSPACE_PATTERN = /^issue-(\d+)$/;
// What git keeps in .git while a multi-step command is under way.
const IN_PROGRESS = ['rebase-merge', 'rebase-apply', 'MERGE_HEAD', 'MERGE_MSG', 'MERGE_MODE', 'CHERRY_PICK_HEAD', 'REVERT_HEAD', 'sequencer'];
const TEMPORARY_PATTERN = /^\.issue-\d+\.(\d+)\.tmp$/;

/**
 * The task workspaces of one repository: each a `git clone --local` of the
 * repository under the data root (hardlinked objects, its own refs, index and
 * config), with the remote set to the repository's real remote URL. Making or
 * resetting one never writes to the repository itself (docs/ARCHITECTURE.md,
 * "Task workspaces").
 */
export class TaskWorkspaces {
  private readonly folder: string;
  // One step at a time per task: a prepare and a remove of one workspace never interleave.
  private readonly queues = new Map<number, SerialQueue>();
  private identityRead: Promise<string[]> | undefined;

  constructor(
    private readonly repoPath: string,
    dataRoot: string,
    private readonly target: RemoteTarget,
  ) {
    this.folder = workspacesFolder(dataRoot);
  }

  /** Where task `id`'s workspace is (whether or not it exists). */
  pathOf(id: number): string {
    return join(this.folder, workspaceName(id));
  }

  /**
   * Creates task `id`'s workspace, or reuses it, and puts it on branch
   * `agent/issue-<id>` at the branch's pushed state when the remote has the
   * branch, else at the base branch's remote head. Whatever an earlier run left
   * (uncommitted files, unpushed commits, a merge in progress) is discarded.
   */
  async prepare(id: number): Promise<Result<{ workspace: TaskWorkspace }, WorkspaceFailure>> {
    const path = this.pathOf(id);
    return this.queueOf(id).run(() => this.prepareAt(id, path));
  }

  private async prepareAt(id: number, path: string): Promise<Result<{ workspace: TaskWorkspace }, WorkspaceFailure>> {
    let created = !(await isWorkspace(path));
    if (created) {
      const made = await this.create(id, path);
      if (!made.ok) return made;
    }
    let synced = await this.reset(id, path);
    if (!synced.ok && synced.reason === 'git' && !created) {
      // A workspace git can no longer work in (a crash mid-write, a deleted object) is made again.
      created = true;
      const made = await this.create(id, path);
      if (!made.ok) return made;
      synced = await this.reset(id, path);
    }
    if (!synced.ok) return synced;
    return { ok: true, workspace: { id, path, branch: taskBranch(id), created, startedFrom: synced.startedFrom, head: synced.head } };
  }

  /** The path of task `id`'s workspace when one is there (as its last run left it), else undefined. */
  async existing(id: number): Promise<string | undefined> {
    const path = this.pathOf(id);
    return (await isWorkspace(path)) ? path : undefined;
  }

  /** Removes task `id`'s workspace, if there is one. */
  async remove(id: number): Promise<void> {
    const path = this.pathOf(id);
    return this.queueOf(id).run(() => this.removeFolder(path));
  }

  /**
   * Removes the workspaces of tasks not in `keepIds` (ended, or unknown: a
   * crash left them) and half-made ones of earlier processes; resolves with
   * the folder names removed.
   */
  async collectLeftovers(keepIds: Iterable<number>): Promise<string[]> {
    const keep = new Set(keepIds);
    const names = await readdir(this.folder).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of names) {
      const workspace = WORKSPACE_PATTERN.exec(name);
      const temporary = TEMPORARY_PATTERN.exec(name);
      const leftover = workspace !== null ? !keep.has(Number(workspace[1])) : temporary !== null && Number(temporary[1]) !== process.pid;
      if (!leftover) continue;
      const path = join(this.folder, name);
      await (workspace === null ? this.removeFolder(path) : this.queueOf(Number(workspace[1])).run(() => this.removeFolder(path)));
      removed.push(name);
    }
    return removed;
  }

  private queueOf(id: number): SerialQueue {
    let queue = this.queues.get(id);
    if (queue === undefined) this.queues.set(id, (queue = new SerialQueue()));
    return queue;
  }

  private async create(id: number, path: string): Promise<Result<object, WorkspaceFailure>> {
    await mkdir(this.folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    // Made under a temporary name and renamed into place: a workspace at its own path is always a whole clone.
    const temporary = join(this.folder, `.${workspaceName(id)}.${process.pid}.tmp`);
    await this.removeFolder(path);
    await rm(temporary, { recursive: true, force: true });
    const { remote, url } = this.target;
    const identity = (await this.identity()).flatMap((setting) => ['--config', setting]);
    const cloned = await pipelineGit(this.folder, ['clone', '--quiet', '--local', '--no-checkout', ...identity, '--origin', remote, this.repoPath, temporary]);
    if (!cloned.ok) return cloned;
    const pointed = await pipelineGit(temporary, ['remote', 'set-url', remote, url]);
    if (!pointed.ok) return pointed;
    // The clone's remote-tracking branches are the repository's local ones, not the remote's: gone, the real ones are fetched.
    const stale = await pipelineGit(temporary, ['for-each-ref', '--format=%(refname:lstrip=2)', 'refs/remotes/']);
    const refs = stale.ok ? stale.stdout.split('\n').filter((ref) => ref !== '' && !ref.endsWith('/HEAD')) : [];
    for (let at = 0; at < refs.length; at += 100) await pipelineGit(temporary, ['branch', '--quiet', '--delete', '--force', '--remotes', ...refs.slice(at, at + 100)]);
    // The repository's local branches (its checked-out one among them, maybe with unpushed commits) are not the task's.
    const locals = await pipelineGit(temporary, ['for-each-ref', '--format=%(refname:lstrip=2)', 'refs/heads/']);
    const branches = locals.ok ? locals.stdout.split('\n').filter((name) => name !== '') : [];
    const unborn = await pipelineGit(temporary, ['symbolic-ref', 'HEAD', `refs/heads/${taskBranch(id)}`]);
    if (!unborn.ok) return unborn;
    for (let at = 0; at < branches.length; at += 100) await pipelineGit(temporary, ['branch', '--quiet', '-D', ...branches.slice(at, at + 100)]);
    await chmod(temporary, PRIVATE_FOLDER_MODE);
    await rename(temporary, path);
    return { ok: true };
  }

  /**
   * `user.name=…` and `user.email=…` for the workspaces: the repository's
   * identity (or the pipeline's), so that agents can commit. Read once per
   * worker: the operator's identity does not change under a running pipeline.
   */
  private identity(): Promise<string[]> {
    this.identityRead ??= (async () => {
      const name = await pipelineGit(this.repoPath, ['config', '--get', 'user.name']);
      const email = await pipelineGit(this.repoPath, ['config', '--get', 'user.email']);
      const known = name.ok && email.ok && name.stdout !== '' && email.stdout !== '';
      return [`user.name=${known ? name.stdout : PIPELINE_IDENTITY.name}`, `user.email=${known ? email.stdout : PIPELINE_IDENTITY.email}`];
    })();
    return this.identityRead;
  }

  private async reset(id: number, path: string): Promise<Result<{ startedFrom: 'pushed' | 'base'; head: string }, WorkspaceFailure>> {
    const { remote, baseBranch } = this.target;
    const branch = taskBranch(id);
    const listed = await pipelineGit(path, ['ls-remote', remote, `refs/heads/${baseBranch}`, `refs/heads/${branch}`]);
    if (!listed.ok) {
      // A workspace git cannot read (a garbled HEAD, a crash mid-write) fails as git, so that it is made again.
      const readable = await pipelineGit(path, ['rev-parse', '--git-dir']);
      if (!readable.ok) return readable;
      return { ok: false, reason: 'remote_unreachable', message: `cannot reach remote "${remote}" (${this.target.url}): ${listed.message}; check that it is reachable from this host` };
    }
    const onRemote = new Set(listed.stdout.split('\n').map((line) => line.split('\t')[1]));
    if (!onRemote.has(`refs/heads/${baseBranch}`)) {
      return { ok: false, reason: 'no_base_branch', message: `remote "${remote}" (${this.target.url}) has no branch "${baseBranch}"; push it there, or set pipeline.base_branch to a branch it has` };
    }
    const pushed = onRemote.has(`refs/heads/${branch}`);
    const refspecs = [`+refs/heads/${baseBranch}:refs/remotes/${remote}/${baseBranch}`];
    if (pushed) refspecs.push(`+refs/heads/${branch}:refs/remotes/${remote}/${branch}`);
    const fetched = await pipelineGit(path, ['fetch', '--quiet', '--no-tags', remote, ...refspecs]);
    if (!fetched.ok) return fetched;
    // A branch deleted on the remote (merged, or never pushed) must not leave a tracking ref a retry would start from.
    if (!pushed && (await hasRef(path, `refs/remotes/${remote}/${branch}`))) await pipelineGit(path, ['update-ref', '-d', `refs/remotes/${remote}/${branch}`]);
    const start = `refs/remotes/${remote}/${pushed ? branch : baseBranch}`;
    // A rebase, merge, cherry-pick or revert an agent left half done is dropped; checkout --force then resets the index and files.
    for (const state of IN_PROGRESS) await rm(join(path, '.git', state), { recursive: true, force: true });
    for (const args of [['checkout', '--quiet', '--force', '--no-track', '-B', branch, start], ['clean', '--quiet', '-ffdx']]) {
      const step = await pipelineGit(path, args);
      if (!step.ok) return step;
    }
    const head = await pipelineGit(path, ['rev-parse', 'HEAD']);
    if (!head.ok) return head;
    return { ok: true, startedFrom: pushed ? 'pushed' : 'base', head: head.stdout };
  }

  private async removeFolder(path: string): Promise<void> {
    const linked = await lstat(join(path, '.git')).then((info) => info.isFile(), () => false);
    await rm(path, { recursive: true, force: true });
    // A workspace made by an older worker was a linked worktree: its metadata in the repository goes with it.
    if (linked) await pipelineGit(this.repoPath, ['worktree', 'prune']);
  }
}

/** Whether the clone at `path` has `ref`, loose or packed: read from its files, which costs no git process. */
async function hasRef(path: string, ref: string): Promise<boolean> {
  if (await lstat(join(path, '.git', ref)).then(() => true, () => false)) return true;
  const packed = await readFile(join(path, '.git', 'packed-refs'), 'utf8').catch(() => '');
  return packed.split('\n').some((line) => line.endsWith(` ${ref}`));
}

async function isWorkspace(path: string): Promise<boolean> {
  return lstat(join(path, '.git')).then((info) => info.isDirectory(), () => false);
}
