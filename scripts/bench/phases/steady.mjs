// Steady state with 100 repos: one supervisor whose workers are probed every
// second. First a quiet window (the bench sends nothing) in which the
// supervisor's CPU share comes from /proc/<pid>/stat and its RSS is sampled
// for flatness; then GET /api/repos latency under a keep-alive load, one
// client and several concurrent clients, and, as its floor, the same load on a
// plain node:http server answering the same bytes beside the running fleet.
import { Agent, get } from 'node:http';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { launchRepovisor } from '../contenders/repovisor.mjs';
import { spawnTracked } from '../lib/cleanup.mjs';
import { httpGet } from '../lib/http.mjs';
import { cpuSeconds, rssBytes } from '../lib/proc.mjs';
import { percentile, summary } from '../lib/stats.mjs';

/** Repovisor's settings here: probes every second; a long start timeout as in the spawn phase. */
export const STEADY_SETTINGS = { health: { interval_ms: 1000 }, start_timeout_ms: 60000 };
const SETTLE_MS = 5000;
const STATIC_SERVER = fileURLToPath(new URL('../fixtures/static-json-server.mjs', import.meta.url));
const RSS_EVERY_MS = 5000;

function getOnce(agent, port, path) {
  return new Promise((resolve, reject) => {
    const call = get({ host: '127.0.0.1', port, path, agent }, (response) => {
      response.on('data', () => undefined);
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`status ${response.statusCode}`))));
    });
    call.on('error', reject);
  });
}

/** `clients` keep-alive clients calling GET `path` back to back for `seconds`; latencies in ms. */
async function load(port, path, clients, seconds) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        await getOnce(agent, port, path);
        latencies.push(performance.now() - started);
      }
    }),
  );
  agent.destroy();
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond: latencies.length / seconds };
}

function workersCpu(pids) {
  let total = 0;
  for (const pid of pids) {
    try {
      const { self, children } = cpuSeconds(pid);
      total += self + children;
    } catch {
      // Gone.
    }
  }
  return total;
}

/**
 * The floor for the latency figure: the body `GET /api/repos` answers now,
 * served by a plain node:http server (fixtures/static-json-server.mjs) under
 * the same load, while the supervisor and its workers keep running beside it.
 */
async function staticServerLoad({ folder, port, loadRuns, concurrency }) {
  const { body } = await httpGet(port, '/api/repos', { timeoutMs: 10_000 });
  const file = join(folder, 'repos.json');
  await writeFile(file, body);
  const server = spawnTracked(process.execPath, [STATIC_SERVER, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = await once(server.stdout, 'data');
    const staticPort = Number(String(line).trim());
    const results = [];
    for (let run = 0; run < loadRuns; run += 1) results.push(await load(staticPort, '/', concurrency, 3));
    return results;
  } finally {
    process.kill(server.pid, 'SIGTERM');
    await server.exited;
  }
}

/** Runs the steady phase on `repos`; `cpuWindowS` is the length of the quiet CPU window. */
export async function steadyPhase({ tmp, repos, cpuWindowS, loadRuns, concurrency, progress }) {
  const folder = await mkdtemp(join(tmp, 'steady-'));
  const handle = await launchRepovisor({ folder, repos, settings: STEADY_SETTINGS });
  try {
    await handle.healthy();
    await sleep(SETTLE_MS);
    const workers = await handle.appPids();
    const rssSamples = [rssBytes(handle.pid)];
    const cpuBefore = cpuSeconds(handle.pid).self;
    const workersBefore = workersCpu(workers);
    const started = performance.now();
    progress(`steady: ${repos.length} workers probed every second; quiet CPU window of ${cpuWindowS} s…`);
    while (performance.now() - started < cpuWindowS * 1000) {
      await sleep(Math.min(RSS_EVERY_MS, cpuWindowS * 1000 - (performance.now() - started)));
      rssSamples.push(rssBytes(handle.pid));
    }
    const elapsedS = (performance.now() - started) / 1000;
    const cpuShare = (cpuSeconds(handle.pid).self - cpuBefore) / elapsedS;
    const workersShare = (workersCpu(workers) - workersBefore) / elapsedS;
    const idleWorkerRss = summary(workers.map(rssBytes).filter((value) => value !== null));
    progress(`steady: supervisor CPU ${(cpuShare * 100).toFixed(2)} % of a core; RSS ${(rssSamples[0] / 1048576).toFixed(1)} → ${(rssSamples.at(-1) / 1048576).toFixed(1)} MiB`);

    const port = Number(new URL(handle.url).port);
    const single = [];
    const concurrent = [];
    for (let run = 0; run < loadRuns; run += 1) {
      single.push(await load(port, '/api/repos', 1, 2));
      concurrent.push(await load(port, '/api/repos', concurrency, 3));
    }
    progress(`steady: GET /api/repos p99 ${concurrent.map((r) => r.p99.toFixed(2)).join('/')} ms with ${concurrency} clients, ${single.map((r) => r.p99.toFixed(2)).join('/')} ms with one`);
    const baseline = await staticServerLoad({ folder, port, loadRuns, concurrency });
    progress(`steady: the same bytes from a plain node:http server: p99 ${baseline.map((r) => r.p99.toFixed(2)).join('/')} ms with ${concurrency} clients`);
    return { cpuWindowS: elapsedS, cpuShare, workersShare, rssSamples, idleWorkerRss, single, concurrent, concurrency, workers: workers.length, baseline };
  } finally {
    await handle.stop();
  }
}
