// Restart after SIGKILL: one app per contender, killed with SIGKILL several
// times; each time from the kill until the app is healthy again in a new
// process (a new pid answering its port, or for Repovisor GET /api/repos
// showing it running with a new pid). Repovisor runs with a restart delay of
// 0; PM2 and supervisord with their defaults; the floor is a minimal
// respawn-on-exit loop.
import { Agent } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { launchPm2 } from '../contenders/pm2.mjs';
import { launchRepovisor, listRepos } from '../contenders/repovisor.mjs';
import { launchSupervisord } from '../contenders/supervisord.mjs';
import { benchEnv, spawnTracked } from '../lib/cleanup.mjs';
import { answeringPid, freePorts, waitForNewPid, waitUntilAnswering } from '../lib/http.mjs';

const LOOP = fileURLToPath(new URL('../fixtures/respawn-loop.mjs', import.meta.url));
const POLL_MS = 5;
/** Long enough for supervisord's startsecs (1 s) and PM2's min_uptime (1 s) to pass between kills. */
const SETTLE_MS = 1200;
/** Repovisor's settings for this phase: immediate restart, and no crash-loop stop during the repeated kills. */
export const RESTART_SETTINGS = { restart: { initial_delay_ms: 0, max_restarts: 1000, window_ms: 60000 } };

function sigkill(pid) {
  process.kill(pid, 'SIGKILL');
  return performance.now();
}

async function killByPort(port, runs) {
  const times = [];
  for (let run = 0; run < runs; run += 1) {
    const pid = await answeringPid(port);
    const killed = sigkill(pid);
    await waitForNewPid(port, pid, { intervalMs: POLL_MS });
    times.push(performance.now() - killed);
    await sleep(SETTLE_MS);
  }
  return times;
}

async function loop(port, runs) {
  const child = spawnTracked(process.execPath, [LOOP], { stdio: 'ignore', env: benchEnv({ PORT: String(port) }) });
  try {
    await waitUntilAnswering([port]);
    await sleep(300);
    return await killByPort(port, runs);
  } finally {
    process.kill(child.pid, 'SIGTERM');
    await child.exited;
  }
}

async function managed(launch, port, runs) {
  const handle = await launch;
  try {
    await handle.healthy();
    await sleep(SETTLE_MS);
    return await killByPort(port, runs);
  } finally {
    await handle.stop();
  }
}

async function repovisor(folder, repo, runs) {
  const handle = await launchRepovisor({ folder, repos: [repo], settings: RESTART_SETTINGS });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await handle.healthy();
    await sleep(SETTLE_MS);
    const times = [];
    for (let run = 0; run < runs; run += 1) {
      const [before] = await listRepos(handle.url, agent);
      const killed = sigkill(before.pid);
      for (;;) {
        const [now] = await listRepos(handle.url, agent);
        if (now.status === 'running' && now.pid !== before.pid) break;
        await sleep(POLL_MS);
      }
      times.push(performance.now() - killed);
      await sleep(SETTLE_MS);
    }
    return times;
  } finally {
    agent.destroy();
    await handle.stop();
  }
}

/** Runs the restart phase; returns {name: [ms, …]} for each contender that ran. */
export async function restartPhase({ tmp, repo, runs, contenders, progress }) {
  const results = {};
  for (const name of contenders) {
    const folder = await mkdtemp(join(tmp, `restart-${name}-`));
    const [port] = await freePorts(1);
    if (name === 'floor') results[name] = await loop(port, runs);
    if (name === 'repovisor') results[name] = await repovisor(folder, repo, runs);
    if (name === 'pm2') results[name] = await managed(launchPm2({ folder, ports: [port] }), port, runs);
    if (name === 'supervisord') results[name] = await managed(launchSupervisord({ folder, ports: [port] }), port, runs);
    progress(`restart after SIGKILL, ${name.padEnd(11)} ${results[name].map((value) => value.toFixed(0)).join(', ')} ms`);
  }
  return results;
}
