// Turns the raw V8 coverage every process of a run wrote (NODE_V8_COVERAGE) into
// files c8 reads right: only our own code's scripts, with their offsets
// corrected where node's offsets do not match the file on disk.
//
// - Kept: scripts under packages/*/dist/ (the bundles the supervisors and
//   workers run, and tsc's dist/*.js some tests run); their source maps lead
//   back to packages/*/src. Dropped: everything else (node's internals, jest,
//   node_modules, the vendor-*.cjs bundles, which hold no code of ours), which
//   only makes c8 slow.
// - The executables run their program through `vm.Script` over
//   `Module.wrap(source)` (packages/kit/src/code-cache/run-cached-program.cts),
//   so V8's offsets into that script count the wrapper's 62 characters, which
//   the file c8 reads does not have: they are shifted back.
// - A program that ran from a V8 code cache has no block counts (one count per
//   function: every branch of a called function would look taken). Such a script
//   is left out and counted; see code-cache-guard.mjs for why this is rare.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WRAPPER_HEAD = Module.wrapper[0].length;
const WRAPPER_LENGTH = WRAPPER_HEAD + Module.wrapper[1].length;

/** What {@link prepareProcessCoverage} kept and left out. */
export class ProcessTally {
  files = 0;
  workerProcesses = 0;
  supervisorProcesses = 0;
  otherProcesses = 0;
  fromCodeCache = 0;
}

function scriptPath(url) {
  if (url.startsWith('file://')) return fileURLToPath(url);
  return url;
}

/** Whether `path` is code of ours that a process ran from a build: packages/<pkg>/dist/…(.js|.cjs), not a vendor bundle. */
function isOwnBuild(root, path) {
  const prefix = join(root, 'packages') + sep;
  if (!path.startsWith(prefix)) return false;
  const [pkg, dist, ...rest] = path.slice(prefix.length).split(sep);
  if (pkg === undefined || dist !== 'dist' || rest.includes('node_modules')) return false;
  const name = rest.at(-1) ?? '';
  return (name.endsWith('.js') || name.endsWith('.cjs')) && !name.startsWith('vendor-');
}

/**
 * The script's coverage with its offsets made relative to the file (`length`
 * characters) when V8 saw it wrapped; `undefined` when it ran from a code cache.
 */
function unwrapped(script, length) {
  const top = script.functions[0]?.ranges[0]?.endOffset;
  if (top !== length + WRAPPER_LENGTH) return script;
  if (!script.functions.some((fn) => fn.isBlockCoverage)) return undefined;
  const clamp = (offset) => Math.min(length, Math.max(0, offset - WRAPPER_HEAD));
  return {
    ...script,
    functions: script.functions.map((fn) => ({
      ...fn,
      ranges: fn.ranges.map((range) => ({ ...range, startOffset: clamp(range.startOffset), endOffset: clamp(range.endOffset) })),
    })),
  };
}

/**
 * Reads every raw coverage file in `rawDir` and writes, under the same name in
 * `outDir`, the coverage of our own built scripts, ready for `c8 report`.
 */
export function prepareProcessCoverage(root, rawDir, outDir) {
  mkdirSync(outDir, { recursive: true });
  const tally = new ProcessTally();
  const lengths = new Map();
  let names;
  try {
    names = readdirSync(rawDir);
  } catch (error) {
    throw new Error(`coverage: no raw coverage in ${rawDir} (${error.code}); run 'npm run coverage' first`, { cause: error });
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    let raw;
    try {
      raw = JSON.parse(readFileSync(join(rawDir, name), 'utf8'));
    } catch {
      continue; // A process that died while writing: nothing usable.
    }
    const result = [];
    for (const script of raw.result ?? []) {
      const path = scriptPath(script.url);
      if (!isOwnBuild(root, path)) continue;
      if (!lengths.has(path)) lengths.set(path, readFileSync(path, 'utf8').length);
      const kept = unwrapped(script, lengths.get(path));
      if (kept === undefined) tally.fromCodeCache += 1;
      else result.push({ ...kept, url: path });
    }
    if (result.length === 0) continue;
    tally.files += 1;
    const names = result.map((script) => script.url);
    if (names.some((path) => path.endsWith('repo-worker-program.cjs'))) tally.workerProcesses += 1;
    else if (names.some((path) => path.endsWith('supervisor-program.cjs'))) tally.supervisorProcesses += 1;
    else tally.otherProcesses += 1;
    const sourceMaps = {};
    for (const path of names) {
      const entry = raw['source-map-cache']?.[pathToFileURL(path).href];
      if (entry !== undefined) sourceMaps[pathToFileURL(path).href] = entry;
    }
    writeFileSync(join(outDir, name), JSON.stringify({ result, 'source-map-cache': sourceMaps }));
  }
  return tally;
}
