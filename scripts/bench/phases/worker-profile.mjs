// What a worker costs on its own, for the "why" of the start-up and memory
// targets: the RSS of a bare `node -e`, a plain node HTTP server and a
// standalone worker; the time from spawn to ready of the server and of the
// worker; the modules a worker loads, by package; and a CPU profile of one
// worker start (node --cpu-prof), its self time summed by package.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { benchEnv, spawnTracked } from '../lib/cleanup.mjs';
import { freePorts, waitUntilAnswering } from '../lib/http.mjs';
import { rssBytes } from '../lib/proc.mjs';

const WORKER_MAIN = fileURLToPath(new URL('../../../packages/worker/dist/bundle/repo-worker.cjs', import.meta.url));
const SERVER = fileURLToPath(new URL('../fixtures/http-server.mjs', import.meta.url));
const COUNT_MODULES = fileURLToPath(new URL('../fixtures/count-modules.mjs', import.meta.url));
const SAMPLES = 3;
const SETTLE_MS = 1500;

/** Where a file or URL comes from: a package name, `@repovisor/<x>`, Node's internals, or a VM bucket. */
export function packageOf(url, functionName = '') {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:') || !url.includes('/')) return 'node: internals';
  const path = decodeURIComponent(url.replace(/^file:\/\//, ''));
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) {
    const [first, second] = path.slice(inModules + 14).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const own = /\/packages\/([^/]+)\/dist\//.exec(path);
  if (own) return `@repovisor/${own[1]}`;
  return 'bench fixtures';
}

function workerEnv(repo, dataRoot, extra = {}) {
  return benchEnv({ REPOVISOR_SLUG: 'bench/profile', REPOVISOR_REPO_PATH: repo, REPOVISOR_DATA_ROOT: dataRoot, REPOVISOR_HTTP_PORT: '0', ...extra });
}

/** Starts a standalone worker; resolves {child, ms} once it logs "worker listening". */
async function startWorker(args, env) {
  const started = performance.now();
  const child = spawnTracked(process.execPath, [...args, WORKER_MAIN], { stdio: ['ignore', 'pipe', 'ignore'], env });
  let out = '';
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('"worker listening"')) resolve();
    });
    child.exited.then(() => reject(new Error(`the worker exited before listening: ${out}`)));
  });
  child.stdout.resume();
  return { child, ms: performance.now() - started };
}

async function end(child) {
  process.kill(child.pid, 'SIGTERM');
  await child.exited;
}

async function rssOf(kind, repo, tmp) {
  const children = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    if (kind === 'bare') children.push(spawnTracked(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' }));
    if (kind === 'server') {
      const [port] = await freePorts(1);
      children.push(spawnTracked(process.execPath, [SERVER], { stdio: 'ignore', env: benchEnv({ PORT: String(port) }) }));
      await waitUntilAnswering([port]);
    }
    if (kind === 'worker') children.push((await startWorker([], workerEnv(repo, await mkdtemp(join(tmp, 'rss-'))))).child);
  }
  await sleep(SETTLE_MS);
  const values = children.map((child) => rssBytes(child.pid));
  await Promise.all(children.map(end));
  return values;
}

async function readyTimes(repo, tmp) {
  const server = [];
  const worker = [];
  for (let i = 0; i < SAMPLES + 2; i += 1) {
    const [port] = await freePorts(1);
    const started = performance.now();
    const child = spawnTracked(process.execPath, [SERVER], { stdio: 'ignore', env: benchEnv({ PORT: String(port) }) });
    await waitUntilAnswering([port], { intervalMs: 2 });
    server.push(performance.now() - started);
    await end(child);
    const started2 = await startWorker([], workerEnv(repo, await mkdtemp(join(tmp, 'ready-'))));
    worker.push(started2.ms);
    await end(started2.child);
  }
  return { server, worker };
}

async function modules(repo, tmp) {
  const file = join(await mkdtemp(join(tmp, 'modules-')), 'modules.txt');
  const { child } = await startWorker(['--import', COUNT_MODULES], workerEnv(repo, await mkdtemp(join(tmp, 'mod-')), { RVBENCH_MODULES_FILE: file }));
  await end(child);
  const paths = new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(4).replace(/^file:\/\//, ''))
      .filter((path) => !path.includes('count-modules') && !path.includes('module-hooks')),
  );
  const byPackage = {};
  for (const path of paths) byPackage[packageOf(path)] = (byPackage[packageOf(path)] ?? 0) + 1;
  return { total: paths.size, byPackage };
}

async function cpuProfile(repo, tmp) {
  const dir = await mkdtemp(join(tmp, 'cpuprof-'));
  const { child, ms } = await startWorker(['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100'], workerEnv(repo, await mkdtemp(join(tmp, 'prof-'))));
  await end(child);
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = {};
  profile.samples.forEach((id, index) => {
    const { url, functionName } = nodes.get(id).callFrame;
    const bucket = packageOf(url, functionName);
    selfUs[bucket] = (selfUs[bucket] ?? 0) + (profile.timeDeltas[index] ?? 0);
  });
  // Inclusive time of module top-level code (functionName ''), by package: what importing each costs.
  const selfById = new Map();
  profile.samples.forEach((id, index) => selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const totalOf = (node) => (selfById.get(node.id) ?? 0) + (node.children ?? []).reduce((sum, child) => sum + totalOf(nodes.get(child)), 0);
  const importUs = {};
  const walk = (node, inside) => {
    const { url, functionName } = node.callFrame;
    const top = !inside && functionName === '' && url !== '' && !url.startsWith('node:') && url.includes('/');
    if (top) importUs[packageOf(url)] = (importUs[packageOf(url)] ?? 0) + totalOf(node);
    for (const child of node.children ?? []) walk(nodes.get(child), inside || top);
  };
  walk(profile.nodes[0], false);
  const busyUs = Object.entries(selfUs).filter(([bucket]) => bucket !== '(idle)').reduce((sum, [, us]) => sum + us, 0);
  return { readyMs: ms, busyMs: busyUs / 1000, selfMs: Object.fromEntries(Object.entries(selfUs).map(([bucket, us]) => [bucket, us / 1000])),
    importMs: Object.fromEntries(Object.entries(importUs).map(([bucket, us]) => [bucket, us / 1000])),
  };
}

/** Runs the worker-profile phase. */
export async function workerProfilePhase({ tmp, repo, progress }) {
  const rss = { bare: await rssOf('bare', repo, tmp), server: await rssOf('server', repo, tmp), worker: await rssOf('worker', repo, tmp) };
  const ready = await readyTimes(repo, tmp);
  const loaded = await modules(repo, tmp);
  const profile = await cpuProfile(repo, tmp);
  progress(`worker profile: ${loaded.total} modules loaded, ${profile.busyMs.toFixed(0)} ms of CPU to "listening"`);
  return { rss, ready, modules: loaded, profile };
}
