import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The compiled worker entry point (built by `npm run build`). */
export const WORKER_MAIN = fileURLToPath(new URL('../../packages/worker/dist/bundle/repo-worker.cjs', import.meta.url));

/** The compiled supervisor CLI (built by `npm run build`). */
export const SUPERVISOR_MAIN = fileURLToPath(new URL('../../packages/supervisor/dist/bundle/supervisor.cjs', import.meta.url));
