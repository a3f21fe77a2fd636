// Analysis tool, not part of `npm run bench`: where the CPU of a start burst
// goes. Starts N repos under Repovisor and N plain servers under the floor
// spawner (alternating, `runs` times), and prints, once all are healthy, the
// wall time and the CPU seconds of the supervisor (or spawner) and of its
// workers (or servers), from /proc/<pid>/stat.
// Usage: node scripts/bench/spawn-cpu.mjs [repos=100] [runs=1]
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

const count = Number(process.argv[2] ?? 100);
const runs = Number(process.argv[3] ?? 1);
installExitHandlers();
const tmp = await mkdtemp(join(tmpdir(), 'repovisor-spawn-cpu-'));
const cpuOf = (pids) => pids.reduce((sum, pid) => {
  try {
    return sum + cpuSeconds(pid).self;
  } catch {
    return sum;
  }
}, 0);
try {
  const repos = await createRepos(join(tmp, 'repos'), count);
  for (let run = 0; run < runs; run += 1) {
    for (const name of ['floor', 'repovisor']) {
      const folder = await mkdtemp(join(tmp, `${name}-`));
      const started = performance.now();
      const handle = name === 'floor' ? launchFloor({ ports: await freePorts(count) }) : await launchRepovisor({ folder, repos, settings: SPAWN_SETTINGS });
      try {
        await handle.healthy();
        const wall = performance.now() - started;
        const own = cpuSeconds(handle.pid).self;
        const children = cpuOf(await handle.appPids());
        process.stdout.write(`${name.padEnd(10)} ${count} repos: wall ${wall.toFixed(0)} ms, ${name === 'floor' ? 'spawner' : 'supervisor'} CPU ${(own * 1000).toFixed(0)} ms, children CPU ${(children * 1000).toFixed(0)} ms (${((children * 1000) / count).toFixed(1)} ms each)\n`);
      } finally {
        await handle.stop();
      }
    }
  }
} finally {
  await sweep();
  await rm(tmp, { recursive: true, force: true });
}
