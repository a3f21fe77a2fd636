import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, rename } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SupervisorRequests } from '@repovisor/protocol';
import { ChildProcesses, pidsWithEnv } from './helpers/child-processes.js';
import type { TestChild } from './helpers/child-processes.js';
import { commitFile, createGitRepo, git } from './helpers/git-repo.js';
import { REPO_ROOT, WORKER_MAIN } from './helpers/paths.js';
import { TempDirs } from './helpers/temp-dir.js';
import { TestControlServer } from './helpers/test-control-server.js';
import { waitFor } from './helpers/wait-for.js';

const TOKEN = 'test-token-0123456789abcdef';
const temp = new TempDirs();
const children = new ChildProcesses();
let control: TestControlServer | undefined;

afterEach(async () => {
  await children.killAll();
  await control?.close();
  control = undefined;
  await temp.cleanup();
});

interface Started {
  worker: TestChild;
  repo: string;
  dataRoot: string;
}

async function startWorker(slug: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Started> {
  const root = await temp.make();
  const repo = await createGitRepo(join(root, 'repo'));
  const dataRoot = join(root, 'data');
  const worker = children.start(process.execPath, [...nodeArgs, WORKER_MAIN], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      REPOVISOR_SLUG: slug,
      REPOVISOR_REPO_PATH: repo,
      REPOVISOR_DATA_ROOT: dataRoot,
      REPOVISOR_WATCH_INTERVAL_MS: '50',
      ...env,
    },
  });
  return { worker, repo, dataRoot };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function listeningUrl(worker: TestChild): string | undefined {
  for (const line of worker.stdout().split('\n')) {
    if (!line.includes('worker listening')) continue;
    return (JSON.parse(line) as { url: string }).url;
  }
  return undefined;
}

describe('repo-worker standalone', () => {
  it('serves /api/runtimes with one running runtime, and exits 0 on SIGTERM leaving nothing behind', async () => {
    const { worker, dataRoot } = await startWorker('acme/alpha');
    const url = await waitFor('the worker to listen', () => listeningUrl(worker));
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { runtimes: { slug: string; running: boolean }[] };
    expect(body.runtimes).toHaveLength(1);
    expect(body.runtimes[0]).toMatchObject({ slug: 'acme/alpha', running: true });
    process.kill(worker.pid, 'SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(await pidsWithEnv('REPOVISOR_DATA_ROOT', dataRoot)).toEqual([]);
    expect(worker.stderr()).toBe('');
  });

  it('answers 409 and 400 from its lazily loaded express app when a start or stop is refused', async () => {
    // The app is a module apart from the runtime in the bundle: the refusal crosses that line.
    const { worker } = await startWorker('acme/alpha');
    const url = await waitFor('the worker to listen', () => listeningUrl(worker));
    const post = (path: string): Promise<Response> => fetch(`${url}/${path}`, { method: 'POST' });
    const again = await post('acme/alpha/start');
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: 'Already running' });
    expect((await post('acme/alpha/stop')).status).toBe(200);
    const stopped = await post('acme/alpha/stop');
    expect(stopped.status).toBe(400);
    expect(await stopped.json()).toEqual({ error: 'Not running' });
    expect((await post('acme/alpha/start')).status).toBe(200);
    process.kill(worker.pid, 'SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  });

  it('runs headless with REPOVISOR_HTTP_PORT=off and still exits 0 on SIGINT', async () => {
    const { worker } = await startWorker('headless', { REPOVISOR_HTTP_PORT: 'off' });
    await waitFor('the headless start', () => worker.stdout().includes('worker running headless'));
    expect(listeningUrl(worker)).toBeUndefined();
    process.kill(worker.pid, 'SIGINT');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  });

  it.each([
    ['a missing slug', { REPOVISOR_SLUG: '' }, /REPOVISOR_SLUG/],
    ['a slug with ..', { REPOVISOR_SLUG: 'acme/..' }, /invalid slug/],
    ['a relative data root', { REPOVISOR_DATA_ROOT: 'data' }, /REPOVISOR_DATA_ROOT: .*absolute/],
    ['a malformed port', { REPOVISOR_HTTP_PORT: 'eighty' }, /REPOVISOR_HTTP_PORT/],
    ['a malformed control address', { REPOVISOR_CONTROL: 'nowhere' }, /REPOVISOR_CONTROL must be host:port/],
    ['control without a token', { REPOVISOR_CONTROL: '127.0.0.1:9' }, /REPOVISOR_TOKEN: required/],
    ['a repository path that is gone', { REPOVISOR_REPO_PATH: '/nonexistent/repovisor-test-repo' }, /does not exist or is not a git repository/],
  ])('refuses %s with a clear message and exit code 2', async (_name, env, message) => {
    const { worker } = await startWorker('acme/alpha', env);
    expect(await worker.exited).toEqual({ code: 2, signal: null });
    expect(worker.stderr()).toMatch(message);
    expect(worker.stderr()).toMatch(/^repo-worker: /);
  });
});

describe('repo-worker under a control server', () => {
  it('says hello with its token, answers health, stops and starts, and pushes an event after a new commit', async () => {
    control = new TestControlServer({ 'acme/alpha': TOKEN });
    await control.listen();
    const { worker, repo } = await startWorker('acme/alpha', { REPOVISOR_CONTROL: control.address, REPOVISOR_TOKEN: TOKEN });
    const accepted = await control.waitForWorker('acme/alpha');
    expect(accepted.hello).toMatchObject({ slug: 'acme/alpha', pid: worker.pid, protocolVersion: 1, token: TOKEN, running: true });
    expect(accepted.hello.httpPort).toEqual(expect.any(Number));

    const health = await accepted.connection.request(SupervisorRequests.health, {});
    expect(health).toMatchObject({ slug: 'acme/alpha', pid: worker.pid, running: true, lastError: null });
    expect(health.memory.rss).toBeGreaterThan(0);

    const stopped = await accepted.connection.request(SupervisorRequests.runtimeStop, {});
    expect(stopped).toMatchObject({ running: false, session_id: null });
    await expect(accepted.connection.request(SupervisorRequests.runtimeStop, {})).rejects.toMatchObject({ code: 'not_running' });
    const started = await accepted.connection.request(SupervisorRequests.runtimeStart, {});
    expect(started.running).toBe(true);
    expect(started.session_id).not.toBe(accepted.hello.sessionId);
    await expect(accepted.connection.request(SupervisorRequests.runtimeStart, {})).rejects.toMatchObject({ code: 'already_running' });
    expect(accepted.states.map((state) => state.running)).toEqual([false, true]);

    // The first look at the repository may come before hello; the new commit is seen after it.
    const head = await commitFile(repo, 'next.txt', 'next\n');
    const changed = await waitFor('an event with the new head', () =>
      accepted.events.find((event) => event.type.startsWith('repo.') && event.data.head === head),
    );
    expect(changed.data.branch).toBe('main');
  });

  it('is refused with a wrong token and never accepted', async () => {
    control = new TestControlServer({ 'acme/alpha': TOKEN });
    await control.listen();
    const { worker } = await startWorker('acme/alpha', { REPOVISOR_CONTROL: control.address, REPOVISOR_TOKEN: 'wrong-token-0123456789', REPOVISOR_GRACE_MS: '1000' });
    await waitFor('a refused hello', () => (control?.refused.length ?? 0) > 0);
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    // Refused each time it dialled within its grace period, with the token it was given.
    expect(new Set(control.refused.map((hello) => hello.token))).toEqual(new Set(['wrong-token-0123456789']));
    expect(control.accepted).toEqual([]);
  });

  it('keeps its runtime through a dropped connection and redials with the same session', async () => {
    control = new TestControlServer({ 'acme/alpha': TOKEN });
    await control.listen();
    const { worker } = await startWorker('acme/alpha', { REPOVISOR_CONTROL: control.address, REPOVISOR_TOKEN: TOKEN });
    const first = await control.waitForWorker('acme/alpha');
    control.dropConnections();
    const second = await control.waitForWorker('acme/alpha', 2);
    expect(second.hello.pid).toBe(worker.pid);
    expect(second.hello.running).toBe(true);
    expect(second.hello.sessionId).toBe(first.hello.sessionId);
  });

  it('shuts down when asked, exiting 0 with nothing left running', async () => {
    control = new TestControlServer({ 'acme/alpha': TOKEN });
    await control.listen();
    const { worker, dataRoot } = await startWorker('acme/alpha', { REPOVISOR_CONTROL: control.address, REPOVISOR_TOKEN: TOKEN });
    const accepted = await control.waitForWorker('acme/alpha');
    expect(await accepted.connection.request(SupervisorRequests.shutdown, { reason: 'test' })).toEqual({ ok: true });
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(await pidsWithEnv('REPOVISOR_DATA_ROOT', dataRoot)).toEqual([]);
  });

  it('exits cleanly after the grace period when no supervisor answers', async () => {
    const port = await freePort();
    const { worker } = await startWorker('acme/alpha', { REPOVISOR_CONTROL: `127.0.0.1:${port}`, REPOVISOR_TOKEN: TOKEN, REPOVISOR_GRACE_MS: '500' });
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.stdout()).toMatch(/no supervisor within the grace period/);
  });

  it('keeps running while the repository is gone, reporting last_error instead of dying', async () => {
    control = new TestControlServer({ 'acme/alpha': TOKEN });
    await control.listen();
    const { worker, repo } = await startWorker('acme/alpha', { REPOVISOR_CONTROL: control.address, REPOVISOR_TOKEN: TOKEN });
    const accepted = await control.waitForWorker('acme/alpha');
    // Moved away in one step: a removal that git catches half done would report a broken .git first, which is true at that moment.
    await rename(repo, `${repo}-moved-away`);
    await waitFor('the runtime to report the failing loop', () => accepted.states.some((state) => state.running && state.lastError !== null));
    const status = await accepted.connection.request(SupervisorRequests.runtimeStatus, {});
    // Still running: the failed loop is retried with backoff.
    expect(status.running).toBe(true);
    expect(status.last_error).toMatch(/^repo-watcher failed: repository folder missing: /);
    expect(worker.child.exitCode).toBeNull();
  });
});

describe('workspaces of two workers', () => {
  it('never share a path when their tasks have the same issue numbers', async () => {
    control = new TestControlServer({ 'acme/alpha': TOKEN, 'other/alpha': TOKEN });
    await control.listen();
    const first = await startWorker('acme/alpha', { REPOVISOR_CONTROL: control.address, REPOVISOR_TOKEN: TOKEN, REPOVISOR_HTTP_PORT: 'off' });
    const second = await startWorker('other/alpha', { REPOVISOR_CONTROL: control.address, REPOVISOR_TOKEN: TOKEN, REPOVISOR_HTTP_PORT: 'off' });
    const [a, b] = await Promise.all([control.waitForWorker('acme/alpha'), control.waitForWorker('other/alpha')]);
    const paths = new Set<string>();
    for (const issue of [1, 7, 42]) {
      const fromA = await a.connection.request(SupervisorRequests.workspaceEnsure, { issue });
      const fromB = await b.connection.request(SupervisorRequests.workspaceEnsure, { issue });
      expect(fromA).toEqual({ issue, path: join(first.dataRoot, 'workspaces', `issue-${issue}`), created: true });
      expect(fromB).toEqual({ issue, path: join(second.dataRoot, 'workspaces', `issue-${issue}`), created: true });
      paths.add(fromA.path).add(fromB.path);
      // Each workspace is a local clone of its own repository at HEAD, which the repository's .git knows nothing of.
      expect(await git(fromA.path, 'rev-parse', 'HEAD')).toBe(await git(first.repo, 'rev-parse', 'HEAD'));
      expect(await git(fromB.path, 'rev-parse', 'HEAD')).toBe(await git(second.repo, 'rev-parse', 'HEAD'));
      expect(await git(first.repo, 'worktree', 'list', '--porcelain')).not.toContain(fromA.path);
    }
    expect(paths.size).toBe(6);
    expect(await a.connection.request(SupervisorRequests.workspaceEnsure, { issue: 7 })).toMatchObject({ created: false });
    await expect(a.connection.request(SupervisorRequests.workspaceEnsure, { issue: 0 })).rejects.toMatchObject({ code: 'invalid_params' });
  });
});

describe('what a worker loads before it listens', () => {
  it('leaves node:fs/promises, node:crypto and perf_hooks out of its start', async () => {
    const record = join(await temp.make(), 'builtins.txt');
    const { worker } = await startWorker('acme/alpha', { RECORD_BUILTINS_FILE: record, RECORD_BUILTINS_AT: 'listen' }, ['-r', join(REPO_ROOT, 'tests', 'fixtures', 'record-builtins.cjs')]);
    const loaded = await waitFor('the worker to listen', async () => (listeningUrl(worker) === undefined ? undefined : readFile(record, 'utf8').catch(() => undefined)));
    const modules = loaded.split('\n');
    // The recorder itself works: node:http is what a listening worker must have loaded.
    expect(modules).toContain('NativeModule http');
    // Each costs every start a dozen internal modules or more (docs/BENCHMARKS.md).
    expect(modules.filter((name) => /^NativeModule (fs\/promises|internal\/fs\/promises|crypto|perf_hooks)$/.test(name))).toEqual([]);
  });
});
