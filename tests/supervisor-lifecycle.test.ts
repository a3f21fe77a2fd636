import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './helpers/child-processes.js';
import { createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection, workerPidsUnder } from './helpers/supervisor-rig.js';
import type { ApiRepo } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

async function threeRepos(root: string): Promise<{ file: string; home: string }> {
  await createGitRepo(join(root, 'alpha'), { origin: 'https://github.com/acme/alpha.git' });
  await createGitRepo(join(root, 'beta'), { origin: 'git@github.com:acme/beta.git' });
  await createGitRepo(join(root, 'gamma'));
  const home = join(root, 'home');
  const file = await rig.writeConfig(
    root,
    `${testSupervisorSection(home)}\nrepos:\n  - path: ./alpha\n  - path: ./beta\n  - path: ./gamma\n    autostart: true\n`,
  );
  return { file, home };
}

/** A supervisor of the three repos of {@link threeRepos}, once all three are running. */
async function threeRunning(): Promise<{ home: string; supervisor: Awaited<ReturnType<typeof rig.start>> }> {
  const { file, home } = await threeRepos(await temp.make());
  const supervisor = await rig.start(file, home);
  for (const slug of ['acme/alpha', 'acme/beta', 'gamma']) await rig.waitForRepo(supervisor, slug, 'running', (repo) => repo.status === 'running');
  return { home, supervisor };
}

describe('supervisor start', () => {
  it('runs three repos to running, with slugs from https and ssh remotes and from the folder name', async () => {
    const root = await temp.make();
    const { file, home } = await threeRepos(root);
    const supervisor = await rig.start(file, home);
    for (const slug of ['acme/alpha', 'acme/beta', 'gamma']) {
      const repo = await rig.waitForRepo(supervisor, slug, 'running', (entry) => entry.status === 'running' && entry.last_probe?.ok === true);
      expect(repo.pid).toEqual(expect.any(Number));
      expect(isAlive(repo.pid ?? 0)).toBe(true);
      expect(repo.runtime_url).toBe(`/api/repos/${slug}/runtimes`);
    }
    expect((await rig.repos(supervisor)).map((repo) => repo.slug)).toEqual(['acme/alpha', 'acme/beta', 'gamma']);
    // Files of the home: state and token are private, the control port is published.
    expect((await stat(join(home, 'supervisor-state.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'api-token'))).mode & 0o777).toBe(0o600);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect(Number(await readFile(join(home, 'supervisor-port'), 'utf8'))).toBeGreaterThan(0);
    expect(await readFile(join(home, 'supervisor.pid'), 'utf8')).toContain(String(supervisor.child.pid));
    expect((await stat(join(home, 'logs', 'acme-alpha.log'))).size).toBeGreaterThan(0);
    expect((await stat(join(home, 'repos', 'acme-alpha', 'state.json'))).isFile()).toBe(true);
  });

  it('refuses a second supervisor on the same home, naming the first one pid', async () => {
    const root = await temp.make();
    const { file, home } = await threeRepos(root);
    const first = await rig.start(file, home);
    const second = await rig.cli(['start', file, '--no-pretty']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`Another supervisor (pid ${first.child.pid}) is already running`);
    expect(first.child.child.exitCode).toBeNull();
  });

  it('SIGTERM stops every worker and exits 0, leaving no process and no port file behind', async () => {
    const { home, supervisor } = await threeRunning();
    const pids = (await rig.repos(supervisor)).map((repo) => repo.pid ?? 0);
    expect(await rig.stop(supervisor)).toEqual({ code: 0, signal: null });
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(await workerPidsUnder(home)).toEqual([]);
    await expect(stat(join(home, 'supervisor-port'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(home, 'supervisor.pid'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('SIGHUP', () => {
  it('stops the supervisor like SIGTERM (its terminal closed): every worker stopped, exit 0', async () => {
    const { home, supervisor } = await threeRunning();
    process.kill(supervisor.child.pid, 'SIGHUP');
    expect(await supervisor.child.exited).toEqual({ code: 0, signal: null });
    expect(await workerPidsUnder(home)).toEqual([]);
  });

  it('survives a second signal while stopping (Ctrl-C reaches npm start and the supervisor both): exit 0, no worker left', async () => {
    const { home, supervisor } = await threeRunning();
    process.kill(supervisor.child.pid, 'SIGINT');
    process.kill(supervisor.child.pid, 'SIGINT');
    expect(await supervisor.child.exited).toEqual({ code: 0, signal: null });
    expect(await workerPidsUnder(home)).toEqual([]);
  });
});

describe('POST /api/repos', () => {
  it('adds a fourth repo that reaches running and is still managed after a supervisor restart', async () => {
    const root = await temp.make();
    const { file, home } = await threeRepos(root);
    const fourth = await createGitRepo(join(root, 'delta'), { origin: 'ssh://git@example.com:22/tools/delta.git' });
    let supervisor = await rig.start(file, home);
    const added = await rig.api<ApiRepo>(supervisor, 'POST', '/api/repos', { path: fourth });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ slug: 'tools/delta', path: fourth });
    await rig.waitForRepo(supervisor, 'tools/delta', 'running', (repo) => repo.status === 'running');
    const stored = JSON.parse(await readFile(join(home, 'supervisor-state.json'), 'utf8')) as { repos: { slug: string; source: string }[] };
    expect(stored.repos.find((repo) => repo.slug === 'tools/delta')).toMatchObject({ source: 'api' });

    expect(await rig.stop(supervisor)).toEqual({ code: 0, signal: null });
    supervisor = await rig.start(file, home);
    const again = await rig.waitForRepo(supervisor, 'tools/delta', 'running again', (repo) => repo.status === 'running');
    expect(again.path).toBe(fourth);
    expect((await rig.repos(supervisor)).map((repo) => repo.slug).sort()).toEqual(['acme/alpha', 'acme/beta', 'gamma', 'tools/delta']);
  });

  it('registers without starting when autostart is false, and start then runs it', async () => {
    const root = await temp.make();
    const home = join(root, 'home');
    const file = await rig.writeConfig(root, `${testSupervisorSection(home)}\nrepos: []\n`);
    const repoPath = await createGitRepo(join(root, 'idle'));
    const supervisor = await rig.start(file, home);
    const added = await rig.api<ApiRepo>(supervisor, 'POST', '/api/repos', { path: repoPath, slug: 'acme/idle', autostart: false });
    expect(added).toMatchObject({ status: 201, body: { slug: 'acme/idle', status: 'stopped', pid: null } });
    expect((await rig.api(supervisor, 'POST', '/api/repos/acme/idle/stop')).status).toBe(409);
    expect((await rig.api(supervisor, 'POST', '/api/repos/acme/idle/start')).status).toBe(200);
    await rig.waitForRepo(supervisor, 'acme/idle', 'running', (repo) => repo.status === 'running');
    expect((await rig.api(supervisor, 'POST', '/api/repos/acme/idle/start')).status).toBe(409);
  });
});

describe('DELETE and the runtimes proxy', () => {
  it('proxies to the worker /api/runtimes, answers 503 while it is down, and DELETE leaves no process', async () => {
    const root = await temp.make();
    const { file, home } = await threeRepos(root);
    const supervisor = await rig.start(file, home);
    const running = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');

    const listed = await rig.api<{ runtimes: { slug: string; running: boolean }[] }>(supervisor, 'GET', '/api/repos/acme/alpha/runtimes');
    expect(listed.status).toBe(200);
    expect(listed.body.runtimes).toEqual([expect.objectContaining({ slug: 'acme/alpha', running: true })]);
    // Mutating proxied calls need the API token, and the worker gets its own token instead.
    expect((await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/runtimes/acme/alpha/stop', undefined, { token: false })).status).toBe(401);
    expect(await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/runtimes/acme/alpha/stop')).toEqual({ status: 200, body: { status: 'stopped', slug: 'acme/alpha' } });
    expect(await rig.api(supervisor, 'POST', '/api/repos/acme-alpha/runtimes/acme-alpha/stop')).toEqual({ status: 400, body: { error: 'Not running' } });
    expect((await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/runtimes/acme/alpha/start')).status).toBe(200);
    expect((await rig.api(supervisor, 'GET', '/api/repos/acme/alpha/runtimes/acme/nope')).status).toBe(404);

    const stopped = await rig.api<ApiRepo>(supervisor, 'POST', '/api/repos/acme/alpha/stop');
    expect(stopped).toMatchObject({ status: 200, body: { status: 'stopped', pid: null } });
    expect(isAlive(running.pid ?? 0)).toBe(false);
    const down = await rig.api<{ error: string }>(supervisor, 'GET', '/api/repos/acme/alpha/runtimes');
    expect(down.status).toBe(503);
    expect(down.body.error).toMatch(/acme\/alpha is not available \(state: stopped\)/);

    const beta = await rig.waitForRepo(supervisor, 'acme/beta', 'running', (repo) => repo.status === 'running');
    const removed = await rig.api(supervisor, 'DELETE', '/api/repos/acme/beta');
    expect(removed).toEqual({ status: 200, body: { status: 'removed', slug: 'acme/beta', purged: false } });
    expect(isAlive(beta.pid ?? 0)).toBe(false);
    expect(await workerPidsUnder(join(home, 'repos', 'acme-beta'))).toEqual([]);
    expect((await rig.api(supervisor, 'GET', '/api/repos/acme/beta')).status).toBe(404);
    expect((await rig.api(supervisor, 'DELETE', '/api/repos/acme/beta')).status).toBe(404);
    // Its data root stays unless purge is asked for.
    expect((await stat(join(home, 'repos', 'acme-beta'))).isDirectory()).toBe(true);
    const gamma = await rig.api(supervisor, 'DELETE', '/api/repos/gamma?purge=true');
    expect(gamma.body).toMatchObject({ purged: true });
    await expect(stat(join(home, 'repos', 'gamma'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('restart replaces the worker with a new pid', async () => {
    const root = await temp.make();
    const { file, home } = await threeRepos(root);
    const supervisor = await rig.start(file, home);
    const before = await rig.waitForRepo(supervisor, 'gamma', 'running', (repo) => repo.status === 'running');
    const restarted = await rig.api<ApiRepo>(supervisor, 'POST', '/api/repos/gamma/restart');
    expect(restarted.status).toBe(200);
    expect(restarted.body.pid).not.toBe(before.pid);
    expect(isAlive(before.pid ?? 0)).toBe(false);
    await rig.waitForRepo(supervisor, 'gamma', 'running after restart', (repo) => repo.status === 'running' && repo.pid === restarted.body.pid);
  });
});

describe('purge and the proxy guard', () => {
  it('DELETE keeps the data root and the log files; ?purge=true removes the data root, the log and its rotated copies', async () => {
    const root = await temp.make();
    const { file, home } = await threeRepos(root);
    const supervisor = await rig.start(file, home);
    await rig.waitForRepo(supervisor, 'gamma', 'running', (repo) => repo.status === 'running');
    await rig.waitForRepo(supervisor, 'acme/beta', 'running', (repo) => repo.status === 'running');
    // The copies the log rotation leaves beside each log.
    const logs = join(home, 'logs');
    const copies = (key: string) => [1, 2, 3].map((copy) => join(logs, `${key}.log.${copy}`));
    for (const copy of [...copies('gamma'), ...copies('acme-beta')]) await writeFile(copy, 'an older part of the log\n');

    expect((await rig.api(supervisor, 'DELETE', '/api/repos/acme/beta')).body).toMatchObject({ purged: false });
    for (const kept of [join(home, 'repos', 'acme-beta'), join(logs, 'acme-beta.log'), ...copies('acme-beta')]) await expect(stat(kept)).resolves.toBeDefined();

    expect((await rig.api(supervisor, 'DELETE', '/api/repos/gamma?purge=true')).body).toMatchObject({ status: 'removed', purged: true });
    for (const gone of [join(home, 'repos', 'gamma'), join(logs, 'gamma.log'), ...copies('gamma')]) await expect(stat(gone)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('DELETE of the runtime through the proxy is refused', async () => {
    const root = await temp.make();
    const { file, home } = await threeRepos(root);
    const supervisor = await rig.start(file, home);
    await rig.waitForRepo(supervisor, 'gamma', 'running', (repo) => repo.status === 'running');
    const refused = await rig.api<{ error: string }>(supervisor, 'DELETE', '/api/repos/gamma/runtimes/gamma');
    expect(refused.status).toBe(405);
    expect(refused.body.error).toMatch(/use DELETE \/api\/repos\/gamma/);
    expect((await rig.api<{ runtimes: unknown[] }>(supervisor, 'GET', '/api/repos/gamma/runtimes')).body.runtimes).toHaveLength(1);
  });
});

describe('racing deletes', () => {
  it('answer 200 once and 404 for the others', async () => {
    const root = await temp.make();
    const { file, home } = await threeRepos(root);
    const supervisor = await rig.start(file, home);
    const answers = await Promise.all(Array.from({ length: 5 }, () => rig.api(supervisor, 'DELETE', '/api/repos/gamma')));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 404, 404, 404, 404]);
    expect((await rig.repos(supervisor)).map((repo) => repo.slug)).toEqual(['acme/alpha', 'acme/beta']);
  });
});
