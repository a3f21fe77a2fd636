import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './helpers/child-processes.js';
import { preload, startWithRepos } from './helpers/claims-config.js';
import { REPO_ROOT } from './helpers/paths.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import type { ApiRepo } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The stop sequence (shutdown request, SIGTERM, SIGKILL after stop_timeout_ms)
// against a worker that ignores the first two, and the 409s of the `stopping`
// state while it runs (docs/API.md, docs/CONFIGURATION.md).
const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

describe('stopping a worker that ignores SIGTERM', () => {
  it('sends SIGKILL after stop_timeout_ms, answering 409 to start and restart while it is stopping', async () => {
    const root = await temp.make();
    const signals = join(root, 'signals.log');
    const env = { NODE_OPTIONS: preload(join(REPO_ROOT, 'tests/fixtures/ignore-stop.cjs')), IGNORE_STOP_FILE: signals };
    const supervisor = await startWithRepos(rig, root, { stop_timeout_ms: 3000 }, [{ slug: 'acme/alpha', env }]);
    const running = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
    const pid = running.pid ?? 0;

    const firstStop = rig.api<ApiRepo>(supervisor, 'POST', '/api/repos/acme/alpha/stop');
    await rig.waitForRepo(supervisor, 'acme/alpha', 'stopping', (repo) => repo.status === 'stopping');
    expect(await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/start')).toEqual({ status: 409, body: { error: 'Cannot start acme/alpha: it is stopping' } });
    expect(await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/restart')).toEqual({ status: 409, body: { error: 'Cannot restart acme/alpha: it is stopping' } });
    const secondStop = rig.api<ApiRepo>(supervisor, 'POST', '/api/repos/acme/alpha/stop');

    // The worker cannot end by itself: only a SIGKILL takes it.
    await waitFor('the worker to get SIGTERM', async () => (await readFile(signals, 'utf8').catch(() => '')).includes(`SIGTERM ${pid}`));
    await waitFor('the worker that ignores SIGTERM to be killed', () => !isAlive(pid), 30_000);
    for (const answer of [await firstStop, await secondStop]) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: 'stopped', pid: null });
    }
    // Its log reaches this process through a pipe, maybe after the answers did.
    await waitFor('the supervisor to log the SIGKILL', () => supervisor.child.stdout().includes('"worker ignored SIGTERM; sending SIGKILL"'));
  });
});
