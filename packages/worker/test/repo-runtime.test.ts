import { afterEach, describe, expect, it } from '@jest/globals';
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonLineLogger, RepoRuntime, RuntimeStateError } from '@repovisor/worker';
import type { RuntimeEvent } from '@repovisor/worker';
import { commitFile, createGitRepo } from '../../../tests/helpers/git-repo.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';
import { waitFor } from '../../../tests/helpers/wait-for.js';

const logger = new JsonLineLogger({ level: 'silent' });
const temp = new TempDirs();
const runtimes: RepoRuntime[] = [];

async function makeRuntime(slug = 'acme/alpha', watchIntervalMs = 20): Promise<{ runtime: RepoRuntime; repo: string; dataRoot: string }> {
  const root = await temp.make();
  const repo = await createGitRepo(join(root, 'repo'));
  const dataRoot = join(root, 'data');
  const runtime = await RepoRuntime.create({ slug, repoPath: repo, dataRoot, watchIntervalMs }, logger);
  runtimes.push(runtime);
  return { runtime, repo, dataRoot };
}

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.ensureStopped()));
  await temp.cleanup();
});

describe('RepoRuntime', () => {
  it('is created stopped, with its data root in place', async () => {
    const { runtime, dataRoot } = await makeRuntime();
    expect((await stat(dataRoot)).isDirectory()).toBe(true);
    expect(runtime.info()).toEqual({ slug: 'acme/alpha', repo: runtime.config.repoPath, running: false, session_id: null, uptime_seconds: 0, last_error: null });
  });

  it('gets a new session id on every start and refuses a second start', async () => {
    const { runtime } = await makeRuntime();
    await runtime.start();
    const first = runtime.sessionId;
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    await expect(runtime.start()).rejects.toBeInstanceOf(RuntimeStateError);
    await runtime.stop();
    expect(runtime.running).toBe(false);
    expect(runtime.sessionId).toBeNull();
    await expect(runtime.stop()).rejects.toMatchObject({ code: 'not_running' });
    await runtime.start();
    expect(runtime.sessionId).not.toBe(first);
    expect(runtime.state.get().starts).toBe(2);
  });

  it('publishes repo.observed, then repo.changed after a new commit', async () => {
    const { runtime, repo } = await makeRuntime();
    const seen: RuntimeEvent[] = [];
    runtime.bus.subscribe((event) => seen.push(event));
    await runtime.start();
    const observed = await waitFor('repo.observed', () => seen.find((event) => event.type === 'repo.observed'));
    const head = await commitFile(repo, 'new.txt', 'hello\n');
    const changed = await waitFor('repo.changed with the new head', () =>
      seen.find((event) => event.type === 'repo.changed' && event.data.head === head),
    );
    expect(changed.data.branch).toBe('main');
    expect((changed.data.previous as { head: string }).head).toBe(observed.data.head);
    expect(changed.slug).toBe('acme/alpha');
  });

  it('counts uncommitted changed files', async () => {
    const { runtime, repo } = await makeRuntime();
    const seen: RuntimeEvent[] = [];
    runtime.bus.subscribe((event) => seen.push(event));
    await runtime.start();
    await waitFor('repo.observed', () => seen.some((event) => event.type === 'repo.observed'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(repo, 'dirty-1.txt'), 'x');
    await writeFile(join(repo, 'dirty-2.txt'), 'y');
    await waitFor('two changed files', () => seen.some((event) => event.type === 'repo.changed' && event.data.changedFiles === 2));
  });

  it('keeps running with last_error while a loop fails, retries it, and clears it once the repository is back', async () => {
    const { runtime, repo } = await makeRuntime();
    const seen: RuntimeEvent[] = [];
    runtime.bus.subscribe((event) => seen.push(event));
    await runtime.start();
    const sessionId = runtime.sessionId;
    await waitFor('repo.observed', () => seen.some((event) => event.type === 'repo.observed'));
    const aside = `${repo}-moved`;
    await rename(repo, aside);
    await waitFor('two failed ticks', () => seen.filter((event) => event.type === 'loop.failed').length >= 2);
    expect(runtime.running).toBe(true);
    expect(runtime.sessionId).toBe(sessionId);
    expect(runtime.lastError).toBe(`repo-watcher failed: repository folder missing: ${repo} (moved or deleted?); put it back, or remove this repo`);
    expect(runtime.info().last_error).toBe(runtime.lastError);
    const failures = seen.filter((event) => event.type === 'loop.failed');
    expect(failures.map((event) => event.data.consecutive)).toEqual(failures.map((_, index) => index + 1));
    // Each retry waits longer than the one before it.
    expect(failures[1]?.data.retryInMs).toBe(2 * Number(failures[0]?.data.retryInMs));
    await rename(aside, repo);
    await waitFor('loop.recovered', () => seen.some((event) => event.type === 'loop.recovered'));
    expect(runtime.lastError).toBeNull();
    const head = await commitFile(repo, 'after.txt', 'back\n');
    await waitFor('repo.changed after the recovery', () => seen.some((event) => event.type === 'repo.changed' && event.data.head === head));
  });

  it('stops for good even when the data root is gone: no zombie session, the failed write shown as last_error', async () => {
    const { runtime, repo, dataRoot } = await makeRuntime();
    await runtime.start();
    await waitFor('repo.observed', () => runtime.bus.recent().some((event) => event.type === 'repo.observed'));
    // Retried: a write of the runtime's may put a file back while the folder is being emptied.
    await rm(dataRoot, { recursive: true, force: true, maxRetries: 20, retryDelay: 10 });
    await commitFile(repo, 'new.txt', 'x\n');
    await waitFor('the watcher to fail on its state write', () => runtime.bus.recent().some((event) => event.type === 'loop.failed'));
    await runtime.stop();
    expect(runtime.running).toBe(false);
    expect(runtime.sessionId).toBeNull();
    expect(runtime.lastError).toMatch(/^could not write state\.json: ENOENT/);
  });

  it('loads its event history and state when created again on the same data root', async () => {
    const { runtime, repo, dataRoot } = await makeRuntime();
    await runtime.start();
    await waitFor('repo.observed', () => runtime.bus.recent().some((event) => event.type === 'repo.observed'));
    await runtime.stop();
    await runtime.flush();
    const lastSeq = runtime.bus.recent().at(-1)?.seq ?? 0;
    const again = await RepoRuntime.create({ slug: 'acme/alpha', repoPath: repo, dataRoot, watchIntervalMs: 20 }, logger);
    runtimes.push(again);
    expect(again.bus.recent().map((event) => event.type)).toEqual(runtime.bus.recent().map((event) => event.type));
    expect(again.state.get().starts).toBe(1);
    expect(again.bus.publish('test.ping').seq).toBe(lastSeq + 1);
  });

  it('refuses a config with an invalid slug or a relative path', async () => {
    const root = await temp.make();
    await expect(RepoRuntime.create({ slug: '../evil', repoPath: root, dataRoot: join(root, 'd') }, logger)).rejects.toThrow(/invalid slug/);
    await expect(RepoRuntime.create({ slug: 'ok', repoPath: 'relative', dataRoot: join(root, 'd') }, logger)).rejects.toThrow(/absolute/);
  });
});
