import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { isAlive } from './helpers/child-processes.js';
import { createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection, workerMainPidsUnder } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

const temp = new TempDirs();
const rig = new SupervisorRig();
let blocker: Server | undefined;

afterEach(async () => {
  await rig.cleanup();
  if (blocker !== undefined) await new Promise((resolve) => blocker?.close(resolve));
  blocker = undefined;
  await temp.cleanup();
});

async function twoRepos(graceMs = 5000): Promise<{ file: string; home: string }> {
  const root = await temp.make();
  await createGitRepo(join(root, 'alpha'));
  await createGitRepo(join(root, 'beta'));
  const home = join(root, 'home');
  // Probes that cannot fail on a slow machine: the tests count restarts.
  const settings = testSupervisorSection(home, '', 'steady').replace('grace_ms: 5000', `grace_ms: ${graceMs}`);
  const file = await rig.writeConfig(root, `${settings}\nrepos:\n  - path: ./alpha\n    slug: acme/alpha\n  - path: ./beta\n    slug: acme/beta\n`);
  return { file, home };
}

async function sessions(supervisor: RunningTestSupervisor): Promise<Record<string, { pid: number | null; session: string | null }>> {
  const result: Record<string, { pid: number | null; session: string | null }> = {};
  for (const repo of await rig.repos(supervisor)) {
    const runtimes = await rig.api<{ runtimes: { session_id: string | null }[] }>(supervisor, 'GET', `/api/repos/${repo.slug}/runtimes`);
    result[repo.slug] = { pid: repo.pid, session: runtimes.body.runtimes[0]?.session_id ?? null };
  }
  return result;
}

async function allRunning(supervisor: RunningTestSupervisor): Promise<void> {
  for (const slug of ['acme/alpha', 'acme/beta']) await rig.waitForRepo(supervisor, slug, 'running', (repo) => repo.status === 'running');
}

async function killSupervisor(supervisor: RunningTestSupervisor): Promise<void> {
  process.kill(supervisor.child.pid, 'SIGKILL');
  await supervisor.child.exited;
}

describe('re-adoption', () => {
  it('a supervisor killed with SIGKILL and started again takes back its live workers: same pids, same sessions, no restart', async () => {
    const { file, home } = await twoRepos();
    const first = await rig.start(file, home);
    await allRunning(first);
    const before = await sessions(first);
    const controlPort = Number(await readFile(join(home, 'supervisor-port'), 'utf8'));
    await killSupervisor(first);
    for (const { pid } of Object.values(before)) expect(isAlive(pid ?? 0)).toBe(true);

    const second = await rig.start(file, home);
    await allRunning(second);
    expect(await sessions(second)).toEqual(before);
    for (const repo of await rig.repos(second)) expect(repo.restarts).toBe(0);
    expect(Number(await readFile(join(home, 'supervisor-port'), 'utf8'))).toBe(controlPort);
    expect(await workerMainPidsUnder(home)).toEqual(Object.values(before).map(({ pid }) => pid).sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(second.child.stdout()).toContain('adopting the live worker of an earlier supervisor');

    // Adopted workers are supervised like any other: a kill is noticed and repaired.
    const alpha = before['acme/alpha']?.pid ?? 0;
    process.kill(alpha, 'SIGKILL');
    const replaced = await rig.waitForRepo(second, 'acme/alpha', 'replaced', (repo) => repo.status === 'running' && repo.pid !== alpha);
    expect(replaced.restarts).toBe(1);
    // And a clean stop takes them all.
    expect(await rig.stop(second)).toEqual({ code: 0, signal: null });
    expect(await workerMainPidsUnder(home)).toEqual([]);
  });

  it('workers whose supervisor never comes back exit cleanly after the grace period', async () => {
    const { file, home } = await twoRepos(1500);
    const supervisor = await rig.start(file, home);
    await allRunning(supervisor);
    const pids = (await rig.repos(supervisor)).map((repo) => repo.pid ?? 0);
    await killSupervisor(supervisor);
    await waitFor('the orphaned workers to exit', async () => (await workerMainPidsUnder(home)).length === 0);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    const log = await readFile(join(home, 'logs', 'acme-alpha.log'), 'utf8');
    expect(log).toContain('no supervisor within the grace period');
    expect(log).toContain('worker shutting down');
  });

  it('stops the old workers and starts new ones when the control port cannot be bound again', async () => {
    const { file, home } = await twoRepos();
    const first = await rig.start(file, home);
    await allRunning(first);
    const oldPids = (await rig.repos(first)).map((repo) => repo.pid ?? 0);
    const controlPort = Number(await readFile(join(home, 'supervisor-port'), 'utf8'));
    await killSupervisor(first);
    blocker = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker?.listen(controlPort, '127.0.0.1', resolve));

    const second = await rig.start(file, home);
    await allRunning(second);
    for (const pid of oldPids) expect(isAlive(pid)).toBe(false);
    const newPids = (await rig.repos(second)).map((repo) => repo.pid ?? 0);
    for (const pid of newPids) expect(oldPids).not.toContain(pid);
    expect((await workerMainPidsUnder(home)).length).toBe(2);
    expect(second.child.stdout()).toContain('cannot bind the previous control port again');
  });
});

describe('workers the earlier supervisor did not record', () => {
  it('takes back a worker launched just before a crash (its pid never saved) and stops workers of repos no longer managed', async () => {
    const { file, home } = await twoRepos();
    const first = await rig.start(file, home);
    await allRunning(first);
    const extra = await createGitRepo(join(home, '..', 'gamma'));
    expect((await rig.api(first, 'POST', '/api/repos', { path: extra, slug: 'acme/gamma' })).status).toBe(201);
    await rig.waitForRepo(first, 'acme/gamma', 'running', (repo) => repo.status === 'running');
    const before = Object.fromEntries((await rig.repos(first)).map((repo) => [repo.slug, repo.pid]));
    await killSupervisor(first);

    // As if the supervisor died right after launching alpha's worker, before saving its pid,
    // and as if gamma had been forgotten: its worker is no longer any repo's.
    const statePath = join(home, 'supervisor-state.json');
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { repos: { slug: string; pid: number | null; pidStartTicks: number | null }[] };
    state.repos = state.repos.filter((repo) => repo.slug !== 'acme/gamma');
    for (const repo of state.repos) if (repo.slug === 'acme/alpha') Object.assign(repo, { pid: null, pidStartTicks: null });
    await writeFile(statePath, JSON.stringify(state));
    await writeFile(`${statePath}.bak`, JSON.stringify(state));

    const second = await rig.start(file, home);
    await allRunning(second);
    const after = Object.fromEntries((await rig.repos(second)).map((repo) => [repo.slug, repo.pid]));
    expect(after).toEqual({ 'acme/alpha': before['acme/alpha'], 'acme/beta': before['acme/beta'] });
    expect(isAlive(before['acme/gamma'] ?? 0)).toBe(false);
    expect(await workerMainPidsUnder(join(home, 'repos', 'acme-gamma'))).toEqual([]);
    expect((await workerMainPidsUnder(home)).length).toBe(2);
  });
});
