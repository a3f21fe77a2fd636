import { afterEach, describe, expect, it } from '@jest/globals';
import { chmod, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalChangeHost } from '../src/pipeline/git/local-change-host.js';
import type { TaskWorkspace } from '../src/pipeline/git/task-workspaces.js';
import { commitFile, createGitRepo, git } from '../../../tests/helpers/git-repo.js';
import { createOriginRig } from '../../../tests/helpers/origin-rig.js';
import type { OriginRig } from '../../../tests/helpers/origin-rig.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();

afterEach(async () => {
  await temp.cleanup();
});

async function openHost(rig: OriginRig): Promise<LocalChangeHost> {
  const opened = await LocalChangeHost.open({ repoPath: rig.repo, dataRoot: rig.dataRoot, remote: 'origin', baseBranch: null });
  if (!opened.ok) throw new Error(opened.message);
  return opened.host;
}

/** A task's workspace with `files` committed on its branch and pushed. */
async function pushedTask(host: LocalChangeHost, id: number, files: Record<string, string>): Promise<TaskWorkspace> {
  const prepared = await host.workspaces.prepare(id);
  if (!prepared.ok) throw new Error(prepared.message);
  for (const [name, content] of Object.entries(files)) await commitFile(prepared.workspace.path, name, content);
  const pushed = await host.pushBranch(prepared.workspace.path, prepared.workspace.branch);
  if (!pushed.ok) throw new Error(pushed.message);
  return prepared.workspace;
}

async function pushFromOther(rig: OriginRig, name: string, content: string): Promise<string> {
  const other = await rig.otherClone();
  const head = await commitFile(other, name, content);
  await git(other, 'push', '-q', 'origin', 'main');
  return head;
}

describe('the local change host', () => {
  it('fails with how to fix it when the repo lacks the remote, and finds the base branch from the remote\'s HEAD', async () => {
    const root = await temp.make();
    const lonely = await createGitRepo(join(root, 'lonely'));
    const missing = await LocalChangeHost.open({ repoPath: lonely, dataRoot: join(root, 'data'), remote: 'origin', baseBranch: null });
    expect(missing).toMatchObject({ ok: false, reason: 'no_remote' });
    expect(!missing.ok && missing.message).toContain(`the repo has no remote "origin" (${lonely}); add one with \`git -C ${lonely} remote add origin <url>\`, or set pipeline.remote`);

    await git(root, 'init', '-q', '--bare', '-b', 'trunk', join(root, 'empty.git'));
    await git(lonely, 'remote', 'add', 'upstream', join(root, 'empty.git'));
    const empty = await LocalChangeHost.open({ repoPath: lonely, dataRoot: join(root, 'data'), remote: 'upstream', baseBranch: null });
    expect(empty).toMatchObject({ ok: false, reason: 'no_base_branch' });
    expect(!empty.ok && empty.message).toMatch(/push the base branch to it, or set pipeline\.base_branch/);

    const rig = await createOriginRig(temp);
    await git(rig.origin, 'symbolic-ref', 'HEAD', 'refs/heads/release');
    await git(rig.origin, 'branch', 'release', 'main');
    expect((await openHost(rig)).target).toEqual({ remote: 'origin', url: rig.origin, baseBranch: 'release' });
    const configured = await LocalChangeHost.open({ repoPath: rig.repo, dataRoot: rig.dataRoot, remote: 'origin', baseBranch: 'main' });
    expect(configured.ok && configured.host.target.baseBranch).toBe('main');
  });

  it('pushes the branch, counts its commits against the base and gives its diff', async () => {
    const rig = await createOriginRig(temp);
    const before = await rig.operatorState();
    const host = await openHost(rig);
    const workspace = await pushedTask(host, 1, { 'a.txt': 'alpha\n', 'b.txt': 'beta\n' });
    expect(await git(rig.origin, 'rev-parse', 'refs/heads/agent/issue-1')).toBe(await git(workspace.path, 'rev-parse', 'HEAD'));
    expect(await host.commitsAhead(workspace.path, workspace.branch)).toEqual({ ok: true, count: 2 });
    const diff = await host.diff(workspace.path, workspace.branch);
    expect(diff).toMatchObject({ ok: true, truncated: false });
    expect(diff.ok && diff.diff).toMatch(/^diff --git a\/a\.txt b\/a\.txt$[\s\S]*^\+alpha$[\s\S]*^\+beta$/m);
    expect(await rig.operatorState()).toBe(before);
  });

  it('refuses to push over what someone else pushed to the task\'s branch', async () => {
    const rig = await createOriginRig(temp);
    const host = await openHost(rig);
    const workspace = await pushedTask(host, 2, { 'mine.txt': 'mine\n' });
    const other = await rig.otherClone();
    await git(other, 'fetch', '-q', 'origin', 'agent/issue-2');
    await git(other, 'checkout', '-q', '-b', 'agent/issue-2', 'FETCH_HEAD');
    await commitFile(other, 'theirs.txt', 'theirs\n');
    await git(other, 'push', '-q', 'origin', 'agent/issue-2');
    await git(workspace.path, 'commit', '-q', '--amend', '-m', 'rewritten');
    expect(await host.pushBranch(workspace.path, workspace.branch)).toMatchObject({ ok: false, reason: 'rejected' });
  });

  it('opens exactly one change request per task, also when opened twice or after a restart', async () => {
    const rig = await createOriginRig(temp);
    const host = await openHost(rig);
    const [first, second] = await Promise.all([
      host.openChange({ taskId: 5, title: 'Add a thing', branch: 'agent/issue-5' }),
      host.openChange({ taskId: 5, title: 'Add a thing', branch: 'agent/issue-5' }),
    ]);
    expect(first).toMatchObject({ created: true, record: { number: 1, task_id: 5, state: 'open', base_branch: 'main', branch: 'agent/issue-5' } });
    expect(second).toEqual({ record: first.record, created: false });
    const other = await host.openChange({ taskId: 6, title: 'Another', branch: 'agent/issue-6' });
    expect(other.record.number).toBe(2);
    const restarted = await openHost(rig);
    expect(await restarted.openChange({ taskId: 5, title: 'Add a thing', branch: 'agent/issue-5' })).toEqual({ record: first.record, created: false });
    const folder = join(rig.dataRoot, 'changes');
    expect((await readdir(folder)).sort()).toEqual(['1.json', '2.json']);
    expect((await stat(join(folder, '1.json'))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(folder, '1.json'), 'utf8'))).toEqual(first.record);
  });

  it('moves a corrupt change record aside and keeps the others', async () => {
    const rig = await createOriginRig(temp);
    const host = await openHost(rig);
    await host.openChange({ taskId: 1, title: 'One', branch: 'agent/issue-1' });
    await host.openChange({ taskId: 2, title: 'Two', branch: 'agent/issue-2' });
    await writeFile(join(rig.dataRoot, 'changes', '1.json'), '{"number": 1, "task_');
    const moved: string[] = [];
    const opened = await LocalChangeHost.open({ repoPath: rig.repo, dataRoot: rig.dataRoot, remote: 'origin', baseBranch: null, onCorruptRecord: (to) => moved.push(to) });
    if (!opened.ok) throw new Error(opened.message);
    expect(await opened.host.changeOf(2)).toMatchObject({ number: 2, task_id: 2 });
    expect(moved).toEqual([expect.stringMatching(/\/changes\/1\.json\.corrupt-\d+$/)]);
  });

  it('squash-merges into the base on the remote once, deletes the branch, and a second merge is a no-op', async () => {
    const rig = await createOriginRig(temp);
    const before = await rig.operatorState();
    const host = await openHost(rig);
    const baseBefore = await rig.originMain();
    const workspace = await pushedTask(host, 9, { 'one.txt': '1\n', 'two.txt': '2\n' });
    const { record } = await host.openChange({ taskId: 9, title: 'Add one and two', branch: workspace.branch });
    const merged = await host.merge(record, workspace.path);
    if (!merged.ok) throw new Error(merged.message);
    const base = await rig.originMain();
    expect(merged).toEqual({ ok: true, alreadyMerged: false, record: { ...record, state: 'merged', merged_at: expect.any(String), merge_commit: base } });
    expect(await git(rig.origin, 'rev-list', '--count', `${baseBefore}..${base}`)).toBe('1');
    expect(await git(rig.origin, 'log', '-1', '--format=%B', base)).toBe('Task 9: Add one and two\n\nSquash-merged from agent/issue-9.\n\nRepovisor-Task: 9');
    expect(await git(rig.origin, 'ls-tree', '--name-only', base)).toContain('two.txt');
    expect(await git(rig.origin, 'for-each-ref', 'refs/heads/agent/')).toBe('');
    expect(await host.changeOf(9)).toEqual(merged.record);

    const again = await host.merge(record, workspace.path);
    expect(again).toEqual({ ok: true, alreadyMerged: true, record: merged.record });
    expect(await rig.originMain()).toBe(base);
    expect(await rig.operatorState()).toBe(before);
  });

  it('does not merge again after a worker died between the push to the base and the record', async () => {
    const rig = await createOriginRig(temp);
    const host = await openHost(rig);
    const workspace = await pushedTask(host, 4, { 'four.txt': '4\n' });
    const { record } = await host.openChange({ taskId: 4, title: 'Four', branch: workspace.branch });
    const merged = await host.merge(record, workspace.path);
    if (!merged.ok) throw new Error(merged.message);
    // The record as it was before the merge, and the branch pushed again, as if the merge had not been recorded.
    await writeFile(join(rig.dataRoot, 'changes', `${record.number}.json`), JSON.stringify(record));
    await git(workspace.path, 'push', '-q', 'origin', `${await git(rig.origin, 'rev-parse', 'main')}^:refs/heads/agent/issue-4`);
    const resumed = await openHost(rig);
    const again = await resumed.merge(record, workspace.path);
    expect(again).toMatchObject({ ok: true, alreadyMerged: true, record: { state: 'merged', merge_commit: merged.record.merge_commit } });
    expect(await rig.originMain()).toBe(merged.record.merge_commit);
    expect(await git(rig.origin, 'for-each-ref', 'refs/heads/agent/')).toBe('');
  });

  it('still merges when someone else moved the base, before the merge and between its fetch and its push', async () => {
    const rig = await createOriginRig(temp);
    const host = await openHost(rig);
    const workspace = await pushedTask(host, 3, { 'three.txt': '3\n' });
    const early = await pushFromOther(rig, 'early.txt', 'before the merge\n');
    // A pre-push hook in the workspace pushes someone else's commit once, just before the merge's push reaches the remote.
    const other = await rig.otherClone();
    await commitFile(other, 'late.txt', 'during the merge\n');
    const hook = join(workspace.path, '.git', 'hooks', 'pre-push');
    await writeFile(hook, `#!/bin/sh\n[ -e "$0.done" ] && exit 0\ntouch "$0.done"\ngit -C '${other}' push -q origin main:main\n`);
    await chmod(hook, 0o755);
    const { record } = await host.openChange({ taskId: 3, title: 'Three', branch: workspace.branch });
    const merged = await host.merge(record, workspace.path);
    if (!merged.ok) throw new Error(merged.message);
    const base = await rig.originMain();
    expect(merged.record.merge_commit).toBe(base);
    expect(await git(rig.origin, 'rev-parse', `${base}^`)).toBe(await git(other, 'rev-parse', 'HEAD'));
    expect(await git(rig.origin, 'merge-base', '--is-ancestor', early, base).then(() => true)).toBe(true);
    expect((await git(rig.origin, 'ls-tree', '--name-only', base)).split('\n')).toEqual(expect.arrayContaining(['three.txt', 'early.txt', 'late.txt']));
  });

  it('gives a conflict as a failure value and leaves the base and the branch as they were', async () => {
    const rig = await createOriginRig(temp);
    const before = await rig.operatorState();
    const host = await openHost(rig);
    const workspace = await pushedTask(host, 8, { 'shared.txt': 'line one\nthe agent\'s line\n' });
    const theirs = await pushFromOther(rig, 'shared.txt', 'line one\nsomeone else\'s line\n');
    const { record } = await host.openChange({ taskId: 8, title: 'Edit shared', branch: workspace.branch });
    const merged = await host.merge(record, workspace.path);
    expect(merged).toMatchObject({ ok: false, reason: 'conflict', files: ['shared.txt'] });
    expect(!merged.ok && merged.message).toMatch(/^agent\/issue-8 conflicts with origin\/main in shared\.txt/);
    expect(await rig.originMain()).toBe(theirs);
    expect(await git(rig.origin, 'rev-parse', 'refs/heads/agent/issue-8')).toBe(await git(workspace.path, 'rev-parse', 'agent/issue-8'));
    expect(await host.changeOf(8)).toMatchObject({ state: 'open' });
    expect(await git(workspace.path, 'status', '--porcelain')).toBe('');
    expect(await rig.operatorState()).toBe(before);
  });
});
