/**
 * The `supervisor` executable (`dist/bundle/supervisor.cjs`): runs the bundled
 * command line beside it (`supervisor-program.cjs`) through a V8 code cache
 * (see @repovisor/kit's code-cache/run-cached-program.cts), so that a
 * supervisor launches its first workers sooner and `supervisor status`
 * answers sooner (docs/BENCHMARKS.md, "What each start-up trick buys").
 */
// CommonJS `import … = require` (this file is the CommonJS entry, see scripts/build/bundle.mjs).
import path = require('node:path');
import codeCache = require('@repovisor/kit/code-cache');

codeCache.runCachedProgram(path.join(__dirname, 'supervisor-program.cjs'), module);
