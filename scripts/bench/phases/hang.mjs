// Hang detection: a worker frozen with SIGSTOP, timed until the supervisor has
// replaced it (GET /api/repos shows the repo running with a new pid). Three
// workers of one supervisor are frozen at staggered moments, so each sample
// lands at another point of the probe cycle. Run for the default probe
// settings and for a tight one; the restart delay is 0 in both, so the figure
// is detection plus respawn.
import { Agent } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchRepovisor, listRepos } from '../contenders/repovisor.mjs';

/** The probe settings compared: Repovisor's default and a tight one. */
export const HANG_SETTINGS = [
  { label: 'default probes (interval 5000 ms, timeout 2000 ms, threshold 3)', key: 'default', health: null, staggerMs: 1700 },
  { label: 'tight probes (interval 250 ms, timeout 250 ms, threshold 2)', key: 'tight', health: { interval_ms: 250, timeout_ms: 250, failure_threshold: 2 }, staggerMs: 90 },
];
const WORKERS = 3;
const POLL_MS = 10;

async function freezeAndWait(url, agent, slug, delayMs) {
  await sleep(delayMs);
  const before = (await listRepos(url, agent)).find((repo) => repo.slug === slug);
  process.kill(before.pid, 'SIGSTOP');
  const frozen = performance.now();
  for (;;) {
    const now = (await listRepos(url, agent)).find((repo) => repo.slug === slug);
    if (now.status === 'running' && now.pid !== before.pid) return performance.now() - frozen;
    await sleep(POLL_MS);
  }
}

/** Runs the hang phase; returns {default: [ms…], tight: [ms…]}. */
export async function hangPhase({ tmp, repos, progress }) {
  const results = {};
  for (const setting of HANG_SETTINGS) {
    const folder = await mkdtemp(join(tmp, `hang-${setting.key}-`));
    const settings = { restart: { initial_delay_ms: 0 }, ...(setting.health ? { health: setting.health } : {}) };
    const handle = await launchRepovisor({ folder, repos: repos.slice(0, WORKERS), settings });
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    try {
      const listed = await handle.healthy();
      await sleep(500);
      results[setting.key] = await Promise.all(listed.map((repo, index) => freezeAndWait(handle.url, agent, repo.slug, index * setting.staggerMs)));
    } finally {
      agent.destroy();
      await handle.stop();
    }
    progress(`hang detection, ${setting.key.padEnd(7)} ${results[setting.key].map((value) => value.toFixed(0)).join(', ')} ms`);
  }
  return results;
}
