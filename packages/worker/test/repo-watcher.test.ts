import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EventBus, EventLog, RepoWatcher, StateTracker } from '@repovisor/worker';
import type { RuntimeEvent } from '@repovisor/worker';
// Neither is exported by the package: the fingerprint is internal, the constant a tuning knob.
import { readRepoFingerprint } from '../src/orchestrator/repo-fingerprint.js';
import { FULL_LOOK_EVERY_TICKS } from '../src/orchestrator/repo-watcher.js';
import { commitFile, createGitRepo, git } from '../../../tests/helpers/git-repo.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();
const buses: EventBus[] = [];

afterEach(async () => {
  // Let pending event-log appends land before their folder goes.
  await Promise.all(buses.splice(0).map((bus) => bus.flush()));
  await temp.cleanup();
});

/** A repository with a tracked file in a subfolder (`sub/deep.txt`), in a fresh temporary folder. */
async function makeRepo(): Promise<{ root: string; repo: string }> {
  const root = await temp.make();
  const repo = await createGitRepo(join(root, 'repo'));
  await mkdir(join(repo, 'sub'));
  await commitFile(repo, 'sub/deep.txt', 'deep\n');
  return { root, repo };
}

/** A watcher built as RepoRuntime.create builds it, its data outside the repository; `events` collects what it publishes. */
async function makeWatcher(repoPath: string, dataRoot: string): Promise<{ watcher: RepoWatcher; events: RuntimeEvent[]; state: StateTracker }> {
  const { log, history } = await EventLog.open({ folder: dataRoot });
  const bus = new EventBus({ slug: 'acme/alpha', log, history });
  buses.push(bus);
  const state = await StateTracker.load({ folder: dataRoot, slug: 'acme/alpha' });
  const watcher = new RepoWatcher({ repoPath, intervalMs: 2000, bus, state });
  const events: RuntimeEvent[] = [];
  bus.subscribe((event) => events.push(event));
  return { watcher, events, state };
}

describe('readRepoFingerprint', () => {
  it('stays equal while nothing changes', async () => {
    const { repo } = await makeRepo();
    const first = await readRepoFingerprint(repo);
    expect(first).toEqual(expect.any(String));
    expect(await readRepoFingerprint(repo)).toBe(first);
  });

  it('changes after a commit', async () => {
    const { repo } = await makeRepo();
    const before = await readRepoFingerprint(repo);
    await commitFile(repo, 'sub/deep.txt', 'changed and committed\n');
    const after = await readRepoFingerprint(repo);
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
  });

  it('changes after staging an edit', async () => {
    const { repo } = await makeRepo();
    await writeFile(join(repo, 'sub', 'deep.txt'), 'edited\n');
    const before = await readRepoFingerprint(repo);
    await git(repo, 'add', 'sub/deep.txt');
    const after = await readRepoFingerprint(repo);
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
  });

  it('changes when a file is added at the top level', async () => {
    const { repo } = await makeRepo();
    const before = await readRepoFingerprint(repo);
    await writeFile(join(repo, 'new.txt'), 'new\n');
    const after = await readRepoFingerprint(repo);
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
  });

  it('does not change for an edit deep in the work tree (the full look catches it)', async () => {
    const { repo } = await makeRepo();
    const before = await readRepoFingerprint(repo);
    await writeFile(join(repo, 'sub', 'deep.txt'), 'edited, not staged\n');
    expect(await readRepoFingerprint(repo)).toBe(before);
  });

  it('is null in a linked worktree, where .git is a file', async () => {
    const { root, repo } = await makeRepo();
    const worktree = join(root, 'worktree');
    await git(repo, 'worktree', 'add', '-q', '-b', 'feature', worktree);
    expect(await readRepoFingerprint(worktree)).toBeNull();
    expect(await readRepoFingerprint(repo)).not.toBeNull();
  });

  it('is null when the folder is gone or is not a repository', async () => {
    const { root, repo } = await makeRepo();
    await rm(repo, { recursive: true, force: true });
    expect(await readRepoFingerprint(repo)).toBeNull();
    const plain = join(root, 'plain');
    await mkdir(plain);
    expect(await readRepoFingerprint(plain)).toBeNull();
  });
});

describe('RepoWatcher', () => {
  it('publishes repo.observed on its first tick and records the snapshot', async () => {
    const { root, repo } = await makeRepo();
    const head = await git(repo, 'rev-parse', 'HEAD');
    const { watcher, events, state } = await makeWatcher(repo, join(root, 'data'));
    await watcher.tick(new AbortController().signal);
    expect(events.map((event) => event.type)).toEqual(['repo.observed']);
    expect(events[0]?.data).toEqual({ head, branch: 'main', changedFiles: 0, previous: null });
    expect(state.get().repo).toEqual({ head, branch: 'main', changedFiles: 0 });
  });

  it('publishes nothing more while nothing changes, across a full look', async () => {
    const { root, repo } = await makeRepo();
    const { watcher, events } = await makeWatcher(repo, join(root, 'data'));
    const signal = new AbortController().signal;
    for (let tick = 0; tick <= FULL_LOOK_EVERY_TICKS + 1; tick += 1) await watcher.tick(signal);
    expect(events.map((event) => event.type)).toEqual(['repo.observed']);
  });

  it('misses a deep edit on the next tick but sees it within FULL_LOOK_EVERY_TICKS ticks', async () => {
    const { root, repo } = await makeRepo();
    const { watcher, events } = await makeWatcher(repo, join(root, 'data'));
    const signal = new AbortController().signal;
    await watcher.tick(signal);
    await writeFile(join(repo, 'sub', 'deep.txt'), 'edited, not staged\n');

    await watcher.tick(signal);
    expect(events.map((event) => event.type)).toEqual(['repo.observed']);

    let ticksAfterEdit = 1;
    while (events.length === 1 && ticksAfterEdit < FULL_LOOK_EVERY_TICKS) {
      await watcher.tick(signal);
      ticksAfterEdit += 1;
    }
    expect(events.map((event) => event.type)).toEqual(['repo.observed', 'repo.changed']);
    expect(events[1]?.data).toMatchObject({ changedFiles: 1, previous: { changedFiles: 0 } });
  });

  it('sees a commit on the very next tick', async () => {
    const { root, repo } = await makeRepo();
    const { watcher, events, state } = await makeWatcher(repo, join(root, 'data'));
    const signal = new AbortController().signal;
    await watcher.tick(signal);
    const before = await git(repo, 'rev-parse', 'HEAD');
    const head = await commitFile(repo, 'sub/deep.txt', 'changed and committed\n');
    await watcher.tick(signal);
    expect(events.map((event) => event.type)).toEqual(['repo.observed', 'repo.changed']);
    expect(events[1]?.data).toEqual({ head, branch: 'main', changedFiles: 0, previous: { head: before, branch: 'main', changedFiles: 0 } });
    expect(state.get().repo?.head).toBe(head);
  });

  it('sees a new untracked file at the top level on the next tick', async () => {
    const { root, repo } = await makeRepo();
    const { watcher, events } = await makeWatcher(repo, join(root, 'data'));
    const signal = new AbortController().signal;
    await watcher.tick(signal);
    await writeFile(join(repo, 'untracked.txt'), 'new\n');
    await watcher.tick(signal);
    expect(events.map((event) => event.type)).toEqual(['repo.observed', 'repo.changed']);
    expect(events[1]?.data).toMatchObject({ changedFiles: 1 });
  });

  it('looks in full on every tick in a linked worktree', async () => {
    const { root, repo } = await makeRepo();
    const worktree = join(root, 'worktree');
    await git(repo, 'worktree', 'add', '-q', '-b', 'feature', worktree);
    const head = await git(repo, 'rev-parse', 'HEAD');
    const { watcher, events } = await makeWatcher(worktree, join(root, 'data'));
    const signal = new AbortController().signal;
    await watcher.tick(signal);
    expect(events[0]).toMatchObject({ type: 'repo.observed', data: { head, branch: 'feature', changedFiles: 0 } });
    await writeFile(join(worktree, 'sub', 'deep.txt'), 'edited in the worktree\n');
    await watcher.tick(signal);
    expect(events.map((event) => event.type)).toEqual(['repo.observed', 'repo.changed']);
    expect(events[1]?.data).toMatchObject({ head, branch: 'feature', changedFiles: 1 });
  });

  it('publishes nothing after a restart when the repository is as its saved state says', async () => {
    const { root, repo } = await makeRepo();
    const dataRoot = join(root, 'data');
    const first = await makeWatcher(repo, dataRoot);
    await first.watcher.tick(new AbortController().signal);
    expect(first.events.map((event) => event.type)).toEqual(['repo.observed']);
    await buses[0]?.flush();

    const second = await makeWatcher(repo, dataRoot);
    await second.watcher.tick(new AbortController().signal);
    expect(second.events).toEqual([]);
    await commitFile(repo, 'after-restart.txt', 'x\n');
    await second.watcher.tick(new AbortController().signal);
    expect(second.events.map((event) => event.type)).toEqual(['repo.changed']);
  });
});
