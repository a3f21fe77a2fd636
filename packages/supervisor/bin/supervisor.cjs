#!/usr/bin/env node
// The `supervisor` and `repovisor` commands (the `bin` of @repovisor/supervisor):
// committed, not built, so that `npm ci` links them before any build. It only
// requires the built executable (dist/bundle/supervisor.cjs, which runs the
// program through its V8 code cache; scripts/build/bundle.mjs): node loads
// nothing more than it would running the bundle itself.
'use strict';
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'dist', 'bundle', 'supervisor.cjs');
const program = path.join(__dirname, '..', 'dist', 'bundle', 'supervisor-program.cjs');

try {
  require(bundle);
} catch (error) {
  // Checked only on failure: a start that finds its bundle pays for no extra lookup.
  const fs = require('node:fs');
  const missing = [bundle, program].filter((file) => !fs.existsSync(file));
  if (missing.length === 0) throw error;
  process.stderr.write(
    `supervisor: the built CLI is missing (${missing.join(', ')}).\n` +
      'Run `npm run build` first (in the Repovisor checkout), then run this command again.\n',
  );
  process.exitCode = 1;
}
