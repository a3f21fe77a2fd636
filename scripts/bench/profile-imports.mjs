// Analysis tool, not part of `npm run bench`: what each dependency costs a
// fresh node process to import, in wall time and RSS, and how many modules the
// worker and the `supervisor status` CLI load. Explains the start-up, memory
// and CLI figures of docs/BENCHMARKS.md. Usage: node scripts/bench/profile-imports.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summary } from './lib/stats.mjs';
import { packageOf } from './phases/worker-profile.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = 5;
const SUBJECTS = [
  ['(nothing)', ''],
  ['node:http server', "const { createServer } = await import('node:http'); await new Promise((r) => createServer().listen(0, '127.0.0.1', r));"],
  ['zod', "await import('zod');"],
  ['pino', "await import('pino');"],
  ['express', "await import('express');"],
  ['@repovisor/protocol', "await import('@repovisor/protocol');"],
  ['@repovisor/worker (index)', "await import('@repovisor/worker');"],
  ['execa', "await import('execa');"],
  ['prom-client', "await import('prom-client');"],
  ['http-proxy-middleware', "await import('http-proxy-middleware');"],
  ['commander', "await import('commander');"],
  ['yaml', "await import('yaml');"],
  ['pino-pretty', "await import('pino-pretty');"],
  ['@repovisor/supervisor (index)', "await import('@repovisor/supervisor');"],
];

function measure(code) {
  const script = `const t0 = performance.now(); ${code}\nconst t = performance.now() - t0;\nconst m = process.memoryUsage();\nprocess.stdout.write(JSON.stringify({ ms: t, rss: m.rss, heap: m.heapUsed }));\nprocess.exit(0);`;
  const times = [];
  const rss = [];
  const heap = [];
  for (let run = 0; run < RUNS; run += 1) {
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }));
    times.push(out.ms);
    rss.push(out.rss);
    heap.push(out.heap);
  }
  return { ms: summary(times).median, rss: summary(rss).median, heap: summary(heap).median };
}

function modulesOf(args) {
  const dir = mkdtempSync(join(tmpdir(), 'repovisor-modules-'));
  const file = join(dir, 'modules.txt');
  try {
    execFileSync(process.execPath, ['--import', join(ROOT, 'scripts/bench/fixtures/count-modules.mjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, RVBENCH_MODULES_FILE: file, REPOVISOR_HOME: join(dir, 'no-home') },
      stdio: 'ignore',
    });
  } catch {
    // `status` without a supervisor exits 1 after loading everything: that is all we need.
  }
  const paths = new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => line.slice(4).replace(/^file:\/\//, '')));
  rmSync(dir, { recursive: true, force: true });
  const byPackage = {};
  for (const path of paths) if (!path.includes('count-modules') && !path.includes('module-hooks')) byPackage[packageOf(path)] = (byPackage[packageOf(path)] ?? 0) + 1;
  return byPackage;
}

const base = measure('');
process.stdout.write(`import cost in a fresh node process (median of ${RUNS}; deltas against an empty script)\n`);
process.stdout.write(`${'subject'.padEnd(32)} ${'import'.padStart(9)} ${'RSS +'.padStart(9)} ${'heap +'.padStart(9)}\n`);
for (const [label, code] of SUBJECTS) {
  const r = label === '(nothing)' ? base : measure(code);
  process.stdout.write(`${label.padEnd(32)} ${`${r.ms.toFixed(1)} ms`.padStart(9)} ${`${((r.rss - base.rss) / 1048576).toFixed(1)} MiB`.padStart(9)} ${`${((r.heap - base.heap) / 1048576).toFixed(1)} MiB`.padStart(9)}\n`);
}
process.stdout.write(`(empty script: RSS ${(base.rss / 1048576).toFixed(1)} MiB, heap ${(base.heap / 1048576).toFixed(1)} MiB)\n\n`);
const status = modulesOf(['packages/supervisor/dist/bundle/supervisor.cjs', 'status']);
const total = Object.values(status).reduce((sum, n) => sum + n, 0);
process.stdout.write(`modules loaded by \`supervisor status\`: ${total}\n${Object.entries(status).sort((a, b) => b[1] - a[1]).map(([pkg, n]) => `  ${String(n).padStart(4)}  ${pkg}`).join('\n')}\n`);
