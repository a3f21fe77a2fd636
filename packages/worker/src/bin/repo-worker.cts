/**
 * The `repo-worker` executable (`dist/bundle/repo-worker.cjs`): runs the
 * bundled worker program beside it (`repo-worker-program.cjs`) through a V8
 * code cache (see @repovisor/kit's code-cache/run-cached-program.cts),
 * so that each worker starts on less CPU (docs/BENCHMARKS.md, "What each
 * start-up trick buys").
 */
// CommonJS `import … = require` (this file is the CommonJS entry, see scripts/build/bundle.mjs).
import path = require('node:path');
import codeCache = require('@repovisor/kit/code-cache');

codeCache.runCachedProgram(path.join(__dirname, 'repo-worker-program.cjs'), module);
