/**
 * The `supervisor` executable (`dist/bundle/supervisor.cjs`): runs the bundled
 * command line beside it (`supervisor-program.cjs`) through a V8 code cache
 * (see @repovisor/protocol's code-cache/run-cached-program.cts), so that a
 * supervisor launches its first workers sooner and `supervisor status`
 * answers sooner (docs/BENCHMARKS.md).
 */
// CommonJS `import … = require` (this file is the CommonJS entry, see scripts/build/bundle.mjs).
import path = require('node:path');
import codeCache = require('@repovisor/protocol/code-cache');

/** A digest of the program, put in by the build (scripts/build/bundle.mjs). */
declare const REPOVISOR_PROGRAM_DIGEST: string | undefined;

codeCache.runCachedProgram({
  programFile: path.join(__dirname, 'supervisor-program.cjs'),
  digest: typeof REPOVISOR_PROGRAM_DIGEST === 'string' ? REPOVISOR_PROGRAM_DIGEST : 'unbundled',
  parent: module,
  setting: process.env[codeCache.CODE_CACHE_ENV],
});
