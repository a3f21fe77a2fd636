import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Absolute path of the bundled `repo-worker` program of `@repovisor/worker` (see scripts/build/bundle.mjs). */
export function workerEntryPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@repovisor/worker/package.json')), 'dist', 'bundle', 'repo-worker.cjs');
}
