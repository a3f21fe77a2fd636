import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER_PACKAGE = '@repovisor/worker';
let resolved: string | undefined;

/**
 * Absolute path of the bundled `repo-worker` executable of `@repovisor/worker`
 * (see scripts/build/bundle.mjs). Resolved once: every launch asks for it.
 */
export function workerEntryPath(): string {
  // dist/launch/ (tsc) and dist/bundle/ (the program) are both two folders below the package.
  // Jest's ES modules have no import.meta.dirname.
  const here = (import.meta.dirname as string | undefined) ?? dirname(fileURLToPath(import.meta.url));
  resolved ??= join(findWorkerPackage(join(here, '..', '..')), 'dist', 'bundle', 'repo-worker.cjs');
  return resolved;
}

/**
 * The folder of `@repovisor/worker` as node would resolve it from the package
 * folder `ownPackage` (@repovisor/supervisor's). The usual layouts put it
 * beside this package (`packages/worker` in the checkout,
 * `node_modules/@repovisor/worker` when installed) or inside it (`dist/worker`,
 * the copy a packed supervisor carries: scripts/pack/worker-copy.mjs), so it
 * is looked for there first, before node's package resolution, which would
 * delay the supervisor's first launch. A copy nested in this package's own
 * node_modules would win the resolution, so that one is checked first; the
 * packed copy comes last, after the checkout's own worker; anything else goes
 * through `require.resolve`.
 */
export function findWorkerPackage(ownPackage: string): string {
  const candidates = [join(ownPackage, 'node_modules', '@repovisor', 'worker'), join(ownPackage, '..', 'worker'), join(ownPackage, 'dist', 'worker')];
  for (const candidate of candidates) {
    if (packageName(candidate) === WORKER_PACKAGE) return candidate;
  }
  return dirname(createRequire(join(ownPackage, 'package.json')).resolve(`${WORKER_PACKAGE}/package.json`));
}

function packageName(folder: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: unknown }).name as string | undefined;
  } catch {
    return undefined;
  }
}
