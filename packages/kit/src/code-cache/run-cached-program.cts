/**
 * Runs a bundled CommonJS program through a V8 code cache: the executables of
 * both programs (`repo-worker.cjs`, `supervisor.cjs`) are one call of
 * {@link runCachedProgram}. Node 20 has no compile cache for modules, so every
 * start would parse and compile the same program again; with the cache, V8
 * takes the functions an earlier run compiled from the cache file instead
 * (docs/BENCHMARKS.md).
 *
 * The cache file is `<program>.<digest>.v8cache`, beside the program or in
 * the folder `REPOVISOR_CODE_CACHE` names (made if missing; `off`: no
 * cache). It is written a few seconds after a start that found none or found
 * one V8 refused (a new node), once the start-up code has been compiled, by
 * writing a temporary file and renaming it over the old one. None of this can
 * stop a program: no cache, an unreadable or refused one, or a failed write
 * only mean a normal compile.
 *
 * A CommonJS file: it runs before anything else in a CommonJS executable.
 */
// CommonJS `import … = require` (see the file comment).
import fs = require('node:fs');
import Module = require('node:module');
import path = require('node:path');
import vm = require('node:vm');

/** How long after start-up the cache is written: by then a program has done its start-up work and answered its first requests. */
const WRITE_CACHE_AFTER_MS = 3000;

/** The environment variable naming the cache folder, or `off`. */
const CODE_CACHE_ENV = 'REPOVISOR_CODE_CACHE';

/**
 * A digest of the program, written into each executable by the build
 * (scripts/build/bundle.mjs: esbuild replaces this name, here too, since this
 * file is bundled into each executable). The cache file is named after it: V8
 * checks a cache against its source's length only, so a process of an earlier
 * build still running could otherwise write a cache the new program would take.
 */
declare const REPOVISOR_PROGRAM_DIGEST: string | undefined;

/** The cache file for a program and a `REPOVISOR_CODE_CACHE` setting; undefined when the cache is off. */
function codeCacheFile(programFile: string, digest: string, setting: string | undefined): string | undefined {
  if (setting === 'off') return undefined;
  const name = `${path.basename(programFile)}.${digest}.v8cache`;
  return path.join(setting === undefined || setting === '' ? path.dirname(programFile) : path.resolve(setting), name);
}

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
    fs.mkdirSync(path.dirname(file), { recursive: true });
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

/**
 * Runs `programFile` as node would run it as a CommonJS main module, compiled
 * from its code cache when there is a valid one (in the folder
 * `REPOVISOR_CODE_CACHE` names, or beside the program); schedules writing the
 * cache (an unref'd timer: it keeps no program alive) when there was none.
 * `parent` is the executable's own module: the program's parent, as if it had
 * been required.
 */
function runCachedProgram(programFile: string, parent: NodeJS.Module): void {
  const digest = typeof REPOVISOR_PROGRAM_DIGEST === 'string' ? REPOVISOR_PROGRAM_DIGEST : 'unbundled';
  const cacheFile = codeCacheFile(programFile, digest, process.env[CODE_CACHE_ENV]);
  const cachedData = readCache(cacheFile);
  // Module.wrap gives the program the CommonJS function wrapper node itself would;
  // its `#!` line, legal only at the very start of a file, becomes a comment.
  const source = fs.readFileSync(programFile, 'utf8');
  const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  const script = new vm.Script(Module.wrap(body), { filename: programFile, cachedData });
  const program = new Module(programFile, parent);
  program.filename = programFile;
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  run(program.exports, Module.createRequire(programFile), program, programFile, path.dirname(programFile));

  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    setTimeout(() => writeCache(cacheFile, script), WRITE_CACHE_AFTER_MS).unref();
  }
}

// A CommonJS module under verbatimModuleSyntax exports with `export =`.
export = { runCachedProgram };
