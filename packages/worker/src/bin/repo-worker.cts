/**
 * The `repo-worker` executable (`dist/bundle/repo-worker.cjs`): runs the
 * bundled worker program beside it (`repo-worker-program.cjs`) through a V8
 * code cache (see @repovisor/kit's code-cache/run-cached-program.cts):
 * ~7 ms less CPU per worker start in a burst of twenty (docs/BENCHMARKS.md).
 */
// CommonJS `import … = require` (this file is the CommonJS entry, see scripts/build/bundle.mjs).
import path = require('node:path');
import codeCache = require('@repovisor/kit/code-cache');

codeCache.runCachedProgram(path.join(__dirname, 'repo-worker-program.cjs'), module);
