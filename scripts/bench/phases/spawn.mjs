// Spawn-to-healthy and memory at each size: for every size and run, each
// contender is started cold and timed until every app is healthy; a second
// later the manager's RSS and the apps' RSS are read from /proc. At the largest
// size, `supervisor status` and `pm2 jlist` are timed while all apps are up.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchFloor } from '../contenders/floor.mjs';
import { launchPm2 } from '../contenders/pm2.mjs';
import { launchRepovisor, listRepos, SUPERVISOR_MAIN } from '../contenders/repovisor.mjs';
import { launchSupervisord } from '../contenders/supervisord.mjs';
import { spawnTracked } from '../lib/cleanup.mjs';
import { freePorts } from '../lib/http.mjs';
import { rssBytes } from '../lib/proc.mjs';
import { summary } from '../lib/stats.mjs';

const SETTLE_MS = 1000;
const CLI_RUNS = 3;
/** Spawn runs use Repovisor's defaults except a longer start timeout, so a slow start on a loaded machine is measured rather than restarted. */
export const SPAWN_SETTINGS = { start_timeout_ms: 60000 };

async function launch(name, { folder, repos }) {
  switch (name) {
    case 'repovisor':
      return launchRepovisor({ folder, repos, settings: SPAWN_SETTINGS });
    case 'pm2':
      return launchPm2({ folder, ports: await freePorts(repos.length) });
    case 'supervisord':
      return launchSupervisord({ folder, ports: await freePorts(repos.length) });
    case 'floor':
      return launchFloor({ ports: await freePorts(repos.length) });
    default:
      throw new Error(`unknown contender ${name}`);
  }
}

async function timeCli(command, args, env) {
  const started = performance.now();
  const child = spawnTracked(command, args, { stdio: ['ignore', 'ignore', 'ignore'], ...(env ? { env } : {}) });
  const { code } = await child.exited;
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}`);
  return performance.now() - started;
}

/** Extra timings while `handle` has every app up at the largest size. */
async function whileUp(handle, record) {
  if (handle.name === 'repovisor') {
    for (let run = 0; run < CLI_RUNS; run += 1) record.cli.push(await timeCli(process.execPath, [SUPERVISOR_MAIN, 'status', '--home', handle.home]));
  }
  if (handle.name === 'pm2') {
    for (let run = 0; run < CLI_RUNS; run += 1) record.cli.push((await handle.jlist()).ms);
  }
}

/** One start of `size` apps under `name`, recorded into `record`; every process is ended even when it fails. */
async function timeOneStart(name, size, { tmp, repos, record, largest }) {
  const folder = await mkdtemp(join(tmp, `${name}-${size}-`));
  const started = performance.now();
  const handle = await launch(name, { folder, repos: repos.slice(0, size) });
  try {
    await handle.healthy();
    const ms = performance.now() - started;
    await sleep(SETTLE_MS);
    const managerRss = rssBytes(handle.pid);
    const appRss = (await handle.appPids()).map(rssBytes).filter((value) => value !== null);
    const restarts = name === 'repovisor' ? (await listRepos(handle.url)).reduce((sum, repo) => sum + repo.restarts, 0) : 0;
    const cli = { cli: [] };
    if (size === largest) await whileUp(handle, cli);
    // Recorded only once the whole run succeeded, so that a retried run counts once.
    record.ms.push(ms);
    record.managerRss.push(managerRss);
    record.appRss.push(summary(appRss).median);
    record.restarts += restarts;
    record.cli.push(...cli.cli);
  } finally {
    await handle.stop();
  }
}

/**
 * Runs the spawn phase. `contenders` is the ordered list of names; the order
 * rotates on every run so no contender always goes first. Returns
 * results[name][size] = {ms: [...], managerRss: [...], appRss: [...], restarts, cli: [...]}.
 */
export async function spawnPhase({ tmp, repos, sizes, runsFor, contenders, progress }) {
  const results = Object.fromEntries(contenders.map((name) => [name, {}]));
  const largest = Math.max(...sizes);
  for (const size of sizes) {
    for (const name of contenders) results[name][size] = { ms: [], managerRss: [], appRss: [], restarts: 0, cli: [] };
    const runs = runsFor(size);
    for (let run = 0; run < runs; run += 1) {
      const order = contenders.map((_, index) => contenders[(index + run) % contenders.length]);
      for (const name of order) {
        const record = results[name][size];
        // A run that fails (a port taken from under an app, say) is retried once, and the table says so.
        for (let attempt = 1; ; attempt += 1) {
          try {
            await timeOneStart(name, size, { tmp, repos, record, largest });
            break;
          } catch (error) {
            if (attempt > 1) throw error;
            record.retried = (record.retried ?? 0) + 1;
            progress(`spawn ${String(size).padStart(3)} repos, run ${run + 1}/${runs}, ${name}: ${error.message}; trying once more`);
          }
        }
        progress(`spawn ${String(size).padStart(3)} repos, run ${run + 1}/${runs}, ${name.padEnd(11)} ${(record.ms.at(-1) ?? NaN).toFixed(0)} ms`);
      }
    }
  }
  return results;
}
