import type { RepoDefinition } from '../config/config-schema.js';
import { slugCollisionKey } from '../config/repo-identity.js';
import type { StoredRepo } from './state-schema.js';

/** Something {@link mergeRepos} decided that the caller should log, and act on when the stored repo has a live worker. */
export type MergeEvent =
  /** A repo added through the API now clashes with a `repos.yaml` entry by slug or path; the file wins. */
  | { kind: 'api_repo_replaced'; dropped: StoredRepo; by: string; clash: 'slug' | 'path' }
  /** A repo added through the API is now in `repos.yaml` with the same folder: it becomes a config repo and keeps its worker. */
  | { kind: 'api_repo_adopted'; repo: StoredRepo }
  /** A stored repo from `repos.yaml` is no longer in the file and is forgotten. */
  | { kind: 'removed_from_config'; dropped: StoredRepo }
  /** A `repos.yaml` slug now names another folder: the old folder's worker (token, pid) is not carried over. */
  | { kind: 'path_changed'; dropped: StoredRepo; path: string };

/** Options of {@link mergeRepos}. */
export interface MergeOptions {
  /** Told about every dropped or replaced stored repo. */
  onEvent?: (event: MergeEvent) => void;
  /** Clock for `addedAt` of new repos. */
  now?: () => Date;
}

/**
 * The repos to manage after a (re)load: every `repos.yaml` repo with the file's settings (keeping the stored
 * token, pid, start ticks and HTTP port of the same slug and folder), then the API-added repos that clash with none of them.
 */
export function mergeRepos(
  config: RepoDefinition[],
  stored: StoredRepo[],
  newToken: () => string,
  options: MergeOptions = {},
): StoredRepo[] {
  const now = options.now ?? (() => new Date());
  const report = options.onEvent ?? (() => undefined);
  const storedBySlug = new Map(stored.map((repo) => [slugCollisionKey(repo.slug), repo] as const));
  const merged: StoredRepo[] = [];
  const kept = new Set<StoredRepo>();

  for (const definition of config) {
    const previous = storedBySlug.get(slugCollisionKey(definition.slug));
    let carried: Pick<StoredRepo, 'token' | 'pid' | 'pidStartTicks' | 'httpPort' | 'addedAt'> = {
      token: newToken(),
      pid: null,
      pidStartTicks: null,
      httpPort: null,
      addedAt: now().toISOString(),
    };
    if (previous !== undefined) {
      kept.add(previous);
      const samePath = previous.path === definition.path;
      // A worker for the old folder must not be adopted as the worker of the new one.
      if (samePath) carried = { ...previous };
      if (previous.source === 'api') {
        report(samePath ? { kind: 'api_repo_adopted', repo: previous } : { kind: 'api_repo_replaced', dropped: previous, by: definition.slug, clash: 'slug' });
      } else if (!samePath) {
        report({ kind: 'path_changed', dropped: previous, path: definition.path });
      }
    }
    merged.push({
      slug: definition.slug,
      path: definition.path,
      autostart: definition.autostart,
      env: { ...definition.env },
      pipeline: definition.pipeline,
      source: 'config',
      addedAt: carried.addedAt,
      token: carried.token,
      pid: carried.pid,
      pidStartTicks: carried.pidStartTicks,
      httpPort: carried.httpPort,
    });
  }

  const configSlugs = new Map(config.map((definition) => [slugCollisionKey(definition.slug), definition.slug] as const));
  const configPaths = new Map(config.map((definition) => [definition.path, definition.slug] as const));
  const apiKeys = new Set<string>();
  for (const repo of stored) {
    if (kept.has(repo)) continue;
    if (repo.source === 'config') {
      report({ kind: 'removed_from_config', dropped: repo });
      continue;
    }
    const key = slugCollisionKey(repo.slug);
    const bySlug = configSlugs.get(key);
    const byPath = configPaths.get(repo.path);
    if (bySlug !== undefined || byPath !== undefined) {
      report({ kind: 'api_repo_replaced', dropped: repo, by: bySlug ?? byPath ?? '', clash: bySlug !== undefined ? 'slug' : 'path' });
      continue;
    }
    // A state file written by hand could repeat a slug; the first entry wins.
    if (apiKeys.has(key)) continue;
    apiKeys.add(key);
    merged.push(structuredClone(repo));
  }
  return merged;
}
