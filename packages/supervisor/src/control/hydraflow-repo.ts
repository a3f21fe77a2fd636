import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ManagedRepo } from '../manager/managed-repo.js';
import type { RepoManager } from '../manager/repo-manager.js';

/** A repo as HydraFlow's `list_repos` shows it. */
export interface HydraFlowRepo {
  path: string;
  slug: string;
  /** The worker's own HTTP port; null while it is not running. */
  port: number | null;
  /** `http://localhost:<port>`; null while it is not running. */
  dashboard_url: string | null;
  log_file: string;
  running: boolean;
}

/** The worker's port, dashboard URL and log file, as the HydraFlow answers carry them. */
export function hydraFlowRepo(repo: ManagedRepo): HydraFlowRepo {
  const running = repo.state === 'running';
  const port = running ? repo.workerHttpPort : null;
  return {
    path: repo.record.path,
    slug: repo.slug,
    port,
    dashboard_url: port === null ? null : `http://localhost:${port}`,
    log_file: repo.view().log_file,
    running,
  };
}

/** The real path of `path` (symbolic links resolved), or undefined when it does not exist. */
export async function existingRealPath(path: string): Promise<string | undefined> {
  try {
    return await realpath(resolve(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** The managed repo whose recorded path is `path` (compared by real path when it exists). */
export async function findRepoByPath(manager: RepoManager, path: string): Promise<ManagedRepo | undefined> {
  const wanted = (await existingRealPath(path).catch(() => undefined)) ?? resolve(path);
  return manager.all().find((repo) => repo.record.path === wanted);
}
