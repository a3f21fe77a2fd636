/**
 * The `repo-worker` executable (`dist/bundle/repo-worker.cjs`): runs the
 * bundled worker program beside it (`repo-worker-program.cjs`) through a V8
 * code cache. Node 20 has no compile cache for modules, so every worker
 * would parse and compile the same program again; with the cache, V8 takes
 * the functions the last run compiled from the cache file instead: ~7 ms less
 * CPU per worker start in a burst of twenty (docs/BENCHMARKS.md).
 *
 * The cache file is `repo-worker-program.cjs.<digest>.v8cache` beside the
 * program (the digest is the program's), or the file `REPOVISOR_CODE_CACHE`
 * names (`off`: no cache). A worker writes it
 * a few seconds after it started, once the start-up code has been compiled,
 * when there was none or V8 refused the one there (a new node, a new build),
 * by writing a temporary file and renaming it over the old one. None of this
 * can stop a worker: no cache, an unreadable or refused one, or a failed
 * write only mean a normal compile.
 */
// CommonJS `import … = require` (this file is the CommonJS entry, see scripts/build/bundle.mjs).
import fs = require('node:fs');
import Module = require('node:module');
import path = require('node:path');
import vm = require('node:vm');

/** How long after start-up the cache is written: by then `hello`, the first probe and the first look at the repository have run. */
const WRITE_CACHE_AFTER_MS = 3000;

/**
 * A digest of the program, put in by the build (scripts/build/bundle.mjs). The
 * default cache file is named after it: V8 checks a cache against its source's
 * length only, so a worker of an earlier build still running could otherwise
 * write its cache where the new program would take it.
 */
declare const REPOVISOR_PROGRAM_DIGEST: string | undefined;
const programDigest = typeof REPOVISOR_PROGRAM_DIGEST === 'string' ? REPOVISOR_PROGRAM_DIGEST : 'unbundled';

const programFile = path.join(__dirname, 'repo-worker-program.cjs');
const cacheSetting = process.env.REPOVISOR_CODE_CACHE;
const cacheFile = cacheSetting === 'off' ? undefined : cacheSetting || `${programFile}.${programDigest}.v8cache`;

function readCache(file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(file: string, script: vm.Script): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o644 });
    fs.renameSync(temporary, file);
  } catch {
    try {
      fs.unlinkSync(temporary);
    } catch {
      // Never written, or already gone.
    }
  }
}

const cachedData = readCache(cacheFile);
// Module.wrap gives the program the CommonJS function wrapper node itself would;
// its `#!` line, legal only at the very start of a file, becomes a comment.
const source = fs.readFileSync(programFile, 'utf8');
const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
const script = new vm.Script(Module.wrap(body), { filename: programFile, cachedData });
const program = new Module(programFile, module);
program.filename = programFile;
const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
run(program.exports, Module.createRequire(programFile), program, programFile, __dirname);

if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
  setTimeout(() => writeCache(cacheFile, script), WRITE_CACHE_AFTER_MS).unref();
}
