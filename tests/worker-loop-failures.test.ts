import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChildProcesses } from './helpers/child-processes.js';
import { commitFile } from './helpers/git-repo.js';
import { runtimeInfo, startStandaloneWorker } from './helpers/standalone-worker.js';
import type { StandaloneWorker } from './helpers/standalone-worker.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// A worker's loop meets a broken repository, a missing git or a deleted data root: it must say
// what is wrong, keep its runtime honest, and work again once the cause is gone.

const temp = new TempDirs();
const children = new ChildProcesses();

afterEach(async () => {
  await children.killAll();
  await temp.cleanup();
});

/** Event types and data in the worker's events.jsonl, oldest first. */
async function loggedEvents(worker: StandaloneWorker): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const text = await readFile(join(worker.dataRoot, 'events.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> });
}

async function waitForLastError(worker: StandaloneWorker, what: string, pattern: RegExp): Promise<string> {
  let seen: string | null = null;
  return waitFor(what, async () => {
    const info = await runtimeInfo(worker);
    seen = info.last_error;
    return info.last_error !== null && pattern.test(info.last_error) ? info.last_error : undefined;
  }).catch((error: unknown) => {
    throw new Error(`${String(error)}; last_error was ${JSON.stringify(seen)}; the worker's output:\n${worker.worker.stdout()}`);
  });
}

/** Repairs the repository, then proves the runtime works again: last_error cleared, a new commit seen. */
async function expectRecovery(worker: StandaloneWorker): Promise<void> {
  await waitFor('last_error to clear', async () => (await runtimeInfo(worker)).last_error === null);
  await waitFor('loop.recovered in the event log', async () => (await loggedEvents(worker)).some((event) => event.type === 'loop.recovered'));
  const head = await commitFile(worker.repo, 'after-repair.txt', 'repaired\n');
  await waitFor('repo.changed with the new head', async () => (await loggedEvents(worker)).some((event) => event.type === 'repo.changed' && event.data.head === head));
  expect((await runtimeInfo(worker)).running).toBe(true);
}

describe('a worker whose repository breaks', () => {
  it('with a garbled .git/HEAD: keeps running, last_error says what git said, and recovers once HEAD is repaired', async () => {
    const worker = await startStandaloneWorker(children, await temp.make());
    await waitFor('repo.observed', async () => (await loggedEvents(worker)).some((event) => event.type === 'repo.observed'));
    const headFile = join(worker.repo, '.git', 'HEAD');
    const good = await readFile(headFile, 'utf8');
    await writeFile(headFile, 'this is not a ref\n');
    const error = await waitForLastError(worker, 'the failure', /^repo-watcher failed: /);
    expect(error).toContain('fatal: not a git repository');
    expect(error).toContain(`${join(worker.repo, '.git')} exists but git cannot read it as a repository`);
    const info = await runtimeInfo(worker);
    expect(info.running).toBe(true);
    expect(info.session_id).not.toBeNull();
    // Retried, not given up: a second failure in a row comes after a longer wait.
    const failures = await waitFor('two failures in a row', async () => {
      const found = (await loggedEvents(worker)).filter((event) => event.type === 'loop.failed');
      return found.length >= 2 ? found : undefined;
    });
    expect(failures.slice(0, 2).map((event) => event.data.consecutive)).toEqual([1, 2]);
    expect(Number(failures[1]?.data.retryInMs)).toBeGreaterThan(Number(failures[0]?.data.retryInMs));
    await writeFile(headFile, good);
    await expectRecovery(worker);
  });

  it('with its objects removed: last_error says what git said, and it recovers once they are back', async () => {
    const worker = await startStandaloneWorker(children, await temp.make());
    await waitFor('repo.observed', async () => (await loggedEvents(worker)).some((event) => event.type === 'repo.observed'));
    const objects = join(worker.repo, '.git', 'objects');
    await rename(objects, `${objects}-aside`);
    const error = await waitForLastError(worker, 'the failure', /^repo-watcher failed: /);
    expect(error).toContain('fatal: not a git repository');
    expect((await runtimeInfo(worker)).running).toBe(true);
    await rename(`${objects}-aside`, objects);
    await expectRecovery(worker);
  });

  it('moved away: says "repository folder missing", not spawn git ENOENT, and recovers once it is back', async () => {
    const worker = await startStandaloneWorker(children, await temp.make());
    await waitFor('repo.observed', async () => (await loggedEvents(worker)).some((event) => event.type === 'repo.observed'));
    await rename(worker.repo, `${worker.repo}-moved`);
    const error = await waitForLastError(worker, 'the failure', /^repo-watcher failed: /);
    expect(error).toBe(`repo-watcher failed: repository folder missing: ${worker.repo} (moved or deleted?); put it back, or remove this repo`);
    await rename(`${worker.repo}-moved`, worker.repo);
    await expectRecovery(worker);
  });
});

describe('a worker without git on its PATH', () => {
  it('says that git is not on PATH, naming the PATH it has', async () => {
    const root = await temp.make();
    const emptyBin = join(root, 'bin');
    await mkdir(emptyBin);
    const worker = await startStandaloneWorker(children, root, { env: { PATH: emptyBin } });
    const error = await waitForLastError(worker, 'the failure', /^repo-watcher failed: /);
    expect(error).toBe(`repo-watcher failed: git is not on PATH (PATH=${emptyBin}); install git, or give the worker a PATH that has it`);
    expect((await runtimeInfo(worker)).running).toBe(true);
  });
});

describe('a worker whose data root is deleted', () => {
  it('stops for good when asked, though its state write fails: running false, no session, the failed write as last_error', async () => {
    const worker = await startStandaloneWorker(children, await temp.make());
    await waitFor('repo.observed', async () => (await loggedEvents(worker)).some((event) => event.type === 'repo.observed'));
    // Retried: a write of the worker's may put a file back while the folder is being emptied.
    await rm(worker.dataRoot, { recursive: true, force: true, maxRetries: 20, retryDelay: 10 });
    // The watcher sees the commit and fails to write state.json: the loop fails.
    await commitFile(worker.repo, 'new.txt', 'x\n');
    await waitForLastError(worker, 'the loop to fail on its state write', /^repo-watcher failed: ENOENT/);
    // It keeps failing while the state cannot be written: the snapshot in memory does not count as saved.
    await waitFor('a second failure in a row', () => worker.worker.stdout().split('\n').some((line) => line.includes('a loop failed') && line.includes('"consecutive":2'))).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${worker.worker.stdout()}`);
    });
    expect((await runtimeInfo(worker)).last_error).toMatch(/^repo-watcher failed: ENOENT: no such file or directory, open '.*\.state\.json\./);
    const stop = await fetch(`${worker.runtimeUrl}/stop`, { method: 'POST' });
    expect(stop.status).toBe(200);
    expect(await stop.json()).toEqual({ status: 'stopped', slug: 'acme/alpha' });
    const info = await runtimeInfo(worker);
    expect(info).toMatchObject({ running: false, session_id: null });
    expect(info.last_error).toMatch(/^could not write state\.json: ENOENT: no such file or directory/);
    expect(worker.worker.stdout()).toMatch(/"could not write state.json"/);
    // Nothing left half-running: it starts again.
    const start = await fetch(`${worker.runtimeUrl}/start`, { method: 'POST' });
    expect(start.status).toBe(200);
    expect((await runtimeInfo(worker)).running).toBe(true);
  });
});
