// Kills: SIGKILL and SIGTERM random workers, freeze them with SIGSTOP, and make one crash at every start.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepo, createGitRepos } from '../lib/git-repos.mjs';
import { isAlive } from '../lib/processes.mjs';
import { metricValue, supervisorYaml, writeConfig } from '../lib/supervisor.mjs';
import { check } from '../lib/wait.mjs';

export const title = 'kills: workers killed, frozen and crashing at start';

/** Runs the kill scenarios under `ctx`. */
export async function run(ctx) {
  const { tally, options } = ctx;
  const folder = await ctx.folder('kills');
  const paths = await createGitRepos(folder, 'w', 4);
  const slugs = paths.map((_, index) => `kill/w-${index}`);
  const home = join(folder, 'home');
  const file = await writeConfig(folder, supervisorYaml(home, {}, paths.map((path, index) => ({ path, slug: slugs[index] }))));
  const supervisor = await ctx.supervisor(file, home);
  await supervisor.waitAllRunning(slugs);
  tally.progress(`supervisor ${supervisor.pid} runs ${slugs.length} workers`);

  let expectedRestarts = 0;
  const replaced = async (victim, how, lastError) => {
    const before = await supervisor.repos();
    const old = before.find((repo) => repo.slug === victim.slug);
    how(old.pid);
    const back = await supervisor.waitForRepo(victim.slug, 'running with a new pid', (repo) => repo.status === 'running' && repo.pid !== null && repo.pid !== old.pid);
    expectedRestarts += 1;
    check(!isAlive(old.pid), `the old worker ${old.pid} is still alive`);
    check(back.restarts === old.restarts + 1, `restarts went from ${old.restarts} to ${back.restarts}, expected +1`);
    check(lastError.test(back.last_error ?? ''), `last_error is ${JSON.stringify(back.last_error)}, expected ${lastError}`);
    const after = await supervisor.repos();
    for (const other of before.filter((repo) => repo.slug !== victim.slug)) {
      const now = after.find((repo) => repo.slug === other.slug);
      check(now?.pid === other.pid, `${other.slug} was touched: pid ${other.pid} became ${now?.pid} (${now?.status})`);
    }
    const workers = await supervisor.workerPidsOf(victim.slug);
    check(workers.length === 1 && workers[0] === back.pid, `expected one worker (${back.pid}) for ${victim.slug}, found ${JSON.stringify(workers)}`);
    return `pid ${old.pid} → ${back.pid}, restarts ${back.restarts}, others untouched`;
  };
  const randomRunning = async () => {
    const repos = await supervisor.waitAllRunning(slugs);
    return repos[Math.floor(Math.random() * repos.length)];
  };

  for (let round = 0; round < options.kills; round += 1) {
    const victim = await randomRunning();
    await tally.fault(`SIGKILL worker ${victim.slug} (${round + 1}/${options.kills})`, () => replaced(victim, (pid) => process.kill(pid, 'SIGKILL'), /^worker killed by SIGKILL$/));
  }
  const termed = await randomRunning();
  await tally.fault(`SIGTERM worker ${termed.slug} behind the supervisor's back (it exits 0)`, () => replaced(termed, (pid) => process.kill(pid, 'SIGTERM'), /^worker exited with code 0$/));
  for (let round = 0; round < options.stops; round += 1) {
    const victim = await supervisor.waitForRepo((await randomRunning()).slug, 'probed ok', (repo) => repo.status === 'running' && repo.last_probe?.ok === true);
    await tally.fault(`SIGSTOP worker ${victim.slug} (${round + 1}/${options.stops})`, () => replaced(victim, (pid) => process.kill(pid, 'SIGSTOP'), /^unhealthy: 2 consecutive probes failed/));
  }

  const metrics = await supervisor.metrics();
  const counted = slugs.reduce((sum, slug) => sum + metricValue(metrics, 'repovisor_worker_restarts_total', { slug }), 0);
  const listed = (await supervisor.repos()).reduce((sum, repo) => sum + repo.restarts, 0);
  if (counted !== expectedRestarts || listed !== expectedRestarts) {
    tally.broken('restart counting', new Error(`${expectedRestarts} restarts caused; /metrics counts ${counted}, /api/repos ${listed}`));
  } else tally.progress(`restarts counted: ${counted} in /metrics and /api/repos, as caused`);

  await crashAtStart(ctx, folder);
}

/** A worker whose repository folder is gone exits 2 at every start: the repo ends `failed`, then an operator brings it back. */
async function crashAtStart(ctx, parent) {
  const folder = join(parent, 'loop');
  const repo = await createGitRepo(join(folder, 'fragile'));
  const home = join(folder, 'home');
  const file = await writeConfig(folder, supervisorYaml(home, { restart: '{initial_delay_ms: 50, max_delay_ms: 400, max_restarts: 3, window_ms: 60000}' }, [{ path: repo, slug: 'kill/fragile' }]));
  const supervisor = await ctx.supervisor(file, home);
  await supervisor.waitAllRunning(['kill/fragile']);
  await ctx.tally.fault('a worker that crashes at every start (repository folder removed) ends failed, and comes back after restore and an operator start', async () => {
    check((await supervisor.api('POST', '/api/repos/kill/fragile/stop')).status === 200, 'stop was refused');
    await rm(repo, { recursive: true, force: true });
    check((await supervisor.api('POST', '/api/repos/kill/fragile/start')).status === 200, 'start was refused');
    const failed = await supervisor.waitForRepo('kill/fragile', 'failed', (entry) => entry.status === 'failed');
    check(failed.pid === null && failed.restarts === 3, `failed with pid ${failed.pid} and ${failed.restarts} restarts, expected null and 3`);
    check(/^crash loop: 3 restarts within 60000 ms.*exited with code 2/.test(failed.last_error ?? ''), `last_error ${JSON.stringify(failed.last_error)}`);
    check((await supervisor.workerPidsOf('kill/fragile')).length === 0, 'a worker runs while the repo is failed');
    await createGitRepo(repo);
    check((await supervisor.api('POST', '/api/repos/kill/fragile/start')).status === 200, 'the operator start was refused');
    const back = await supervisor.waitForRepo('kill/fragile', 'running again', (entry) => entry.status === 'running');
    return `failed after ${failed.restarts} restarts (exit code 2), running again as pid ${back.pid}`;
  });
}
