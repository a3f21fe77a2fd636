import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepo } from './helpers/git-repo.js';
import { REPO_ROOT } from './helpers/paths.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

// The benchmark's module recorder, and the CLI as tsc compiled it (one module per
// source file), so that a loaded library can be told by its path.
const RECORDER = join(REPO_ROOT, 'scripts/bench/fixtures/count-modules.mjs');
const UNBUNDLED_MAIN = join(REPO_ROOT, 'packages/supervisor/dist/cli/main.js');

async function loadedLibraries(file: string): Promise<string[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const libraries = lines.map((line) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line)?.[1]).filter((name) => name !== undefined);
  return [...new Set(libraries)];
}

/** The value of one sample line of a Prometheus text answer, e.g. `name{label="x"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(supervisor: RunningTestSupervisor): Promise<string> {
  const response = await fetch(`${supervisor.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.text();
}

describe('GET /metrics', () => {
  it('loads prom-client on the first scrape, and counts the restarts and every protocol request from before it', async () => {
    const root = await temp.make();
    await createGitRepo(join(root, 'solo'));
    const home = join(root, 'home');
    // Probes that cannot fail: the one restart counted is the test's kill.
    const file = await rig.writeConfig(root, `${testSupervisorSection(home, '', 'steady')}\nrepos:\n  - path: ./solo\n    slug: acme/solo\n`);
    const modules = join(root, 'modules.txt');
    const supervisor = await rig.start(file, home, { main: UNBUNDLED_MAIN, nodeArgs: ['--import', RECORDER], env: { RVBENCH_MODULES_FILE: modules } });
    const first = await rig.waitForRepo(supervisor, 'acme/solo', 'probed', (repo) => repo.status === 'running' && repo.last_probe?.ok === true);
    process.kill(first.pid ?? 0, 'SIGKILL');
    await rig.waitForRepo(supervisor, 'acme/solo', 'restarted and probed', (repo) => repo.restarts === 1 && repo.pid !== first.pid && repo.last_probe?.ok === true);

    // Listed and probed for a while, and not yet scraped: neither prom-client nor express is loaded.
    const before = await loadedLibraries(modules);
    expect(before).toContain('pino');
    expect(before).not.toContain('prom-client');
    expect(before).not.toContain('express');

    const text = await scrape(supervisor);
    expect(sample(text, 'repovisor_worker_restarts_total{slug="acme/solo"}')).toBe(1);
    expect(sample(text, 'repovisor_repos{state="running"}')).toBe(1);
    // Both ways, since the start: the probe before the kill and the one after the restart, and both workers' hellos.
    const probes = sample(text, 'repovisor_protocol_requests_total{method="health",outcome="ok"}') ?? 0;
    expect(probes).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'repovisor_protocol_requests_total{method="hello",outcome="ok"}')).toBe(2);
    expect(text).toContain('# TYPE repovisor_probe_latency_seconds histogram');
    expect(sample(text, 'repovisor_supervisor_process_resident_memory_bytes')).toBeGreaterThan(0);

    // prom-client now, and still no express: the scrape was answered without it.
    const after = await loadedLibraries(modules);
    expect(after).toContain('prom-client');
    expect(after).not.toContain('express');

    // The probes after the first scrape are in the latency histogram; the counters only grow.
    const latest = (await rig.repos(supervisor)).find((repo) => repo.slug === 'acme/solo')?.last_probe?.at;
    await rig.waitForRepo(supervisor, 'acme/solo', 'probed again', (repo) => repo.last_probe !== null && repo.last_probe.at !== latest);
    const again = await scrape(supervisor);
    const probesNow = sample(again, 'repovisor_protocol_requests_total{method="health",outcome="ok"}') ?? 0;
    expect(probesNow).toBeGreaterThan(probes);
    const observed = sample(again, 'repovisor_probe_latency_seconds_count{outcome="ok"}') ?? 0;
    expect(observed).toBeGreaterThanOrEqual(1);
    expect(observed).toBeLessThanOrEqual(probesNow - probes);
    expect(sample(again, 'repovisor_probe_latency_seconds_bucket{le="+Inf",outcome="ok"}')).toBe(observed);
    expect(sample(again, 'repovisor_probe_latency_seconds_sum{outcome="ok"}')).toBeGreaterThan(0);
    const buckets = ['0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'].map(
      (le) => sample(again, `repovisor_probe_latency_seconds_bucket{le="${le}",outcome="ok"}`) ?? Number.NaN,
    );
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(sample(again, 'repovisor_worker_restarts_total{slug="acme/solo"}')).toBe(1);

    // An operator's stop is the supervisor's `shutdown` request to the worker: counted too.
    expect((await rig.api(supervisor, 'POST', '/api/repos/acme/solo/stop')).status).toBe(200);
    const stopped = await scrape(supervisor);
    expect(sample(stopped, 'repovisor_protocol_requests_total{method="shutdown",outcome="ok"}')).toBe(1);
    expect(sample(stopped, 'repovisor_repos{state="stopped"}')).toBe(1);
  });
});
