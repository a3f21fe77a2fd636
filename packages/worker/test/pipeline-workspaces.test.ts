import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalChangeHost } from '../src/pipeline/git/local-change-host.js';
import type { TaskWorkspace } from '../src/pipeline/git/task-workspaces.js';
import { commitFile, git } from '../../../tests/helpers/git-repo.js';
import { createOriginRig } from '../../../tests/helpers/origin-rig.js';
import type { OriginRig } from '../../../tests/helpers/origin-rig.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();

afterEach(async () => {
  await temp.cleanup();
});

async function rigWithHost(): Promise<{ rig: OriginRig; host: LocalChangeHost; before: string }> {
  const rig = await createOriginRig(temp);
  const before = await rig.operatorState();
  const opened = await LocalChangeHost.open({ repoPath: rig.repo, dataRoot: rig.dataRoot, remote: 'origin', baseBranch: null });
  if (!opened.ok) throw new Error(opened.message);
  return { rig, host: opened.host, before };
}

async function prepared(host: LocalChangeHost, id: number): Promise<TaskWorkspace> {
  const result = await host.workspaces.prepare(id);
  if (!result.ok) throw new Error(result.message);
  return result.workspace;
}

describe('task workspaces', () => {
  it('are local clones on agent/issue-<id> at the base branch\'s remote head, pointed at the real remote', async () => {
    const { rig, host, before } = await rigWithHost();
    const workspace = await prepared(host, 7);
    expect(workspace).toEqual({
      id: 7,
      path: join(rig.dataRoot, 'workspaces', 'issue-7'),
      branch: 'agent/issue-7',
      created: true,
      startedFrom: 'base',
      head: await rig.originMain(),
    });
    expect(await git(workspace.path, 'symbolic-ref', 'HEAD')).toBe('refs/heads/agent/issue-7');
    expect(await git(workspace.path, 'remote', 'get-url', 'origin')).toBe(rig.origin);
    expect(await git(workspace.path, 'status', '--porcelain')).toBe('');
    // Neither the operator's unpushed commit nor its local branches are in the workspace's refs.
    expect(await git(workspace.path, 'for-each-ref', '--format=%(refname)')).toBe('refs/heads/agent/issue-7\nrefs/remotes/origin/main');
    expect(await git(workspace.path, 'config', 'user.email')).toBe('operator@repovisor.invalid');
    expect((await stat(workspace.path)).mode & 0o777).toBe(0o700);
    expect(await rig.operatorState()).toBe(before);
  });

  it('reset a retry to the pushed state of the branch, discarding what was not pushed', async () => {
    const { rig, host, before } = await rigWithHost();
    const first = await prepared(host, 3);
    await commitFile(first.path, 'feature.txt', 'pushed work\n');
    const pushed = await host.pushBranch(first.path, first.branch);
    if (!pushed.ok) throw new Error(pushed.message);
    await commitFile(first.path, 'unpushed.txt', 'lost on retry\n');
    await writeFile(join(first.path, 'feature.txt'), 'uncommitted edit\n');
    await writeFile(join(first.path, 'untracked.txt'), 'left behind\n');
    await mkdir(join(first.path, 'build'));
    await writeFile(join(first.path, 'build', 'out.o'), 'ignored or not, gone\n');

    const retry = await prepared(host, 3);
    expect(retry).toMatchObject({ created: false, startedFrom: 'pushed', head: pushed.head });
    expect(await git(rig.origin, 'rev-parse', 'refs/heads/agent/issue-3')).toBe(pushed.head);
    expect(await git(retry.path, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    expect((await readdir(retry.path)).sort()).toEqual(['.git', 'feature.txt', 'file-0.txt', 'file-1.txt', 'shared.txt']);
    expect(await rig.operatorState()).toBe(before);
  });

  it('clear a merge an agent left half done, with its conflicts', async () => {
    const { host } = await rigWithHost();
    const first = await prepared(host, 8);
    await git(first.path, 'checkout', '-q', '-b', 'side');
    await commitFile(first.path, 'shared.txt', 'the side says this\n');
    await git(first.path, 'checkout', '-q', first.branch);
    await commitFile(first.path, 'shared.txt', 'the task says that\n');
    await expect(git(first.path, 'merge', 'side')).rejects.toThrow();
    expect(await git(first.path, 'diff', '--name-only', '--diff-filter=U')).toBe('shared.txt');

    const retry = await prepared(host, 8);
    expect(retry).toMatchObject({ created: false, startedFrom: 'base' });
    expect(await git(retry.path, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    await expect(git(retry.path, 'rev-parse', '--verify', '--quiet', 'MERGE_HEAD')).rejects.toThrow();
    expect(await git(retry.path, 'rev-parse', 'HEAD')).toBe(retry.head);
  });

  it('start from the base again once the branch is gone from the remote', async () => {
    const { rig, host } = await rigWithHost();
    const first = await prepared(host, 4);
    await commitFile(first.path, 'feature.txt', 'work\n');
    const pushed = await host.pushBranch(first.path, first.branch);
    expect(pushed.ok).toBe(true);
    await git(rig.origin, 'update-ref', '-d', 'refs/heads/agent/issue-4');
    const retry = await prepared(host, 4);
    expect(retry).toMatchObject({ created: false, startedFrom: 'base', head: await rig.originMain() });
    await expect(git(retry.path, 'rev-parse', '--verify', '--quiet', 'refs/remotes/origin/agent/issue-4')).rejects.toThrow();
  });

  it('follow the base branch when someone else moved it', async () => {
    const { rig, host } = await rigWithHost();
    await prepared(host, 5);
    const other = await rig.otherClone();
    await commitFile(other, 'elsewhere.txt', 'moved the base\n');
    await git(other, 'push', '-q', 'origin', 'main');
    const again = await prepared(host, 5);
    expect(again).toMatchObject({ created: false, startedFrom: 'base', head: await rig.originMain() });
  });

  it('are made again when git can no longer work in them', async () => {
    const { rig, host } = await rigWithHost();
    const first = await prepared(host, 6);
    await writeFile(join(first.path, '.git', 'HEAD'), 'garbage\n');
    const again = await prepared(host, 6);
    expect(again).toMatchObject({ created: true, startedFrom: 'base', head: await rig.originMain() });
  });

  it('are removed, and leftovers of ended, unknown or half-made tasks collected', async () => {
    const { rig, host, before } = await rigWithHost();
    // Two prepares of one task at once take turns: one makes the workspace, the other reuses it.
    const [one, again] = await Promise.all([prepared(host, 1), prepared(host, 1)]);
    expect([one.created, again.created]).toEqual([true, false]);
    for (const id of [2, 3]) await prepared(host, id);
    await expect(host.workspaces.prepare(0)).rejects.toThrow(RangeError);
    const folder = join(rig.dataRoot, 'workspaces');
    // A clone a killed worker was making (its pid is not this process's), and a folder that is not ours.
    await mkdir(join(folder, '.issue-9.999999.tmp'));
    await mkdir(join(folder, 'notes'));
    await host.workspaces.remove(1);
    await host.workspaces.remove(1);
    expect(await host.workspaces.collectLeftovers([3, 8])).toEqual(expect.arrayContaining(['issue-2', '.issue-9.999999.tmp']));
    expect((await readdir(folder)).sort()).toEqual(['issue-3', 'notes']);
    expect(await rig.operatorState()).toBe(before);
  });

  it('replace a linked worktree an older worker made, and prune its metadata from the repository', async () => {
    const { rig, host } = await rigWithHost();
    const old = join(rig.dataRoot, 'workspaces', 'issue-2');
    await mkdir(join(rig.dataRoot, 'workspaces'), { recursive: true });
    await git(rig.repo, 'worktree', 'add', '-q', '--detach', old, 'HEAD');
    const workspace = await prepared(host, 2);
    expect(workspace).toMatchObject({ created: true, startedFrom: 'base' });
    expect((await stat(join(old, '.git'))).isDirectory()).toBe(true);
    expect(await git(rig.repo, 'worktree', 'list', '--porcelain')).not.toContain(old);
  });
});
