// Load (issue 4, deliverable 5): many repos probed every 500 ms for minutes, then 100 racing adds and deletes.
import { join } from 'node:path';
import { createGitRepos } from '../lib/git-repos.mjs';
import { rssBytes } from '../lib/processes.mjs';
import { mib } from '../lib/report.mjs';
import { metricValue, supervisorYaml, writeConfig } from '../lib/supervisor.mjs';
import { check, sleep, waitFor } from '../lib/wait.mjs';
import { race } from './load-race.mjs';

export const title = 'load: many repos probed every 500 ms, GET /api/repos latency, supervisor memory, racing adds and deletes';

const INTERVAL_MS = 500;
/** The supervisor's resident memory must stay at or under this through the load. */
export const RSS_BOUND_BYTES = 200 * 1024 * 1024;
const RSS_EVERY_MS = 3000;
const LIST_EVERY_MS = 250;

/** The `p` quantile (0..1) of sorted `values`, rounded to 0.1. */
function quantile(sorted, p) {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 10) / 10;
}

/** Mean of the last third of `samples` minus mean of the first third: a trend, not the GC's sawtooth. */
function growth(samples) {
  const third = Math.max(1, Math.floor(samples.length / 3));
  const mean = (part) => part.reduce((sum, value) => sum + value, 0) / part.length;
  return Math.round(mean(samples.slice(-third)) - mean(samples.slice(0, third)));
}

/** Runs the load scenario under `ctx`. */
export async function run(ctx) {
  const { tally, options } = ctx;
  const folder = await ctx.folder('load');
  tally.progress(`creating ${options.repos} git repositories`);
  const paths = await createGitRepos(folder, 'repo', options.repos);
  const slugs = paths.map((_, index) => `load/repo-${index}`);
  const home = join(folder, 'home');
  const overrides = {
    health: `{interval_ms: ${INTERVAL_MS}, timeout_ms: 5000, failure_threshold: 3}`,
    restart: '{initial_delay_ms: 500, max_delay_ms: 5000, max_restarts: 5, window_ms: 60000}',
    start_timeout_ms: 120000,
  };
  const file = await writeConfig(folder, supervisorYaml(home, overrides, paths.map((path, index) => ({ path, slug: slugs[index] }))));
  const supervisor = await ctx.supervisor(file, home);
  const startedAt = Date.now();
  await supervisor.waitAllRunning(slugs, 600_000);
  await waitFor('every repo to have answered a probe', async () => (await supervisor.repos()).every((repo) => repo.last_probe?.ok === true), 300_000, 500);
  tally.progress(`${slugs.length} workers running and probed (${((Date.now() - startedAt) / 1000).toFixed(1)} s after the supervisor started)`);

  const pidsBefore = await supervisor.pids();
  const metricsBefore = await supervisor.metrics();
  const probes = (text, outcome) => metricValue(text, 'repovisor_protocol_requests_total', { method: 'health', outcome });
  const rss = [];
  const latencies = [];
  const durationMs = options.minutes * 60_000;
  const until = Date.now() + durationMs;
  const sampler = (async () => {
    while (Date.now() < until) {
      const bytes = rssBytes(supervisor.pid);
      if (bytes !== null) rss.push(bytes);
      await sleep(RSS_EVERY_MS);
    }
  })();
  const lister = (async () => {
    while (Date.now() < until) {
      const began = performance.now();
      const answer = await supervisor.api('GET', '/api/repos');
      latencies.push(performance.now() - began);
      check(answer.status === 200 && answer.body.repos.length === slugs.length, `GET /api/repos answered ${answer.status} with ${answer.body.repos?.length} repos`);
      await sleep(LIST_EVERY_MS);
    }
  })();
  const reporter = (async () => {
    while (Date.now() < until) {
      await sleep(Math.min(30_000, Math.max(1000, until - Date.now())));
      const text = await supervisor.metrics();
      tally.progress(`load: ${Math.round((durationMs - (until - Date.now())) / 1000)} s, probes ok ${probes(text, 'ok') - probes(metricsBefore, 'ok')}, failed ${probes(text, 'failed') - probes(metricsBefore, 'failed')}, supervisor RSS ${mib(rss.at(-1) ?? 0)} MiB`);
    }
  })();
  await Promise.all([sampler, lister, reporter]);

  const metricsAfter = await supervisor.metrics();
  const repos = await supervisor.repos();
  const restarted = repos.filter((repo) => repo.pid !== pidsBefore[repo.slug] || repo.restarts > 0 || repo.status !== 'running');
  const sorted = [...latencies].sort((a, b) => a - b);
  const load = {
    repos: slugs.length,
    minutes: options.minutes,
    intervalMs: INTERVAL_MS,
    probesOk: probes(metricsAfter, 'ok') - probes(metricsBefore, 'ok'),
    probesFailed: probes(metricsAfter, 'failed') - probes(metricsBefore, 'failed'),
    restarts: restarted.length,
    rssMin: Math.min(...rss),
    rssMax: Math.max(...rss),
    rssGrowth: growth(rss),
    rssBound: RSS_BOUND_BYTES,
    rssSamples: rss.length,
    listP50: quantile(sorted, 0.5),
    listP99: quantile(sorted, 0.99),
    listMax: Math.round((sorted.at(-1) ?? 0) * 10) / 10,
    listCount: sorted.length,
    probesPerRepoPerSecond: 0,
  };
  load.probesPerRepoPerSecond = Math.round((load.probesOk / slugs.length / (durationMs / 1000)) * 100) / 100;
  Object.assign(tally.load, load);
  tally.progress(`load done: ${load.probesOk} probes answered, ${load.probesFailed} failed (${load.probesPerRepoPerSecond} per repo per second); RSS ${mib(load.rssMin)}–${mib(load.rssMax)} MiB over ${rss.length} samples; GET /api/repos p50 ${load.listP50} ms, p99 ${load.listP99} ms`);
  if (load.probesOk === 0 || load.probesFailed > 0) tally.broken('every probe answered', new Error(`${load.probesFailed} of ${load.probesOk + load.probesFailed} probes failed during the load`));
  if (restarted.length > 0) tally.broken('no worker restarted under load', new Error(`${restarted.length} worker(s) restarted or not running: ${restarted.map((repo) => `${repo.slug} (${repo.status}, ${repo.last_error})`).join('; ')}`));
  if (load.rssMax > RSS_BOUND_BYTES) tally.broken('supervisor memory bound', new Error(`the supervisor's RSS reached ${mib(load.rssMax)} MiB, over the bound of ${mib(RSS_BOUND_BYTES)} MiB`));

  await race(ctx, folder, supervisor, pidsBefore);
}
