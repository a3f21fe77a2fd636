import { isAbsolute } from 'node:path';
import { slugProblem } from '@repovisor/protocol';
import type { PipelineSettings } from '@repovisor/protocol';

/** Everything a {@link RepoRuntime} is built from. */
export interface RepoRuntimeConfig {
  /** `owner/repo` or `name`. */
  slug: string;
  /** Absolute path of the git repository. */
  repoPath: string;
  /** Absolute path of this runtime's data root (state, event log, workspaces). */
  dataRoot: string;
  /** Interval of the repository watcher (default 2000 ms). */
  watchIntervalMs?: number;
  /** The repo's pipeline; absent, null or not enabled: the runtime runs none (and loads none of it). */
  pipeline?: PipelineSettings | null;
  /** Event log rotation. */
  eventLog?: { maxBytes?: number; maxAgeMs?: number; maxFiles?: number };
}

/** Throws a clear error when a config cannot make a runtime. */
export function assertValidConfig(config: RepoRuntimeConfig): void {
  const problem = slugProblem(config.slug);
  if (problem !== undefined) throw new TypeError(`RepoRuntime config: invalid slug "${config.slug}": ${problem}`);
  if (!isAbsolute(config.repoPath)) throw new TypeError(`RepoRuntime config: repoPath must be absolute, got "${config.repoPath}"`);
  if (!isAbsolute(config.dataRoot)) throw new TypeError(`RepoRuntime config: dataRoot must be absolute, got "${config.dataRoot}"`);
  const interval = config.watchIntervalMs;
  if (interval !== undefined && (!Number.isFinite(interval) || interval < 10)) {
    throw new TypeError(`RepoRuntime config: watchIntervalMs must be at least 10, got ${interval}`);
  }
}
