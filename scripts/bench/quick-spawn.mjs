// Analysis tool, not part of `npm run bench`: spawn-to-healthy of Repovisor
// against the floor for one size, a few alternating runs, medians printed;
// with --cpu, each run also prints the CPU seconds (from /proc) of the
// supervisor (or the floor's spawner) and of its workers (or servers) once
// all are healthy: where the CPU of a start burst goes.
// Usage: node scripts/bench/quick-spawn.mjs [repos=10] [runs=3] [--cpu]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchFloor } from './contenders/floor.mjs';
import { launchRepovisor } from './contenders/repovisor.mjs';
import { installExitHandlers, sweep } from './lib/cleanup.mjs';
import { createRepos } from './lib/git-repos.mjs';
import { freePorts } from './lib/http.mjs';
import { cpuSeconds } from './lib/proc.mjs';
import { SPAWN_SETTINGS } from './phases/spawn.mjs';

const [count, runs] = [Number(process.argv[2] ?? 10), Number(process.argv[3] ?? 3)];
const showCpu = process.argv.includes('--cpu');
const cpuOf = (pids) =>
  pids.reduce((sum, pid) => {
    try {
      return sum + cpuSeconds(pid).self;
    } catch {
      return sum;
    }
  }, 0);

installExitHandlers();
const tmp = await mkdtemp(join(tmpdir(), 'repovisor-quick-spawn-'));
try {
  const repos = await createRepos(join(tmp, 'repos'), count);
  const times = { floor: [], repovisor: [] };
  for (let run = 0; run < runs; run += 1) {
    for (const name of ['floor', 'repovisor']) {
      const folder = await mkdtemp(join(tmp, `${name}-`));
      const started = performance.now();
      const handle = name === 'floor' ? launchFloor({ ports: await freePorts(count) }) : await launchRepovisor({ folder, repos, settings: SPAWN_SETTINGS });
      try {
        await handle.healthy();
        times[name].push(performance.now() - started);
        if (showCpu) {
          const own = cpuSeconds(handle.pid).self * 1000;
          const children = cpuOf(await handle.appPids()) * 1000;
          const manager = name === 'floor' ? 'spawner' : 'supervisor';
          process.stdout.write(`${name.padEnd(10)} wall ${times[name].at(-1).toFixed(0)} ms, ${manager} CPU ${own.toFixed(0)} ms, children CPU ${children.toFixed(0)} ms (${(children / count).toFixed(1)} ms each)\n`);
        }
      } finally {
        await handle.stop();
      }
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const floor = median(times.floor);
  const ours = median(times.repovisor);
  process.stdout.write(`${count} repos, ${runs} runs: floor ${floor.toFixed(0)} ms, repovisor ${ours.toFixed(0)} ms (${(ours / floor).toFixed(2)}x); all: ${JSON.stringify(Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.map(Math.round)])))}\n`);
} finally {
  await sweep();
  await rm(tmp, { recursive: true, force: true });
}
