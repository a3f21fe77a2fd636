#!/usr/bin/env node
// `npm run coverage`: the whole jest suite with the coverage of every process it
// starts. Builds, runs jest with NODE_V8_COVERAGE (node passes it to every child:
// supervisors, CLI commands, and the workers the supervisors launch; a process
// killed by SIGKILL writes none), maps the bundles back to packages/*/src with
// c8, adds jest's own in-process coverage, prints line and branch coverage per
// package and folder, and fails when a package is below its floor.
//
// Usage: npm run coverage [-- <jest arguments, e.g. a test path>]
//        npm run coverage -- --report-only   (report the last run's data again)
// Everything goes to coverage/ (git-ignored); coverage/html/index.html is the
// browsable report. See docs/RELIABILITY.md, "Coverage".
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blockDefaultCodeCaches, unblockDefaultCodeCaches } from './code-cache-guard.mjs';
import { mergeCoverage, runC8Report } from './merge-reports.mjs';
import { prepareProcessCoverage } from './process-coverage.mjs';
import { printSummary } from './summary-table.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'coverage');
/** Where every process writes its raw V8 coverage. */
const RAW = join(OUT, 'v8');
/** The raw coverage of our own built scripts, for c8 (.c8rc.json's temp-directory). */
const PREPARED = join(OUT, 'v8-processes');
const IN_PROCESS = join(OUT, 'in-process');

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env });
  return { code: result.status ?? 1, signal: result.signal };
}

/** Runs the jest suite (with `jestArgs`) under NODE_V8_COVERAGE, and jest's own in-process coverage; returns how jest ended. */
function runSuite(jestArgs) {
  const blocked = blockDefaultCodeCaches(ROOT);
  // A Ctrl-C reaches jest too; this process outlives it (a listener instead of
  // death by SIGINT) to unblock the cache paths, then stops without a report.
  const ignore = () => undefined;
  process.on('SIGINT', ignore).on('SIGTERM', ignore);
  try {
    const jest = [
      '--experimental-vm-modules',
      '--disable-warning=ExperimentalWarning',
      join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
      ...jestArgs,
      '--coverage',
      '--coverageProvider=v8',
      `--coverageDirectory=${IN_PROCESS}`,
      '--coverageReporters=json',
      '--collectCoverageFrom=packages/*/src/**/*.{ts,cts}',
    ];
    return run(process.execPath, jest, { ...process.env, NODE_V8_COVERAGE: RAW });
  } finally {
    unblockDefaultCodeCaches(blocked);
  }
}

/** Reports the data of the last run; returns whether every package met its floor. */
function report() {
  rmSync(PREPARED, { recursive: true, force: true });
  const tally = prepareProcessCoverage(ROOT, RAW, PREPARED);
  runC8Report(ROOT);
  const typeOnly = mergeCoverage(ROOT, [join(OUT, 'processes', 'coverage-final.json'), join(IN_PROCESS, 'coverage-final.json')], OUT);
  console.log(
    `\nCoverage of packages/*/src: jest's in-process run, plus ${tally.supervisorProcesses} supervisor (CLI included) and ` +
      `${tally.workerProcesses} worker processes that exited (a process killed by SIGKILL writes none)` +
      (tally.otherProcesses > 0 ? `, plus ${tally.otherProcesses} other processes of ours` : '') +
      (tally.fromCodeCache > 0 ? `; ${tally.fromCodeCache} program runs from a V8 code cache left out (no block counts)` : '') +
      '.' +
      (typeOnly.length > 0 ? ` Not counted, types only: ${typeOnly.map((file) => relative(ROOT, file)).join(', ')}.` : '') +
      '\n',
  );
  return printSummary(ROOT, join(OUT, 'coverage-summary.json'));
}

const args = process.argv.slice(2);
const reportOnly = args.includes('--report-only');
const started = Date.now();
let suiteCode = 0;
if (!reportOnly) {
  if (run('npm', ['run', 'build']).code !== 0) {
    console.error('coverage: the build failed; nothing was measured');
    process.exit(1);
  }
  rmSync(OUT, { recursive: true, force: true });
  const suite = runSuite(args);
  if (suite.signal !== null) {
    console.error(`coverage: jest was stopped by ${suite.signal}; no report`);
    process.exit(1);
  }
  suiteCode = suite.code;
}
let floorsMet;
try {
  floorsMet = report();
} catch (error) {
  // Our own refusals say what to do; anything else is a bug here, with its stack.
  if (!(error instanceof Error) || !error.message.startsWith('coverage: ')) throw error;
  console.error(error.message);
  process.exit(1);
}
console.log(`Report: ${join('coverage', 'html', 'index.html')}; ${Math.round((Date.now() - started) / 1000)} s in all.`);
if (suiteCode !== 0) console.error(`coverage: the suite failed (jest exit ${suiteCode}); the figures above count a failing run`);
process.exitCode = suiteCode !== 0 || !floorsMet ? 1 : 0;
