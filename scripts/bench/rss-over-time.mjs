// Analysis tool, not part of `npm run bench`: a supervisor with N repos probed
// every second (the steady phase's settings), its RSS every 5 s for a longer
// window than the bench's 60 s, to tell a bounded sawtooth from growth.
// Usage: node scripts/bench/rss-over-time.mjs [seconds=180] [repos=100]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchRepovisor } from './contenders/repovisor.mjs';
import { installExitHandlers, sweep } from './lib/cleanup.mjs';
import { createRepos } from './lib/git-repos.mjs';
import { rssBytes } from './lib/proc.mjs';
import { STEADY_SETTINGS } from './phases/steady.mjs';

const seconds = Number(process.argv[2] ?? 180);
const count = Number(process.argv[3] ?? 100);
const STEP_S = 5;

installExitHandlers();
const tmp = await mkdtemp(join(tmpdir(), 'repovisor-rss-over-time-'));
try {
  const repos = await createRepos(join(tmp, 'repos'), count);
  const handle = await launchRepovisor({ folder: await mkdtemp(join(tmp, 'repovisor-')), repos, settings: STEADY_SETTINGS });
  try {
    await handle.healthy();
    const samples = [];
    for (let at = 0; at <= seconds; at += STEP_S) {
      samples.push(rssBytes(handle.pid) / 1048576);
      process.stderr.write(`[${String(at).padStart(4)} s] ${samples.at(-1).toFixed(1)} MiB\n`);
      if (at < seconds) await sleep(STEP_S * 1000);
    }
    const third = Math.max(1, Math.floor(samples.length / 3));
    const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
    process.stdout.write(
      `${count} repos, RSS every ${STEP_S} s for ${seconds} s: first ${samples[0].toFixed(1)}, last ${samples.at(-1).toFixed(1)}, ` +
        `min ${Math.min(...samples).toFixed(1)}, max ${Math.max(...samples).toFixed(1)} MiB; ` +
        `mean of the first third ${mean(samples.slice(0, third)).toFixed(1)}, of the last third ${mean(samples.slice(-third)).toFixed(1)} MiB\n`,
    );
  } finally {
    await handle.stop();
  }
} finally {
  await sweep();
  await rm(tmp, { recursive: true, force: true });
}
