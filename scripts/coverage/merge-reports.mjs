// Makes one coverage report of a run from its two halves:
// - what the supervisors and workers ran: `c8 report` (settings in .c8rc.json)
//   over the prepared V8 coverage of the processes, through the bundles' source
//   maps back to packages/*/src;
// - what jest ran in its own processes (the packages' units, through ts-jest):
//   jest's own v8 coverage, written as istanbul JSON. c8 cannot count that code
//   right: V8 records it under the .ts file's URL, with offsets into ts-jest's
//   JavaScript, whose source map node never saw (no source-map-cache entry), so
//   c8 would lay the counts over the TypeScript text, on the wrong lines. Those
//   records are dropped (process-coverage.mjs keeps only packages/*/dist/).
// Both come from v8-to-istanbul over the same TypeScript files, so a line is the
// same statement in both and istanbul adds their hits; branches are merged by
// location, a branch seen by only one side kept as it is.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { hasRuntimeCode } from './type-only-files.mjs';

// The istanbul libraries c8 itself reports with (dependencies of c8, a devDependency).
const requireFromC8 = createRequire(createRequire(import.meta.url).resolve('c8/package.json'));
const libCoverage = requireFromC8('istanbul-lib-coverage');
const libReport = requireFromC8('istanbul-lib-report');
const reports = requireFromC8('istanbul-reports');

/** Runs `c8 report` in `root` (it reads .c8rc.json there); throws when it fails. */
export function runC8Report(root) {
  const c8 = requireFromC8.resolve('./bin/c8.js');
  const run = spawnSync(process.execPath, [c8, 'report'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`coverage: 'c8 report' failed (exit ${run.status ?? run.signal}); see its output above`);
}

/** Whether `file` is a source of ours: packages/<pkg>/src/… (not a package's node_modules). */
export function isOwnSource(root, file) {
  const prefix = join(root, 'packages') + sep;
  if (!file.startsWith(prefix)) return false;
  const parts = file.slice(prefix.length).split(sep);
  return parts[1] === 'src' && !parts.includes('node_modules');
}

function readCoverage(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`coverage: cannot read ${file} (${error.message}); did the run before it fail?`, { cause: error });
  }
}

/**
 * Merges the istanbul JSON files `parts` (only our sources, less the files of
 * types only), writes the merged coverage-final.json, coverage-summary.json and
 * an HTML report (html/) into `outDir`; returns the type-only files left out.
 */
export function mergeCoverage(root, parts, outDir) {
  const map = libCoverage.createCoverageMap({});
  for (const part of parts) {
    const data = readCoverage(part);
    for (const file of Object.keys(data)) if (!isOwnSource(root, file)) delete data[file];
    map.merge(data);
  }
  // Only a file no process loaded can be one of types only: `all` marks it.
  const typeOnly = map.files().filter((file) => map.fileCoverageFor(file).data.all === true && !hasRuntimeCode(file));
  map.filter((file) => !typeOnly.includes(file));
  const context = libReport.createContext({ dir: outDir, coverageMap: map, defaultSummarizer: 'nested' });
  for (const [name, options] of [['json', {}], ['json-summary', {}], ['html', { subdir: 'html' }]]) {
    reports.create(name, options).execute(context);
  }
  return typeOnly;
}
