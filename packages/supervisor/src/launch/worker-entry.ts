import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let resolved: string | undefined;

/**
 * Absolute path of the bundled `repo-worker` executable of `@repovisor/worker`
 * (see scripts/build/bundle.mjs). Resolved once: every launch asks for it.
 */
export function workerEntryPath(): string {
  resolved ??= join(dirname(createRequire(import.meta.url).resolve('@repovisor/worker/package.json')), 'dist', 'bundle', 'repo-worker.cjs');
  return resolved;
}
