/**
 * The `repo-worker` executable (`dist/bundle/repo-worker.cjs`): runs the
 * bundled worker program beside it (`repo-worker-program.cjs`) through a V8
 * code cache (see @repovisor/protocol's code-cache/run-cached-program.cts):
 * ~7 ms less CPU per worker start in a burst of twenty (docs/BENCHMARKS.md).
 */
// CommonJS `import … = require` (this file is the CommonJS entry, see scripts/build/bundle.mjs).
import path = require('node:path');
import codeCache = require('@repovisor/protocol/code-cache');

/** A digest of the program, put in by the build (scripts/build/bundle.mjs). */
declare const REPOVISOR_PROGRAM_DIGEST: string | undefined;

codeCache.runCachedProgram({
  programFile: path.join(__dirname, 'repo-worker-program.cjs'),
  digest: typeof REPOVISOR_PROGRAM_DIGEST === 'string' ? REPOVISOR_PROGRAM_DIGEST : 'unbundled',
  parent: module,
  setting: process.env[codeCache.CODE_CACHE_ENV],
});
