import { afterEach, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { startWithRepos } from './helpers/claims-config.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import type { ApiRepo } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

// docs/RELIABILITY.md: "A frozen supervisor (SIGSTOP, then SIGCONT) resumes
// with every worker still running under its old pid."
const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

describe('a frozen supervisor', () => {
  it('resumes after SIGSTOP and SIGCONT with every worker running under its old pid', async () => {
    // Probes every 200 ms with the default threshold: the freeze spans many probe intervals and
    // overruns the timeout of the probe in flight, which must not count as a failed worker.
    const health = { interval_ms: 200, timeout_ms: 1000, failure_threshold: 3 };
    const supervisor = await startWithRepos(rig, await temp.make(), { health }, [{ slug: 'acme/alpha' }, { slug: 'acme/beta' }]);
    const before: ApiRepo[] = [];
    for (const slug of ['acme/alpha', 'acme/beta']) before.push(await rig.waitForRepo(supervisor, slug, 'probed', (repo) => repo.status === 'running' && repo.last_probe?.ok === true));
    process.kill(supervisor.child.pid, 'SIGSTOP');
    try {
      // Frozen for a while on purpose: a deliberate length of the fault, not a measurement.
      await sleep(3000);
    } finally {
      process.kill(supervisor.child.pid, 'SIGCONT');
    }
    const probedAt = new Map(before.map((repo) => [repo.slug, repo.last_probe?.at]));
    for (const repo of before) {
      const after = await rig.waitForRepo(supervisor, repo.slug, 'probed again after the freeze', (entry) => entry.last_probe?.ok === true && entry.last_probe.at !== probedAt.get(entry.slug));
      expect(after).toMatchObject({ status: 'running', pid: repo.pid, restarts: 0 });
    }
  });
});
