// Analysis tool, not part of `npm run bench`: runs a supervisor under
// `node --cpu-prof` with N repos probed every second, then reports where its
// CPU goes in two windows: quiet probing, and GET /api/repos under a
// keep-alive load. Usage: node scripts/bench/profile-supervisor.mjs [repos=100] [quiet seconds=20]
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchRepovisor } from './contenders/repovisor.mjs';
import { installExitHandlers, sweep } from './lib/cleanup.mjs';
import { createRepos } from './lib/git-repos.mjs';
import { packageOf } from './phases/worker-profile.mjs';

const count = Number(process.argv[2] ?? 100);
const quietS = Number(process.argv[3] ?? 20);
const LOAD_S = 5;

function aggregate(profile, fromMs, toMs) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byPackage = {};
  const byFunction = {};
  let at = 0;
  let total = 0;
  profile.samples.forEach((id, index) => {
    at += (profile.timeDeltas[index] ?? 0) / 1000;
    if (at < fromMs || at > toMs) return;
    const delta = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    const { url, functionName, lineNumber } = nodes.get(id).callFrame;
    if (functionName === '(idle)') return;
    total += delta;
    const bucket = packageOf(url, functionName);
    byPackage[bucket] = (byPackage[bucket] ?? 0) + delta;
    const name = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|packages)\//, '')}:${lineNumber + 1}`;
    byFunction[name] = (byFunction[name] ?? 0) + delta;
  });
  const top = (map, n) => Object.entries(map).sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, value]) => `  ${value.toFixed(0).padStart(6)} ms  ${(value / total * 100).toFixed(1).padStart(5)} %  ${key}`);
  return [`busy CPU ${total.toFixed(0)} ms in ${((toMs - fromMs) / 1000).toFixed(1)} s (${(total / (toMs - fromMs) * 100).toFixed(2)} % of a core)`, 'by package:', ...top(byPackage, 10), 'by function (self):', ...top(byFunction, 15)].join('\n');
}

installExitHandlers();
const tmp = await mkdtemp(join(tmpdir(), 'repovisor-profile-'));
try {
  const repos = await createRepos(join(tmp, 'repos'), count);
  const dir = await mkdtemp(join(tmp, 'prof-'));
  const spawnedAt = performance.now();
  const handle = await launchRepovisor({ folder: tmp, repos, settings: { health: { interval_ms: 1000 }, start_timeout_ms: 60000 }, args: ['--cpu-prof', '--cpu-prof-dir', dir] });
  await handle.healthy();
  await sleep(5000);
  const quietFrom = performance.now() - spawnedAt;
  await sleep(quietS * 1000);
  const quietTo = performance.now() - spawnedAt;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const port = Number(new URL(handle.url).port);
  const until = performance.now() + LOAD_S * 1000;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (performance.now() < until) await new Promise((resolve, reject) => get({ host: '127.0.0.1', port, path: '/api/repos', agent }, (res) => res.resume().on('end', resolve)).on('error', reject));
  }));
  agent.destroy();
  const loadTo = performance.now() - spawnedAt;
  await handle.stop();
  const profile = JSON.parse(readFileSync(join(dir, readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))), 'utf8'));
  process.stdout.write(`== quiet: ${count} workers probed every second ==\n${aggregate(profile, quietFrom, quietTo)}\n\n`);
  process.stdout.write(`== GET /api/repos, 8 keep-alive clients for ${LOAD_S} s ==\n${aggregate(profile, quietTo, loadTo)}\n`);
} finally {
  await sweep();
  await rm(tmp, { recursive: true, force: true });
}
