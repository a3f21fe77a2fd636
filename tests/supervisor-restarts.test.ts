import { afterEach, describe, expect, it } from '@jest/globals';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './helpers/child-processes.js';
import { createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import type { ApiRepo, TestProbes } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

async function oneRepo(probes: TestProbes = 'fast', startTimeoutMs?: number): Promise<{ file: string; home: string; repo: string }> {
  const root = await temp.make();
  const repo = await createGitRepo(join(root, 'solo'));
  const home = join(root, 'home');
  const section = testSupervisorSection(home, '', probes);
  const settings = startTimeoutMs === undefined ? section : section.replace(/start_timeout_ms: \d+/, `start_timeout_ms: ${startTimeoutMs}`);
  const file = await rig.writeConfig(root, `${settings}\nrepos:\n  - path: ./solo\n    slug: acme/solo\n`);
  return { file, home, repo };
}

describe('restarts', () => {
  it('restarts a worker killed with SIGKILL and counts the restart', async () => {
    // Probes that cannot fail: the one restart counted is the kill's.
    const { file, home } = await oneRepo('steady');
    const supervisor = await rig.start(file, home);
    const first = await rig.waitForRepo(supervisor, 'acme/solo', 'running', (repo) => repo.status === 'running');
    expect(first.restarts).toBe(0);
    process.kill(first.pid ?? 0, 'SIGKILL');
    const second = await rig.waitForRepo(supervisor, 'acme/solo', 'running with a new pid', (repo) => repo.status === 'running' && repo.pid !== first.pid);
    expect(second.restarts).toBe(1);
    expect(second.last_error).toBe('worker killed by SIGKILL');
    expect(isAlive(first.pid ?? 0)).toBe(false);
    const metrics = await (await fetch(`${supervisor.url}/metrics`)).text();
    expect(metrics).toContain('repovisor_worker_restarts_total{slug="acme/solo"} 1');
    expect(metrics).toMatch(/repovisor_repos\{state="running"\} 1/);
  });

  it('marks a worker frozen with SIGSTOP unhealthy after failed probes and replaces it', async () => {
    const { file, home } = await oneRepo();
    const supervisor = await rig.start(file, home);
    const first = await rig.waitForRepo(supervisor, 'acme/solo', 'probed ok', (repo) => repo.status === 'running' && repo.last_probe?.ok === true);
    process.kill(first.pid ?? 0, 'SIGSTOP');
    const replaced = await rig.waitForRepo(supervisor, 'acme/solo', 'replaced', (repo) => repo.status === 'running' && repo.pid !== first.pid);
    expect(replaced.restarts).toBe(1);
    expect(replaced.last_error).toMatch(/^unhealthy: 2 consecutive probes failed/);
    expect(isAlive(first.pid ?? 0)).toBe(false);
  });

  it('ends in failed after the configured restarts when the worker crashes at start, and stays down until started by hand', async () => {
    const { file, home, repo } = await oneRepo();
    const supervisor = await rig.start(file, home);
    await rig.waitForRepo(supervisor, 'acme/solo', 'running', (entry) => entry.status === 'running');
    expect((await rig.api(supervisor, 'POST', '/api/repos/acme/solo/stop')).status).toBe(200);
    // Without its repository the worker exits 2 at once, every time.
    await rm(repo, { recursive: true, force: true });
    expect((await rig.api(supervisor, 'POST', '/api/repos/acme/solo/start')).status).toBe(200);
    const failed = await rig.waitForRepo(supervisor, 'acme/solo', 'failed', (entry) => entry.status === 'failed');
    expect(failed.restarts).toBe(3);
    expect(failed.pid).toBeNull();
    expect(failed.last_error).toMatch(/crash loop: 3 restarts within 60000 ms.*exited with code 2/);
    // No restart follows: one would be due within max_delay_ms (500) of the failure. A witness repo's probe
    // that starts after one that ended past that moment (each probe is timed from the end of the last)
    // shows the supervisor's loop has run every timer due by then; solo is still failed.
    const failedBy = Date.now();
    expect((await rig.api(supervisor, 'POST', '/api/repos', { path: await createGitRepo(join(repo, '..', 'witness')), slug: 'acme/witness' })).status).toBe(201);
    const past = await rig.waitForRepo(supervisor, 'acme/witness', 'probed past the restart delay', (entry) => entry.last_probe !== null && Date.parse(entry.last_probe.at) > failedBy + 500);
    await rig.waitForRepo(supervisor, 'acme/witness', 'probed once more', (entry) => entry.last_probe !== null && entry.last_probe.at !== past.last_probe?.at);
    expect((await rig.repos(supervisor)).find((entry) => entry.slug === 'acme/solo')).toMatchObject({ status: 'failed', restarts: 3, pid: null });
    // An operator's start gives it a fresh budget.
    await createGitRepo(repo);
    const started = await rig.api<ApiRepo>(supervisor, 'POST', '/api/repos/acme/solo/start');
    expect(started.status).toBe(200);
    await rig.waitForRepo(supervisor, 'acme/solo', 'running again', (entry) => entry.status === 'running');
  });

  it('treats a worker that says no hello within the start timeout as unhealthy, ending in failed', async () => {
    const { file, home } = await oneRepo('fast', 10);
    const supervisor = await rig.start(file, home);
    const failed = await rig.waitForRepo(supervisor, 'acme/solo', 'failed', (repo) => repo.status === 'failed');
    expect(failed.last_error).toMatch(/no hello within 10 ms of launch/);
    expect(failed.restarts).toBe(3);
  });
});
