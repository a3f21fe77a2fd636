import { afterEach, describe, expect, it } from '@jest/globals';
import { startWithRepos } from './helpers/claims-config.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import type { ApiRepo } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

// The `backoff` row of the table of allowed actions (docs/API.md). The
// `stopping` row is in stop-sequence.test.ts.
const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

describe('a repo in backoff', () => {
  it('answers 409 to start, and lets restart and stop cancel the pending restart', async () => {
    // A minute's backoff: the repo stays in backoff for as long as the test looks at it.
    const restart = { initial_delay_ms: 60_000, max_delay_ms: 60_000, max_restarts: 5, window_ms: 600_000, stable_after_ms: 600_000 };
    const supervisor = await startWithRepos(rig, await temp.make(), { restart }, [{ slug: 'acme/alpha' }]);
    const first = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');

    process.kill(first.pid ?? 0, 'SIGKILL');
    await rig.waitForRepo(supervisor, 'acme/alpha', 'in backoff', (repo) => repo.status === 'backoff');
    expect(await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/start')).toEqual({ status: 409, body: { error: 'Cannot start acme/alpha: it is backoff' } });
    const restarted = await rig.api<ApiRepo>(supervisor, 'POST', '/api/repos/acme/alpha/restart');
    expect(restarted.status).toBe(200);
    expect(restarted.body).toMatchObject({ status: 'starting', last_error: null });
    const second = await rig.waitForRepo(supervisor, 'acme/alpha', 'running again', (repo) => repo.status === 'running');

    process.kill(second.pid ?? 0, 'SIGKILL');
    await rig.waitForRepo(supervisor, 'acme/alpha', 'in backoff again', (repo) => repo.status === 'backoff');
    const stopped = await rig.api<ApiRepo>(supervisor, 'POST', '/api/repos/acme/alpha/stop');
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ status: 'stopped', pid: null });
    expect(await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/stop')).toEqual({ status: 409, body: { error: 'Cannot stop acme/alpha: it is stopped' } });
  });
});
