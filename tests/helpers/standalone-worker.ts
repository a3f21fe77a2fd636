import { join } from 'node:path';
import type { ChildProcesses, TestChild } from './child-processes.js';
import { createGitRepo } from './git-repo.js';
import { WORKER_MAIN } from './paths.js';
import { waitFor } from './wait-for.js';

/** A worker started on its own (no supervisor), with its repository and data root. */
export interface StandaloneWorker {
  worker: TestChild;
  repo: string;
  dataRoot: string;
  /** Its `/api/runtimes` URL. */
  url: string;
  /** Its one runtime's URL, `…/api/runtimes/<slug>`. */
  runtimeUrl: string;
}

/** Options of {@link startStandaloneWorker}. */
export interface StandaloneWorkerOptions {
  slug?: string;
  /** Extra or replaced environment (PATH among them). */
  env?: Record<string, string>;
  /** Runs the worker under this umask (through `sh -c 'umask …; exec node …'`). */
  umask?: string;
  /** Called with the data root before the worker starts, to put files there. */
  prepare?: (dataRoot: string, repo: string) => Promise<void>;
}

/**
 * Starts `repo-worker` by hand on a new git repository under `root`, with a
 * 50 ms watch interval, and resolves once it listens. `children` ends it.
 */
export async function startStandaloneWorker(children: ChildProcesses, root: string, options: StandaloneWorkerOptions = {}): Promise<StandaloneWorker> {
  const slug = options.slug ?? 'acme/alpha';
  const repo = await createGitRepo(join(root, 'repo'));
  const dataRoot = join(root, 'data');
  await options.prepare?.(dataRoot, repo);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    REPOVISOR_SLUG: slug,
    REPOVISOR_REPO_PATH: repo,
    REPOVISOR_DATA_ROOT: dataRoot,
    REPOVISOR_WATCH_INTERVAL_MS: '50',
    ...options.env,
  };
  // `exec` keeps the pid: the one ChildProcesses ends is the worker's own.
  const worker =
    options.umask === undefined
      ? children.start(process.execPath, [WORKER_MAIN], { env })
      : children.start('/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$1"`, process.execPath, WORKER_MAIN], { env });
  const url = await waitFor('the worker to listen', () => {
    if (worker.child.exitCode !== null) throw new Error(`the worker exited with code ${worker.child.exitCode}: ${worker.stderr()}`);
    for (const line of worker.stdout().split('\n')) {
      if (line.includes('worker listening')) return (JSON.parse(line) as { url: string }).url;
    }
    return undefined;
  });
  return { worker, repo, dataRoot, url, runtimeUrl: `${url}/${slug}` };
}

/** HydraFlow's `RepoRuntimeInfo`, as the worker's `/api/runtimes/<slug>` answers it. */
export interface RuntimeInfoBody {
  slug: string;
  running: boolean;
  session_id: string | null;
  last_error: string | null;
}

/** GET of the worker's runtime. */
export async function runtimeInfo(worker: StandaloneWorker): Promise<RuntimeInfoBody> {
  const response = await fetch(worker.runtimeUrl);
  if (response.status !== 200) throw new Error(`GET ${worker.runtimeUrl} answered ${response.status}`);
  return (await response.json()) as RuntimeInfoBody;
}
