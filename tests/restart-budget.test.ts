import { afterEach, describe, expect, it } from '@jest/globals';
import { startWithRepos } from './helpers/claims-config.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import type { ApiRepo, RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

// The crash-loop window and the restart budget (docs/CONFIGURATION.md,
// restart.*; docs/API.md, "Every start clears last_error and resets the
// restart policy"), with real workers killed by SIGKILL.
const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

/** Kills the running worker of acme/alpha; resolves with the repo once it is running again or has failed. */
async function killAndSettle(supervisor: RunningTestSupervisor, running: ApiRepo): Promise<ApiRepo> {
  process.kill(running.pid ?? 0, 'SIGKILL');
  return rig.waitForRepo(supervisor, 'acme/alpha', 'running again or failed', (repo) => repo.status === 'failed' || (repo.status === 'running' && repo.pid !== running.pid));
}

describe('the crash-loop window', () => {
  it('is kept by a run longer than stable_after_ms: the repo fails once the window holds max_restarts', async () => {
    // stable_after_ms 0: every run counts as stable, which resets the backoff but must not empty the window.
    const restart = { initial_delay_ms: 50, max_delay_ms: 50, max_restarts: 2, window_ms: 600_000, stable_after_ms: 0 };
    const supervisor = await startWithRepos(rig, await temp.make(), { restart }, [{ slug: 'acme/alpha' }]);
    let repo = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (entry) => entry.status === 'running');
    for (const restarts of [1, 2]) {
      repo = await killAndSettle(supervisor, repo);
      expect(repo).toMatchObject({ status: 'running', restarts });
    }
    const failed = await killAndSettle(supervisor, repo);
    expect(failed).toMatchObject({ status: 'failed', pid: null, restarts: 2 });
    expect(failed.last_error).toBe('crash loop: 2 restarts within 600000 ms (max_restarts 2); last: worker killed by SIGKILL');
  });
});

describe("an operator's start", () => {
  it('clears last_error and gives a failed repo a fresh restart budget', async () => {
    const restart = { initial_delay_ms: 50, max_delay_ms: 50, max_restarts: 1, window_ms: 600_000, stable_after_ms: 600_000 };
    const supervisor = await startWithRepos(rig, await temp.make(), { restart }, [{ slug: 'acme/alpha' }]);
    let repo = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (entry) => entry.status === 'running');
    repo = await killAndSettle(supervisor, repo);
    expect(repo.status).toBe('running');
    expect((await killAndSettle(supervisor, repo)).status).toBe('failed');

    const started = await rig.api<ApiRepo>(supervisor, 'POST', '/api/repos/acme/alpha/start');
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ status: 'starting', last_error: null });
    repo = await rig.waitForRepo(supervisor, 'acme/alpha', 'running after the start', (entry) => entry.status === 'running');
    // With a fresh budget the next crash is restarted, not a crash loop.
    const after = await killAndSettle(supervisor, repo);
    expect(after).toMatchObject({ status: 'running', restarts: 2, last_error: 'worker killed by SIGKILL' });
  });
});

describe('automatic restarts', () => {
  it('restarts a worker that exits cleanly with code 0 unasked, and leaves the other workers pids unchanged', async () => {
    const supervisor = await startWithRepos(rig, await temp.make(), {}, [{ slug: 'acme/alpha' }, { slug: 'acme/beta' }]);
    const alpha = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (entry) => entry.status === 'running');
    const beta = await rig.waitForRepo(supervisor, 'acme/beta', 'running', (entry) => entry.status === 'running');
    // A worker given SIGTERM behind the supervisor's back shuts down and exits 0.
    process.kill(alpha.pid ?? 0, 'SIGTERM');
    const again = await rig.waitForRepo(supervisor, 'acme/alpha', 'running with a new pid', (entry) => entry.status === 'running' && entry.pid !== alpha.pid);
    expect(again).toMatchObject({ restarts: 1, last_error: 'worker exited with code 0' });
    expect((await rig.repos(supervisor)).find((entry) => entry.slug === 'acme/beta')).toMatchObject({ status: 'running', pid: beta.pid, restarts: 0 });
  });

  it('restarts a crashed worker and leaves the other workers pids unchanged', async () => {
    const supervisor = await startWithRepos(rig, await temp.make(), {}, [{ slug: 'acme/alpha' }, { slug: 'acme/beta' }, { slug: 'gamma' }]);
    const before = new Map<string, ApiRepo>();
    for (const slug of ['acme/alpha', 'acme/beta', 'gamma']) before.set(slug, await rig.waitForRepo(supervisor, slug, 'running', (entry) => entry.status === 'running'));
    const alpha = before.get('acme/alpha');
    process.kill(alpha?.pid ?? 0, 'SIGKILL');
    await rig.waitForRepo(supervisor, 'acme/alpha', 'running with a new pid', (entry) => entry.status === 'running' && entry.pid !== alpha?.pid);
    for (const slug of ['acme/beta', 'gamma']) {
      expect((await rig.repos(supervisor)).find((entry) => entry.slug === slug)).toMatchObject({ status: 'running', pid: before.get(slug)?.pid, restarts: 0 });
    }
  });
});
