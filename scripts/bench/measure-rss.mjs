// Analysis tool, not part of `npm run bench`: the supervisor's memory with N
// idle workers. Each run starts a supervisor cold (the spawn phase's settings,
// or the steady phase's with --steady), waits until every repo is running and
// reads its RSS from /proc one second later (the figure docs/BENCHMARKS.md
// compares with PM2's daemon) and after --settle seconds; --window=S keeps
// sampling every 5 s for S seconds and gives the supervisor's CPU share over
// that window; --load then runs 8 keep-alive clients on GET /api/repos for 3 s.
// With --stats the supervisor runs with fixtures/heap-report.mjs preloaded and
// its V8 heap figures are printed (the preload costs a little RSS, so compare
// RSS between runs without it); --snapshot also writes a heap snapshot on the
// last run and summarises it (--keep-snapshot keeps the file).
// --variant=<label>:<node flag>,<node flag>… (repeatable) compares node flags:
// the variants take turns run by run, so that a busy machine hurts each alike.
// --baseline measures a plain node HTTP server (fixtures/http-server.mjs) instead.
// Usage: node scripts/bench/measure-rss.mjs [repos=100] [runs=3] [--settle=10] [--window=0]
//        [--steady] [--load] [--stats] [--snapshot] [--keep-snapshot] [--baseline] [--variant=…]…
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { launchRepovisor } from './contenders/repovisor.mjs';
import { installExitHandlers, spawnTracked, sweep } from './lib/cleanup.mjs';
import { createRepos } from './lib/git-repos.mjs';
import { freePorts } from './lib/http.mjs';
import { cpuSeconds, rssBytes } from './lib/proc.mjs';
import { percentile } from './lib/stats.mjs';
import { SPAWN_SETTINGS } from './phases/spawn.mjs';
import { STEADY_SETTINGS } from './phases/steady.mjs';

const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const flag = (name) => process.argv.includes(`--${name}`);
const option = (name, fallback) => Number(process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const count = Number(positional[0] ?? 100);
const runs = Number(positional[1] ?? 3);
const settleS = option('settle', 10);
const windowS = option('window', 0);
const stats = flag('stats') || flag('snapshot');
const variants = process.argv
  .filter((arg) => arg.startsWith('--variant='))
  .map((arg) => {
    const [label, flags = ''] = arg.slice('--variant='.length).split(/:(.*)/s);
    return { label, flags: flags.split(',').filter(Boolean) };
  });
if (variants.length === 0) variants.push({ label: 'as launched', flags: [] });
const REPORT = fileURLToPath(new URL('./fixtures/heap-report.mjs', import.meta.url));
const HTTP_SERVER = fileURLToPath(new URL('./fixtures/http-server.mjs', import.meta.url));
const MiB = 1048576;
const mib = (bytes) => (bytes / MiB).toFixed(1);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** VmRSS split into anonymous, file-backed and shared memory (kB lines of /proc/<pid>/status). */
function rssParts(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
}

/** Asks the preloaded fixtures/heap-report.mjs for its figures (and a snapshot when `snapshot`). */
async function heapReport(pid, snapshot) {
  const base = join(tmpdir(), `repovisor-heap-${pid}`);
  rmSync(`${base}.json`, { force: true });
  if (snapshot) writeFileSync(`${base}.snapshot-wanted`, '');
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 120_000; waited += 100) {
    await sleep(100);
    try {
      const report = JSON.parse(readFileSync(`${base}.json`, 'utf8'));
      rmSync(`${base}.json`, { force: true });
      return report;
    } catch {
      // Not written yet.
    }
  }
  throw new Error('no heap report within 120 s');
}

/** Self size of a heap snapshot's nodes by type and by constructor name (the top ones). */
function summariseSnapshot(path) {
  const { snapshot, nodes, strings } = JSON.parse(readFileSync(path, 'utf8'));
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((name) => fields.indexOf(name));
  const byType = new Map();
  const byName = new Map();
  let total = 0;
  for (let at = 0; at < nodes.length; at += width) {
    const type = types[nodes[at + typeAt]];
    const size = nodes[at + sizeAt];
    total += size;
    byType.set(type, (byType.get(type) ?? 0) + size);
    const name = type === 'string' ? '(strings)' : strings[nodes[at + nameAt]].slice(0, 60);
    const key = `${type}: ${name}`;
    const entry = byName.get(key) ?? { size: 0, count: 0 };
    entry.size += size;
    entry.count += 1;
    byName.set(key, entry);
  }
  const lines = [`heap snapshot ${path}: ${mib(total)} MiB of live objects`, 'by node type:'];
  for (const [type, size] of [...byType].sort((a, b) => b[1] - a[1])) lines.push(`  ${mib(size).padStart(7)} MiB  ${type}`);
  lines.push('top names (self size, count):');
  for (const [key, { size, count: n }] of [...byName].sort((a, b) => b[1].size - a[1].size).slice(0, 25)) lines.push(`  ${(size / 1024).toFixed(0).padStart(7)} KiB  ${String(n).padStart(6)}  ${key}`);
  return lines.join('\n');
}

function printReport(label, report) {
  const { memoryUsage: usage, spaces, code } = report;
  const lines = [`${label}: rss ${mib(usage.rss)} MiB, heapTotal ${mib(usage.heapTotal)}, heapUsed ${mib(usage.heapUsed)}, external ${mib(usage.external)}, arrayBuffers ${mib(usage.arrayBuffers)}`];
  lines.push('  space                      size    used  physical (MiB)');
  let physical = 0;
  for (const space of spaces) {
    physical += space.physical_space_size;
    if (space.space_size === 0) continue;
    lines.push(`  ${space.space_name.padEnd(24)} ${mib(space.space_size).padStart(6)}  ${mib(space.space_used_size).padStart(6)}  ${mib(space.physical_space_size).padStart(6)}`);
  }
  lines.push(`  all spaces, physical: ${mib(physical)} MiB; bytecode+metadata ${mib(code.bytecode_and_metadata_size)} MiB, code+metadata ${mib(code.code_and_metadata_size)} MiB, external scripts ${mib(code.external_script_source_size)} MiB`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function getOnce(agent, port) {
  return new Promise((resolve, reject) => {
    const call = get({ host: '127.0.0.1', port, path: '/api/repos', agent }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`status ${response.statusCode}`))));
    });
    call.on('error', reject);
  });
}

/** 8 keep-alive clients calling GET /api/repos back to back for 3 s: p50 and p99 in ms, and the supervisor's CPU per request. */
async function load(url, pid) {
  const port = Number(new URL(url).port);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const latencies = [];
  const until = performance.now() + 3000;
  const cpuBefore = cpuSeconds(pid).self;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        await getOnce(agent, port);
        latencies.push(performance.now() - started);
      }
    }),
  );
  agent.destroy();
  const cpuUs = ((cpuSeconds(pid).self - cpuBefore) * 1e6) / latencies.length;
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuUs };
}

async function launch(folder, repos, flags) {
  const args = [...flags, ...(stats ? ['--import', REPORT] : [])];
  if (flag('baseline')) {
    const [port] = await freePorts(1);
    const child = spawnTracked(process.execPath, [...args, HTTP_SERVER], { stdio: 'ignore', env: { ...process.env, PORT: String(port) } });
    return { pid: child.pid, healthy: () => sleep(500), stop: async () => (child.kill('SIGKILL'), await child.exited) };
  }
  return launchRepovisor({ folder, repos, settings: flag('steady') ? STEADY_SETTINGS : SPAWN_SETTINGS, args });
}

/** One cold start of `variant`; prints a line and returns its figures. */
async function measure(tmp, repos, variant, run) {
  const folder = await mkdtemp(join(tmp, 'run-'));
  const started = performance.now();
  const handle = await launch(folder, repos, variant.flags);
  try {
    await handle.healthy();
    const result = { healthyMs: performance.now() - started, cpuMs: cpuSeconds(handle.pid).self * 1000 };
    await sleep(1000);
    result.atOne = rssBytes(handle.pid);
    await sleep(Math.max(0, settleS - 1) * 1000);
    const parts = rssParts(handle.pid);
    result.settled = parts.rss;
    const samples = [parts.rss];
    const cpuBefore = cpuSeconds(handle.pid).self;
    for (let waited = 0; waited < windowS; waited += 5) {
      await sleep(5000);
      samples.push(rssBytes(handle.pid));
    }
    if (windowS > 0) result.cpuShare = (cpuSeconds(handle.pid).self - cpuBefore) / windowS;
    result.last = samples.at(-1);
    let line =
      `${variant.label} run ${run + 1}: healthy in ${result.healthyMs.toFixed(0)} ms (supervisor CPU ${result.cpuMs.toFixed(0)} ms); ` +
      `RSS 1 s after healthy ${mib(result.atOne)} MiB; after ${settleS} s ${mib(parts.rss)} MiB (anon ${mib(parts.anon)}, file ${mib(parts.file)})`;
    if (windowS > 0) line += `; every 5 s: ${samples.map(mib).join(' ')}; CPU ${(result.cpuShare * 100).toFixed(2)} % of a core`;
    if (flag('load') && handle.url !== undefined) {
      result.load = await load(handle.url, handle.pid);
      line += `; GET /api/repos 8 clients p50 ${result.load.p50.toFixed(2)} ms p99 ${result.load.p99.toFixed(2)} ms, supervisor CPU ${result.load.cpuUs.toFixed(0)} µs a request, RSS after ${mib(rssBytes(handle.pid))} MiB`;
    }
    process.stdout.write(`${line}\n`);
    if (stats) {
      const report = await heapReport(handle.pid, flag('snapshot') && run === runs - 1);
      printReport(`${variant.label} run ${run + 1} heap`, report);
      if (report.snapshot) {
        process.stdout.write(`${summariseSnapshot(report.snapshot)}\n`);
        if (!flag('keep-snapshot')) rmSync(report.snapshot, { force: true });
      }
    }
    return result;
  } finally {
    await handle.stop();
  }
}

installExitHandlers();
const tmp = await mkdtemp(join(tmpdir(), 'repovisor-measure-rss-'));
try {
  const repos = flag('baseline') ? [] : await createRepos(join(tmp, 'repos'), count);
  const results = variants.map(() => []);
  for (let run = 0; run < runs; run += 1) {
    for (const [index, variant] of variants.entries()) results[index].push(await measure(tmp, repos, variant, run));
  }
  for (const [index, variant] of variants.entries()) {
    const list = results[index];
    const figure = (key, format) => `${format(median(list.map((r) => r[key])))} [${list.map((r) => format(r[key])).join(', ')}]`;
    const ms = (value) => value.toFixed(0);
    let line = `${flag('baseline') ? 'plain node HTTP server' : `${count} repos`}, ${variant.label}${variant.flags.length ? ` (${variant.flags.join(' ')})` : ''}, ${runs} runs: median RSS 1 s after healthy ${figure('atOne', mib)} MiB; after ${settleS} s ${figure('settled', mib)} MiB`;
    if (windowS > 0) line += `; after ${settleS + windowS} s ${figure('last', mib)} MiB; CPU share ${figure('cpuShare', (v) => (v * 100).toFixed(2))} %`;
    line += `; healthy in ${figure('healthyMs', ms)} ms; supervisor CPU until healthy ${figure('cpuMs', ms)} ms`;
    if (flag('load')) line += `; load p99 ${median(list.map((r) => r.load.p99)).toFixed(2)} ms, ${median(list.map((r) => r.load.cpuUs)).toFixed(0)} µs CPU a request`;
    process.stdout.write(`${line}\n`);
  }
} finally {
  await sweep();
  await rm(tmp, { recursive: true, force: true });
}
