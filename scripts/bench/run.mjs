// `npm run bench`: measures Repovisor side by side with PM2, supervisord and
// the bare-spawn floor (issue 6), measures what the worker's pipeline costs
// (issue 14, phases/pipeline.mjs), prints one table and writes
// docs/BENCHMARKS.md and docs/bench/scaling.svg. Built to finish in under 10
// minutes on 2 cores; every process it starts is ended by pid, also on SIGINT.
// `--quick` runs small sizes with a short window, for trying the bench out
// (it does not write the docs unless `--write` is given too). `--report-only`
// rewrites the docs from docs/bench/results.json of the last run, measuring
// nothing (for when scripts/bench/analysis.md changed). `--pipeline-only` runs
// the pipeline phase alone and keeps the other phases' figures.
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePm2, PM2_PREFIX } from './contenders/pm2.mjs';
import { supervisordVersion } from './contenders/supervisord.mjs';
import { installExitHandlers, sweep } from './lib/cleanup.mjs';
import { createRepos } from './lib/git-repos.mjs';
import { describeMachine } from './lib/machine.mjs';
import { summary } from './lib/stats.mjs';
import { hangPhase } from './phases/hang.mjs';
import { PIPELINE_PLANS, pipelinePhase } from './phases/pipeline.mjs';
import { protocolPhase } from './phases/protocol.mjs';
import { restartPhase } from './phases/restart.mjs';
import { spawnPhase } from './phases/spawn.mjs';
import { steadyPhase } from './phases/steady.mjs';
import { workerProfilePhase } from './phases/worker-profile.mjs';
import { benchmarksMarkdown } from './report/markdown.mjs';
import { scalingSvg } from './report/svg-plot.mjs';
import { printTable } from './report/table.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const quick = process.argv.includes('--quick');
const write = !quick || process.argv.includes('--write');
/** The whole run should end within this; the steady window shrinks to fit. */
const BUDGET_S = 540;
/** What the steady phase needs besides its CPU window (start and stop 100 workers, load runs). */
const STEADY_OVERHEAD_S = 60;

const plan = quick
  ? { sizes: [1, 10], runsFor: { 1: 3, 10: 3 }, extraCaSizes: [1], extraCaRuns: 3, restartRuns: 3, protocolRuns: 3, loadRuns: 3, cpuWindowS: 10, steadyRepos: 10 }
  : { sizes: [1, 10, 50, 100], runsFor: { 1: 4, 10: 4, 50: 3, 100: 3 }, extraCaSizes: [1, 10], extraCaRuns: 3, restartRuns: 5, protocolRuns: 3, loadRuns: 3, cpuWindowS: 60, steadyRepos: 100 };
const CONCURRENCY = 8;

const started = performance.now();
const elapsedS = () => (performance.now() - started) / 1000;
const progress = (line) => process.stderr.write(`[${elapsedS().toFixed(0).padStart(3)} s] ${line}\n`);

/**
 * Runs `work` with NODE_EXTRA_CA_CERTS out of this process's environment, so
 * out of every process the bench starts meanwhile; returns its result and the
 * file the machine sets.
 */
async function withoutExtraCaCerts(work) {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  delete process.env.NODE_EXTRA_CA_CERTS;
  try {
    return { file, ...(await work()) };
  } finally {
    process.env.NODE_EXTRA_CA_CERTS = file;
  }
}

function revision() {
  try {
    const head = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'packages'], { encoding: 'utf8' }).trim() !== '';
    return `${head}${dirty ? ' (with uncommitted changes under packages/)' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** Writes docs/bench/scaling.svg, docs/bench/results.json and docs/BENCHMARKS.md from `results`. */
async function writeDocs(results) {
  const line = (name, key, scale) => ({
    name,
    points: results.sizes.map((size) => {
      const stats = summary((results.spawn[name]?.[size]?.[key] ?? []).map((value) => value / scale));
      return { size, ...stats };
    }),
  });
  const svg = scalingSvg({
    spawn: results.contenders.map((name) => line(name, 'ms', 1000)),
    memory: results.contenders.map((name) => line(name, 'managerRss', 1048576)),
    sizes: results.sizes,
    caption: `median and min–max over runs; ${results.machine.cores} cores, node ${results.machine.node}, ${results.machine.date.slice(0, 10)}`,
  });
  await mkdir(join(ROOT, 'docs', 'bench'), { recursive: true });
  await writeFile(join(ROOT, 'docs', 'bench', 'scaling.svg'), svg);
  await writeFile(join(ROOT, 'docs', 'bench', 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
  await writeFile(
    join(ROOT, 'docs', 'BENCHMARKS.md'),
    benchmarksMarkdown(results, { analysisFile: join(ROOT, 'scripts', 'bench', 'analysis.md'), plotPath: 'bench/scaling.svg' }),
  );
}

if (process.argv.includes('--report-only')) {
  await writeDocs(JSON.parse(await readFile(join(ROOT, 'docs', 'bench', 'results.json'), 'utf8')));
  process.stderr.write('rewrote docs/BENCHMARKS.md and docs/bench/scaling.svg from docs/bench/results.json\n');
  process.exit(0);
}

installExitHandlers();
const tmp = await mkdtemp(join(tmpdir(), 'repovisor-bench-'));
if (process.argv.includes('--pipeline-only')) {
  // The pipeline phase alone, at this revision; the other phases' figures stay those of the last full run.
  try {
    const results = JSON.parse(await readFile(join(ROOT, 'docs', 'bench', 'results.json'), 'utf8'));
    results.pipeline = await pipelinePhase({ tmp, plan: quick ? PIPELINE_PLANS.quick : PIPELINE_PLANS.full, progress });
    results.pipelineRevision = revision();
    process.stdout.write(printTable(results));
    if (write) await writeDocs(results);
    progress('wrote the pipeline figures into docs/BENCHMARKS.md and docs/bench/results.json');
  } finally {
    await sweep();
    await rm(tmp, { recursive: true, force: true });
  }
  process.exit(0);
}
try {
  progress(`temporary folder ${tmp}; installing the latest pm2 into ${PM2_PREFIX}…`);
  const pm2Version = await ensurePm2();
  const supervisord = supervisordVersion();
  if (supervisord === null) progress('supervisord is not on PATH: supervisord is skipped (apt-get install supervisor to include it)');
  const contenders = ['floor', 'repovisor', ...(pm2Version ? ['pm2'] : []), ...(supervisord ? ['supervisord'] : [])];
  const largest = Math.max(...plan.sizes, plan.steadyRepos);
  const repos = await createRepos(join(tmp, 'repos'), largest);
  progress(`${repos.length} git repositories created; contenders: ${contenders.join(', ')}`);

  const results = {
    machine: describeMachine({ pm2Version, supervisordVersion: supervisord }),
    revision: revision(),
    pm2Prefix: PM2_PREFIX,
    contenders,
    sizes: plan.sizes,
    runsFor: plan.runsFor,
    restartRuns: plan.restartRuns,
    protocolRuns: plan.protocolRuns,
  };
  results.workerProfile = await workerProfilePhase({ tmp, repo: repos[0], progress });
  results.protocol = await protocolPhase({ tmp, repo: repos[0], runs: plan.protocolRuns, progress });
  results.restart = await restartPhase({ tmp, repo: repos[0], runs: plan.restartRuns, contenders, progress });
  results.hang = await hangPhase({ tmp, repos, progress });
  results.spawn = await spawnPhase({ tmp, repos, sizes: plan.sizes, runsFor: (size) => plan.runsFor[size], contenders, progress });
  if (process.env.NODE_EXTRA_CA_CERTS !== undefined) {
    // The same starts and restarts with no process parsing a CA bundle at start: see withoutExtraCaCerts.
    const note = (line) => progress(`${line} (without NODE_EXTRA_CA_CERTS)`);
    results.spawnWithoutExtraCa = await withoutExtraCaCerts(async () => ({
      ...(await spawnPhase({ tmp, repos, sizes: plan.extraCaSizes, runsFor: () => plan.extraCaRuns, contenders: ['floor', 'repovisor'], progress: note })),
      restart: await restartPhase({ tmp, repo: repos[0], runs: plan.restartRuns, contenders: ['floor', 'repovisor'], progress: note }),
    }));
  }
  results.pipeline = await pipelinePhase({ tmp, plan: quick ? PIPELINE_PLANS.quick : PIPELINE_PLANS.full, progress });
  const window = Math.round(Math.max(20, Math.min(plan.cpuWindowS, BUDGET_S - elapsedS() - STEADY_OVERHEAD_S)));
  if (window < plan.cpuWindowS) progress(`time is short: the CPU window is ${window} s instead of ${plan.cpuWindowS} s`);
  results.steady = await steadyPhase({ tmp, repos: repos.slice(0, plan.steadyRepos), cpuWindowS: window, loadRuns: plan.loadRuns, concurrency: CONCURRENCY, progress });
  results.durationS = elapsedS();

  process.stdout.write(printTable(results));
  if (write) {
    await writeDocs(results);
    progress('wrote docs/BENCHMARKS.md, docs/bench/scaling.svg and docs/bench/results.json');
  }
} finally {
  const left = await sweep();
  if (left.length > 0) progress(`ended ${left.length} process(es) left behind: ${left.join(', ')}`);
  await rm(tmp, { recursive: true, force: true });
}
progress(`done in ${(elapsedS() / 60).toFixed(1)} min`);
