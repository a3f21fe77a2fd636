import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Absolute path of the compiled `repo-worker` entry point of `@repovisor/worker`. */
export function workerEntryPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@repovisor/worker/package.json')), 'dist', 'main.js');
}
