import type { ManagedRepo } from '../manager/managed-repo.js';
import type { RepoManager } from '../manager/repo-manager.js';
import { isWorkerRoute } from './worker-proxy.js';

/** A request path under `/api/repos/` resolved to its repo and what follows the slug. */
export type RepoTarget = { repo: ManagedRepo; rest: string[] } | { repo: undefined; slug: string };

/**
 * Resolves `acme/alpha/start`, `acme-alpha/tasks/3` or `solo/runtimes/x` to the
 * managed repo and the remaining segments. A two-segment `owner/repo` is tried
 * before a one-segment slug.
 */
export function resolveRepoTarget(manager: RepoManager, segments: string[]): RepoTarget {
  const [first = '', second] = segments;
  if (second !== undefined) {
    const repo = manager.get(`${first}/${second}`);
    if (repo !== undefined) return { repo, rest: segments.slice(2) };
  }
  const repo = manager.get(first);
  if (repo !== undefined) return { repo, rest: segments.slice(1) };
  // An action or a worker route after the first segment means that segment is the whole (unknown) slug.
  const looksOwned = second !== undefined && !['start', 'stop', 'restart'].includes(second) && !isWorkerRoute(second);
  return { repo: undefined, slug: looksOwned ? `${first}/${second}` : first };
}
